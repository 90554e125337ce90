"""Booking and rescheduling appointments (contacts with can_book_appointments, and staff);
confirming and cancelling them and signing work sheets (staff).

A booking is re-checked inside the transaction against the technician's hours, absences,
appointments and travel; the database's exclusion constraint is the last word, so of two
requests for the same technician and time exactly one wins and the other gets CONFLICT with
fresh alternatives. A retry with the same idempotency key returns the same appointment; a key
is its sender's own (the contact or staff user), so another caller's equal key books anew and
never answers CONFLICT.
"""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from strawberry import Info

from authz.policy import BACK_OFFICE_ONLY, BOOKING
from authz.principals import ContactPrincipal
from db import models as m
from db import planner as planner
from db.queries import appointments as reads
from db.queries import audit, booking, planning, worksheets
from db.queries.accounts import account_of
from db.queries.idempotency import Author
from mailer import notifications
from resolvers import webhooks
from resolvers.booking import bookable, to_slot
from resolvers.kit import audited
from resolvers.worksheet_actions import store_signed_pdf
from schema.appointments import Appointment
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput, Conflict, NotFound
from schema.kit.permissions import permitted
from schema.worksheets import WorkSheet
from sportello.base.clock import now_utc

ContextInfo = Info[Context, None]
GRID = dt.timedelta(minutes=15)


@strawberry.input
class BookAppointmentInput:
    site_id: strawberry.ID
    activity_type_id: strawberry.ID
    starts_at: dt.datetime
    notes: str = ""
    idempotency_key: str | None = strawberry.field(
        default=None, description="The same key on a retry returns the first appointment."
    )


def _author(info: ContextInfo) -> Author:
    """The staff user or contact booking: the owner of the request's idempotency key."""
    author = account_of(info.context.principal)
    assert author is not None  # booking is for staff and contacts only (the policy)
    return author


async def _load(info: ContextInfo, appointment_id: uuid.UUID) -> Appointment:
    rows = await reads.appointments_by_id(
        info.context.db, info.context.rows.scope, [appointment_id]
    )
    if rows[0] is None:
        raise NotFound("appointment")
    return Appointment.from_row(rows[0])


async def _locked(info: ContextInfo, id: strawberry.ID) -> booking.AppointmentState:
    """The appointment ``id`` locked for a change; NOT_FOUND when the caller cannot see it."""
    appointment_id = ids.decode("Appointment", id)
    if appointment_id is not None:
        context = info.context
        found = await booking.appointment_state(context.db, context.rows.scope, appointment_id)
        if found is not None:
            return found
    raise NotFound("appointment")


def _check_start(starts_at: dt.datetime, found: planning.PlanningInput, field: str) -> None:
    if starts_at.tzinfo is None:
        raise BadUserInput(field, "give a time zone (for example 2026-12-01T09:00:00+01:00)")
    if starts_at.timestamp() % GRID.total_seconds():
        raise BadUserInput(field, "appointments start on a quarter hour")
    now = now_utc()
    if starts_at < now + found.min_lead:
        raise BadUserInput(field, "is sooner than the minimum notice for a booking")
    if starts_at > now + found.horizon:
        raise BadUserInput(field, "is further ahead than bookings are open")


def _planned(
    info: ContextInfo,
    place: planning.PlanningInput | booking.AppointmentState,
    notes: str,
) -> dict[str, object]:
    """The columns of a PLANNED appointment the caller books at ``place``'s site and activity
    (its technician and times come from :func:`_place`)."""
    origin = (
        m.InterventionOrigin.PORTAL
        if isinstance(info.context.principal, ContactPrincipal)
        else m.InterventionOrigin.STAFF
    )
    return {
        "organization_id": info.context.rows.scope.organization_id,
        "client_id": place.client_id,
        "site_id": place.site_id,
        "activity_type_id": place.activity_type_id,
        "status": m.InterventionStatus.PLANNED.value,
        "origin": origin.value,
        "notes": notes,
        **booking.booked_by(_author(info)),
    }


