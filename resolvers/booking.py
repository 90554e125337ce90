"""The planning assistant's slots (and, with the appointment types, booking)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import Info

from authz.policy import BOOKING_SLOTS
from db import planner as planning
from db.queries import planning as inputs
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput, NotFound
from schema.kit.permissions import permitted
from schema.planning import Slot
from sportello.base.clock import now_utc

ContextInfo = Info[Context, None]

MAX_SLOTS = 50
MAX_PERIOD = dt.timedelta(days=31)


def to_slot(slot: planning.Slot) -> Slot:
    return Slot(
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        technician_name=slot.technician_name,
        added_travel_minutes=slot.added_travel_minutes,
        travel_before_minutes=slot.travel_before_minutes,
        travel_after_minutes=slot.travel_after_minutes,
        comes_from=slot.comes_from,
        goes_to=slot.goes_to,
    )


async def bookable(
    info: ContextInfo, site: strawberry.ID, activity_type: strawberry.ID, field: str
) -> inputs.PlanningInput:
    """What booking ``activity_type`` at ``site`` takes; NOT_FOUND when the caller cannot see
    either, refused naming ``field`` when a contact asks for an activity not bookable online."""
    context = info.context
    scope = context.rows.scope
    site_id = ids.decode("Site", site)
    activity_id = ids.decode("ActivityType", activity_type)
    found = (
        await inputs.planning_input(context.db, scope, site_id, activity_id)
        if site_id is not None and activity_id is not None
        else None
    )
    if found is None:
        raise NotFound("site or activity type")
    if scope.restricted and not found.portal_bookable:
        raise BadUserInput(field, "this activity cannot be booked on the portal")
    return found


async def find(
    info: ContextInfo,
    site: strawberry.ID,
    activity_type: strawberry.ID,
    start: dt.datetime,
    end: dt.datetime,
    first: int,
) -> list[Slot]:
    context = info.context
    scope = context.rows.scope
    if not 1 <= first <= MAX_SLOTS:
        raise BadUserInput("first", f"must be between 1 and {MAX_SLOTS}")
    if start.tzinfo is None or end.tzinfo is None:
        raise BadUserInput("from", "give a time zone (for example 2026-12-01T08:00:00+01:00)")
    if end <= start:
        raise BadUserInput("to", "must be after from")
    if end - start > MAX_PERIOD:
        raise BadUserInput("to", "ask for at most 31 days at a time")
    found = await bookable(info, site, activity_type, "activityType")
    now = now_utc()
    earliest = max(start, now + found.min_lead)
    latest = min(end, now + found.horizon)
    if latest < earliest:
        return []
    technicians = await inputs.technicians(
        context.db,
        scope.organization_id,
        found.activity_type_id,
        earliest,
        latest + found.duration,
        found.zone,
    )
    slots = planning.find_slots(
        technicians, found.site, found.duration, earliest, latest, found.travel, first
    )
    return [to_slot(slot) for slot in slots]


@strawberry.type
class BookingQuery:
    @strawberry.field(
        description="Free slots for an activity at a site: least added travel first, then "
        "soonest. Only between the organization's minimum lead time and booking horizon.",
        extensions=permitted(BOOKING_SLOTS),
    )
    async def available_slots(
        self,
        info: ContextInfo,
        site: strawberry.ID,
        activity_type: strawberry.ID,
        from_: Annotated[dt.datetime, strawberry.argument(name="from")],
        to: dt.datetime,
        first: int = 10,
    ) -> list[Slot]:
        return await find(info, site, activity_type, from_, to, first)
