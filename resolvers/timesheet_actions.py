"""The time clock (seed 000): technicians clock in and out for themselves; staff correct entries.

A technician has one open entry at a time: clocking in while one is open, or out while none
is, answers CONFLICT. A clock-in's site, and its intervention when given, must be ones the
technician may name (an intervention of theirs at that site); an unknown or foreign one is
BAD_USER_INPUT naming the field, worded alike. ADMIN and OFFICE correct an entry's times with a
reason; the audit event keeps the old and new times and the reason.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import strawberry
from strawberry import Info

from authz.policy import BACK_OFFICE_ONLY, TECHNICIANS_ONLY
from authz.principals import StaffPrincipal
from db import models as m
from db.queries import audit, timesheets
from db.queries import timesheet_actions as actions
from resolvers.kit import audited, changes
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput, Conflict
from schema.kit.permissions import permitted
from schema.timesheets import PositionInput, TimesheetEntry
from sportello.base.clock import now_utc

ContextInfo = Info[Context, None]

MAX_REASON = 500
# A correction may not put times in the future beyond this clock skew.
SKEW = dt.timedelta(minutes=5)


def _staff(info: ContextInfo) -> StaffPrincipal:
    principal = info.context.principal
    assert isinstance(principal, StaffPrincipal)  # the policy admits staff only
    return principal


async def _answer(info: ContextInfo, entry_id: uuid.UUID) -> TimesheetEntry:
    context = info.context
    rows = await timesheets.entries_by_id(context.db, context.rows.scope, [entry_id])
    assert rows[0] is not None
    return TimesheetEntry.from_row(rows[0])


def _position(position: PositionInput | None) -> tuple[Decimal | None, Decimal | None]:
    if position is None:
        return None, None
    if not -90 <= position.lat <= 90:
        raise BadUserInput("position.lat", "use -90 to 90 degrees")
    if not -180 <= position.lng <= 180:
        raise BadUserInput("position.lng", "use -180 to 180 degrees")
    step = Decimal("0.000001")
    return Decimal(str(position.lat)).quantize(step), Decimal(str(position.lng)).quantize(step)


def _aware(value: dt.datetime, field: str) -> dt.datetime:
    if value.tzinfo is None:
        raise BadUserInput(field, "give a time zone (for example 2026-12-01T09:00:00+01:00)")
    if value > now_utc() + SKEW:
        raise BadUserInput(field, "cannot be in the future")
    return value


@strawberry.type
class TimesheetMutation:
    @strawberry.mutation(
        description="Clock in at a site (TECHNICIAN, for themselves), optionally for one of "
        "their appointments there. CONFLICT while an entry is still open.",
        extensions=permitted(TECHNICIANS_ONLY),
    )
    async def clock_in(
        self,
        info: ContextInfo,
        site_id: strawberry.ID,
        appointment_id: strawberry.ID | None = None,
        position: PositionInput | None = None,
    ) -> TimesheetEntry:
        context = info.context
        scope = context.rows.scope
        principal = _staff(info)
        site = ids.decode("Site", site_id)
        client_id = await actions.site_client(context.db, scope, site) if site else None
        if site is None or client_id is None:
            raise BadUserInput("siteId", "names no site")
        visit_id = None
        if appointment_id is not None:
            visit_id = ids.decode("Appointment", appointment_id)
            visit = await actions.intervention_of(context.db, scope, visit_id) if visit_id else None
            if visit is None or visit.technician_id != principal.user_id:
                raise BadUserInput("appointmentId", "names no appointment of yours")
            if visit.site_id != site:
                raise BadUserInput("appointmentId", "is at another site")
        lat, lng = _position(position)
        await actions.lock_technician(context.db, scope, principal.user_id)
        if await actions.open_entry(context.db, scope, principal.user_id) is not None:
            raise Conflict("You are already clocked in; clock out first.")
        values = {
            "organization_id": scope.organization_id,
            "client_id": client_id,
            "site_id": site,
            "technician_id": principal.user_id,
            "intervention_id": visit_id,
            "clock_in": now_utc(),
            "source": m.ClockSource.APP.value,
            "lat": lat,
            "lng": lng,
        }
        entry_id = await actions.insert_entry(context.db, values)
        await audited.record(context, "clocked_in", "TimesheetEntry", entry_id)
        return await _answer(info, entry_id)

    @strawberry.mutation(
        description="Clock out of the open entry (TECHNICIAN, for themselves). CONFLICT when "
        "none is open.",
        extensions=permitted(TECHNICIANS_ONLY),
    )
    async def clock_out(self, info: ContextInfo) -> TimesheetEntry:
        context = info.context
        scope = context.rows.scope
        principal = _staff(info)
        await actions.lock_technician(context.db, scope, principal.user_id)
        entry = await actions.open_entry(context.db, scope, principal.user_id)
        if entry is None:
            raise Conflict("You are not clocked in; clock in first.")
        now = now_utc()
        if now <= entry.clock_in:
            raise BadUserInput("clockOut", "a clock-out comes after its clock-in")
        await actions.update_entry(context.db, entry.id, {"clock_out": now})
        await audited.record(context, "clocked_out", "TimesheetEntry", entry.id)
        return await _answer(info, entry.id)

    @strawberry.mutation(
        description="Correct a timesheet entry's times (ADMIN, OFFICE), saying why; the audit "
        "trail keeps the old and new times and the reason.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def correct_timesheet_entry(
        self,
        info: ContextInfo,
        id: strawberry.ID,
        clock_in: dt.datetime,
        clock_out: dt.datetime,
        reason: str,
    ) -> TimesheetEntry:
        context = info.context
        current = await changes.locked(
            context, m.TimesheetEntry, "TimesheetEntry", id, "timesheet entry"
        )
        why = reason.strip()
        if not why or len(why) > MAX_REASON:
            raise BadUserInput("reason", f"say why, in 1 to {MAX_REASON} characters")
        start = _aware(clock_in, "clockIn")
        end = _aware(clock_out, "clockOut")
        if end <= start:
            raise BadUserInput("clockOut", "a clock-out comes after its clock-in")
        before = dict(current._mapping)
        values = {k: v for k, v in {"clock_in": start, "clock_out": end}.items() if before[k] != v}
        if values:
            await actions.update_entry(context.db, current.id, values)
            details = audit.change_details(before, values) | {"reason": why}
            await audited.record(
                context, "timesheet_entry_corrected", "TimesheetEntry", current.id, details
            )
        return await _answer(info, current.id)