async def _place(
    info: ContextInfo,
    found: planning.PlanningInput,
    starts_at: dt.datetime,
    values: dict[str, object],
) -> uuid.UUID:
    """Pick the technician who fits best at ``starts_at`` and insert the appointment."""
    context = info.context
    scope = context.rows.scope
    technicians = await planning.technicians(
        context.db,
        scope.organization_id,
        found.activity_type_id,
        starts_at - dt.timedelta(days=1),
        starts_at + found.duration + dt.timedelta(days=1),
        found.zone,
    )
    slots = planner.find_slots(
        technicians, found.site, found.duration, starts_at, starts_at, found.travel, 50
    )
    for slot in slots:
        outcome, appointment_id = await booking.insert_appointment(
            context.db,
            values
            | {
                "technician_id": slot.technician_id,
                "starts_at": slot.starts_at,
                "ends_at": slot.ends_at,
            },
        )
        if outcome is booking.Outcome.CREATED:
            return appointment_id
        if outcome is booking.Outcome.DUPLICATE_KEY:
            earlier = await booking.appointment_by_key(
                context.db, scope, _author(info), str(values["idempotency_key"])
            )
            if earlier is not None:
                return earlier
    alternatives = planner.find_slots(
        technicians,
        found.site,
        found.duration,
        starts_at - dt.timedelta(hours=12),
        starts_at + dt.timedelta(days=1),
        found.travel,
        5,
    )
    raise Conflict(
        "No technician can come at that time any more; choose another slot.",
        alternatives=[
            {
                "startsAt": s.starts_at.isoformat(),
                "endsAt": s.ends_at.isoformat(),
                "addedTravelMinutes": s.added_travel_minutes,
            }
            for s in map(to_slot, alternatives)
        ],
    )


