"""The office places appointments by hand and assigns technicians (ADMIN, OFFICE).

Unlike a booking, which the planning assistant places in a free slot within the bookable
horizon and lead time, the office chooses the time and the technician itself: any time, past
ones included (an emergency visit recorded as it happens), outside working hours too (overtime
is the office's call), without travel time. What it may never do is put a technician in two
places at once or into their absence: the technician's exclusion constraint is the last word
on the first (CONFLICT naming the appointments in the way, never an internal error), an
overlapping absence is CONFLICT too. The technician must be an active TECHNICIAN with the
activity type's skill (BAD_USER_INPUT ``technicianId``).

An appointment the office creates has origin STAFF, or TICKET when it answers a ticket (of its
site), and is PLANNED when it has a technician, REQUESTED (waiting for one) otherwise.
Assigning changes only who goes: a REQUESTED appointment stays REQUESTED until
confirmAppointment, a PLANNED one stays PLANNED; taking the technician off
(``technicianId: null``) returns a PLANNED appointment to REQUESTED, since PLANNED means
someone is on it. Only open appointments (REQUESTED, PLANNED) are assigned.

Moving stays rescheduleAppointment's, which holds staff to the booking rules (README "Back
office" says what that leaves out).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import strawberry
from strawberry import Info

from authz.policy import BACK_OFFICE_ONLY
from db import models as m
from db.queries import appointment_staff_actions as actions
from db.queries import appointments as reads
from db.queries import audit, booking
from db.queries.accounts import account_of
from db.queries.idempotency import Author
from resolvers import webhooks
from resolvers.kit import audited
from schema.appointments import Appointment
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput, Conflict, NotFound
from schema.kit.permissions import permitted

ContextInfo = Info[Context, None]

MAX_NOTES = 2000
MAX_KEY = 100
LONGEST = dt.timedelta(hours=24)
OPEN = (m.InterventionStatus.REQUESTED.value, m.InterventionStatus.PLANNED.value)


@strawberry.input(description="An appointment the office places: any time, a technician or none.")
class CreateAppointmentInput:
    site_id: strawberry.ID = strawberry.field(description="A site in use (not archived).")
    activity_type_id: strawberry.ID
    starts_at: dt.datetime = strawberry.field(description="With a time zone, in whole minutes.")
    ends_at: dt.datetime | None = strawberry.field(
        default=None, description="Default: the activity type's duration after startsAt."
    )
    technician_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="An active technician with the activity type's skill; without one the "
        "appointment is REQUESTED, with one PLANNED.",
    )
    ticket_id: strawberry.ID | None = strawberry.field(
        default=None, description="The ticket of the same site it answers (origin TICKET)."
    )
    notes: str = strawberry.field(default="", description="Office notes, at most 2000 characters.")
    idempotency_key: str | None = strawberry.field(
        default=None, description="The same key on a retry returns the first appointment."
    )


def _when(field: str, value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise BadUserInput(field, "give a time zone (for example 2026-12-01T09:00:00+01:00)")
    if value.second or value.microsecond:
        raise BadUserInput(field, "use whole minutes")
    return value


def _key(given: str | None) -> str | None:
    if given is None:
        return None
    key = given.strip()
    if not key or len(key) > MAX_KEY:
        raise BadUserInput("idempotencyKey", f"use 1 to {MAX_KEY} characters")
    return key


def _author(info: ContextInfo) -> Author:
    """The staff user placing the appointment: the owner of its idempotency key."""
    author = account_of(info.context.principal)
    assert author is not None  # staff only (the policy)
    return author


async def _answer(info: ContextInfo, appointment_id: uuid.UUID) -> Appointment:
    context = info.context
    rows = await reads.appointments_by_id(context.db, context.rows.scope, [appointment_id])
    assert rows[0] is not None
    return Appointment.from_row(rows[0])


async def _check_technician(
    info: ContextInfo,
    id: strawberry.ID,
    activity_type_id: uuid.UUID,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> uuid.UUID:
    """The technician ``id`` may take the activity in the period: active, skilled, present."""
    context = info.context
    scope = context.rows.scope
    technician_id = ids.decode("StaffUser", id)
    found = (
        await actions.technician_for_update(context.db, scope, technician_id, activity_type_id)
        if technician_id is not None
        else None
    )
    if found is None or technician_id is None:
        raise BadUserInput("technicianId", "no such technician")
    if found.role != m.StaffRole.TECHNICIAN.value or not found.active:
        raise BadUserInput("technicianId", "is not an active technician")
    if not found.skilled:
        raise BadUserInput("technicianId", "does not have the skill for this activity type")
    away = await actions.absences_over(context.db, scope, technician_id, starts_at, ends_at)
    if away:
        spans = [
            {"startsAt": a.starts_at.isoformat(), "endsAt": a.ends_at.isoformat()} for a in away
        ]
        named = ", ".join(f"{s['startsAt']} to {s['endsAt']}" for s in spans)
        raise Conflict(
            f"The technician is absent then ({named}); choose another time or technician.",
            absences=spans,
        )
    return technician_id


async def _clash(
    info: ContextInfo, technician_id: uuid.UUID, starts_at: dt.datetime, ends_at: dt.datetime
) -> Conflict:
    """The CONFLICT for a placing the exclusion constraint refused, naming what is in the way."""
    context = info.context
    found = await actions.clashes(context.db, context.rows.scope, technician_id, starts_at, ends_at)
    named = [ids.encode("Appointment", row.id) for row in found]
    times = ", ".join(
        f"{name} ({row.starts_at.isoformat()} to {row.ends_at.isoformat()})"
        for name, row in zip(named, found, strict=True)
    )
    return Conflict(
        "The technician already has an appointment then: "
        f"{times or 'one placed at the same moment'}. Choose another time or technician.",
        appointments=named,
    )


@strawberry.type
class AppointmentStaffMutation:
    @strawberry.mutation(
        description="Place an appointment (ADMIN, OFFICE) at any time, with a technician "
        "(PLANNED) or without (REQUESTED). CONFLICT when the technician is busy or absent then.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def create_appointment(
        self, info: ContextInfo, input: CreateAppointmentInput
    ) -> Appointment:
        context = info.context
        scope = context.rows.scope
        key = _key(input.idempotency_key)
        if key is not None:
            earlier = await booking.appointment_by_key(context.db, scope, _author(info), key)
            if earlier is not None:
                return await _answer(info, earlier)
        notes = input.notes.strip()
        if len(notes) > MAX_NOTES:
            raise BadUserInput("notes", f"use at most {MAX_NOTES} characters")
        site_id = ids.decode("Site", input.site_id)
        client_id = await actions.open_site(context.db, scope, site_id) if site_id else None
        if site_id is None or client_id is None:
            raise BadUserInput("siteId", "no such site")
        activity_id = ids.decode("ActivityType", input.activity_type_id)
        minutes = (
            await actions.activity_minutes(context.db, scope, activity_id) if activity_id else None
        )
        if activity_id is None or minutes is None:
            raise BadUserInput("activityTypeId", "no such activity type")
        starts_at = _when("startsAt", input.starts_at)
        ends_at = (
            _when("endsAt", input.ends_at)
            if input.ends_at is not None
            else starts_at + dt.timedelta(minutes=minutes)
        )
        if ends_at <= starts_at:
            raise BadUserInput("endsAt", "an appointment ends after it starts")
        if ends_at - starts_at > LONGEST:
            raise BadUserInput("endsAt", "an appointment lasts at most 24 hours; plan several")
        ticket_id = None
        if input.ticket_id is not None:
            ticket_id = ids.decode("Ticket", input.ticket_id)
            at = await actions.ticket_site(context.db, scope, ticket_id) if ticket_id else None
            if at is None:
                raise BadUserInput("ticketId", "no such ticket")
            if at != site_id:
                raise BadUserInput("ticketId", "is a ticket of another site")
        technician_id = None
        if input.technician_id is not None:
            technician_id = await _check_technician(
                info, input.technician_id, activity_id, starts_at, ends_at
            )
        values: dict[str, Any] = {
            "client_id": client_id,
            "site_id": site_id,
            "activity_type_id": activity_id,
            "technician_id": technician_id,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "status": (
                m.InterventionStatus.REQUESTED
                if technician_id is None
                else m.InterventionStatus.PLANNED
            ).value,
            "origin": (
                m.InterventionOrigin.STAFF if ticket_id is None else m.InterventionOrigin.TICKET
            ).value,
            "ticket_id": ticket_id,
            "notes": notes,
        }
        outcome, appointment_id = await booking.insert_appointment(
            context.db,
            values
            | {"organization_id": scope.organization_id, "idempotency_key": key}
            | booking.booked_by(_author(info)),
        )
        if outcome is not booking.Outcome.CREATED:
            # A retry with the same key that lost the race to its first try gets the first.
            earlier = (
                await booking.appointment_by_key(context.db, scope, _author(info), key)
                if key is not None
                else None
            )
            if earlier is not None:
                return await _answer(info, earlier)
            assert technician_id is not None  # without a technician nothing can overlap
            raise await _clash(info, technician_id, starts_at, ends_at)
        details = audit.change_details({}, {k: v for k, v in values.items() if v is not None})
        await audited.record(
            context, "appointment_created", "Intervention", appointment_id, details
        )
        await webhooks.notify(context, m.WebhookEvent.APPOINTMENT_BOOKED, appointment_id)
        return await _answer(info, appointment_id)

    @strawberry.mutation(
        description="Assign a technician to an open appointment (ADMIN, OFFICE), or take them "
        "off with null (a PLANNED one returns to REQUESTED). CONFLICT when they are busy or "
        "absent then.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def assign_appointment(
        self,
        info: ContextInfo,
        id: strawberry.ID,
        technician_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Who goes; null takes whoever is on it off."),
        ] = strawberry.UNSET,
    ) -> Appointment:
        if technician_id is strawberry.UNSET:
            raise BadUserInput("technicianId", "give a technician, or null to take them off")
        context = info.context
        appointment_id = ids.decode("Appointment", id)
        current = (
            await booking.appointment_state(context.db, context.rows.scope, appointment_id)
            if appointment_id is not None
            else None
        )
        if current is None:
            raise NotFound("appointment")
        if current.status not in OPEN:
            raise BadUserInput("status", "only a requested or planned appointment is assigned")
        values: dict[str, Any] = {"technician_id": None}
        if technician_id is not None:
            values["technician_id"] = await _check_technician(
                info, technician_id, current.activity_type_id, current.starts_at, current.ends_at
            )
        elif current.status == m.InterventionStatus.PLANNED.value:
            values["status"] = m.InterventionStatus.REQUESTED.value
        if values["technician_id"] == current.technician_id:
            return await _answer(info, current.id)
        if not await actions.assign(context.db, current.id, values):
            raise await _clash(info, values["technician_id"], current.starts_at, current.ends_at)
        before = {"technician_id": current.technician_id, "status": current.status}
        details = audit.change_details(before, values)
        await audited.record(context, "appointment_assigned", "Intervention", current.id, details)
        return await _answer(info, current.id)