@strawberry.type
class AppointmentMutation:
    @strawberry.mutation(
        description="Book an appointment in a slot of availableSlots.",
        extensions=permitted(BOOKING),
    )
    async def book_appointment(self, info: ContextInfo, input: BookAppointmentInput) -> Appointment:
        context = info.context
        scope = context.rows.scope
        key = input.idempotency_key.strip() if input.idempotency_key else None
        if key is not None:
            if not key or len(key) > 100:
                raise BadUserInput("idempotencyKey", "use 1 to 100 characters")
            earlier = await booking.appointment_by_key(context.db, scope, _author(info), key)
            if earlier is not None:
                return await _load(info, earlier)
        if len(input.notes) > 2000:
            raise BadUserInput("notes", "use at most 2000 characters")
        found = await bookable(info, input.site_id, input.activity_type_id, "activityTypeId")
        _check_start(input.starts_at, found, "startsAt")
        principal = context.principal
        values = _planned(info, found, input.notes.strip()) | {"idempotency_key": key}
        appointment_id = await _place(info, found, input.starts_at, values)
        if isinstance(principal, ContactPrincipal):
            await notifications.queue_booking_confirmation(
                context.db, appointment_id, principal.contact_id
            )
        await audited.record(context, "appointment_booked", "Intervention", appointment_id)
        await webhooks.notify(context, m.WebhookEvent.APPOINTMENT_BOOKED, appointment_id)
        return await _load(info, appointment_id)

    @strawberry.mutation(
        description="Move an appointment where its activity type allows it; the old one is "
        "kept, cancelled, and linked to the new one.",
        extensions=permitted(BOOKING),
    )
    async def reschedule_appointment(
        self, info: ContextInfo, id: strawberry.ID, starts_at: dt.datetime
    ) -> Appointment:
        context = info.context
        scope = context.rows.scope
        old = await _locked(info, id)
        if old.status not in old.allowed_statuses:
            raise BadUserInput("id", "this appointment cannot be moved in its current state")
        if old.starts_at < now_utc() + dt.timedelta(hours=old.min_lead_hours):
            raise BadUserInput("id", "it is too late to move this appointment")
        found = await planning.planning_input(context.db, scope, old.site_id, old.activity_type_id)
        if found is None:
            raise NotFound("appointment")
        _check_start(starts_at, found, "startsAt")
        await booking.set_appointment_status(context.db, old.id, m.InterventionStatus.CANCELLED)
        values = _planned(info, old, old.notes) | {"reschedules_id": old.id}
        new_id = await _place(info, found, starts_at, values)
        await notifications.queue_appointment_moved(context.db, new_id)
        await audited.record(
            context, "appointment_rescheduled", "Intervention", new_id, {"from": str(old.id)}
        )
        # The moved appointment is a new record; the event names it and the one it replaces.
        await webhooks.notify(
            context,
            m.WebhookEvent.APPOINTMENT_MOVED,
            new_id,
            replaces=ids.encode("Appointment", old.id),
        )
        return await _load(info, new_id)

    @strawberry.mutation(
        description="Confirm a requested appointment (staff).",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def confirm_appointment(self, info: ContextInfo, id: strawberry.ID) -> Appointment:
        return await _set_status(info, id, m.InterventionStatus.PLANNED, "appointment_confirmed")

    @strawberry.mutation(
        description="Cancel an appointment (staff).", extensions=permitted(BACK_OFFICE_ONLY)
    )
    async def cancel_appointment(self, info: ContextInfo, id: strawberry.ID) -> Appointment:
        return await _set_status(info, id, m.InterventionStatus.CANCELLED, "appointment_cancelled")

    @strawberry.mutation(
        description="Sign a work sheet (staff): its PDF is generated and stored as its "
        "document, and contacts who receive signed work sheets get a copy with it attached.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def sign_work_sheet(
        self, info: ContextInfo, id: strawberry.ID, signed_by: str
    ) -> WorkSheet:
        context = info.context
        scope = context.rows.scope
        name = signed_by.strip()
        if not name or len(name) > 200:
            raise BadUserInput("signedBy", "give the name of who signed, up to 200 characters")
        sheet_id = ids.decode("WorkSheet", id)
        previous = (
            await booking.sign_work_sheet(context.db, scope, sheet_id, name, now_utc())
            if sheet_id is not None
            else None
        )
        if previous is None or sheet_id is None:
            raise NotFound("work sheet")
        if previous != m.WorkSheetStatus.DRAFT.value:
            raise Conflict("This work sheet is already signed.")
        # The PDF first: the copies queued next attach the sheet's portal-visible PDFs.
        document_id = await store_signed_pdf(info, sheet_id)
        await notifications.queue_signed_worksheet_copies(
            context.db, scope.organization_id, sheet_id
        )
        signed = {"status": m.WorkSheetStatus.SIGNED.value, "signed_by": name}
        details = audit.change_details({"status": previous}, signed)
        details["document_id"] = str(document_id)
        await audited.record(context, "work_sheet_signed", "WorkSheet", sheet_id, details)
        await webhooks.notify(context, m.WebhookEvent.WORK_SHEET_SIGNED, sheet_id)
        rows = await worksheets.work_sheets_by_id(context.db, scope, [sheet_id])
        assert rows[0] is not None
        return WorkSheet.from_row(rows[0])


async def _set_status(
    info: ContextInfo, id: strawberry.ID, status: m.InterventionStatus, action: str
) -> Appointment:
    context = info.context
    current = await _locked(info, id)
    if (
        status is m.InterventionStatus.PLANNED
        and current.status != m.InterventionStatus.REQUESTED.value
    ):
        raise BadUserInput("id", "only a requested appointment can be confirmed")
    if status is m.InterventionStatus.PLANNED and current.technician_id is None:
        # A planned visit has someone going: assignAppointment first.
        raise BadUserInput("id", "assign a technician (assignAppointment) before confirming")
    if status is m.InterventionStatus.CANCELLED and current.status in ("DONE", "CANCELLED"):
        raise BadUserInput("id", "this appointment is already done or cancelled")
    await booking.set_appointment_status(context.db, current.id, status)
    if status is m.InterventionStatus.CANCELLED:
        await notifications.queue_appointment_cancelled(context.db, current.id, now_utc())
        await webhooks.notify(context, m.WebhookEvent.APPOINTMENT_CANCELLED, current.id)
    await audited.record(context, action, "Intervention", current.id)
    return await _load(info, current.id)
