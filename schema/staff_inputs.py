"""Inputs of the staff mutations on staff users, their week, absences and skills
(resolvers/staff_actions.py).

Create inputs name what a new staff user needs, and the checks of the plain fields below
name the GraphQL field they refuse. In an update a text left out (null) stays as
it is and an optional text given as "" is cleared; the numbers (home base, weekly hours) stay
when left out and are cleared by an explicit null, since a number has no empty value.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import strawberry

from schema.kit.errors import BadUserInput
from schema.staff import StaffRole

MAX_WEEKLY_HOURS = 80
TENTHS = Decimal("0.1")
# A week's working spans: more than any real week, few enough for one small statement.
MAX_SPANS = 28
# One working span: (weekday, start, end), Monday being 0.
Span = tuple[int, dt.time, dt.time]

HOME = (
    "Where the technician's day starts and ends (from the caller's geocoder): give both "
    "homeLat (-90 to 90) and homeLng (-180 to 180), or neither; kept to 6 decimal places."
)


@strawberry.input(description="A new staff user; they get an email to choose their password.")
class CreateStaffUserInput:
    first_name: str = strawberry.field(description="At most 100 characters.")
    last_name: str = strawberry.field(description="At most 100 characters.")
    email: str = strawberry.field(
        description="Their login; unique in the organization (whatever the case)."
    )
    role: StaffRole = strawberry.field(description="OFFICE staff create technicians only.")
    phone: str | None = strawberry.field(default=None, description="At most 40 characters.")
    locale: str | None = strawberry.field(
        default=None, description="it, es or en; left out, the organization's."
    )
    home_lat: Decimal | None = strawberry.field(default=None, description=HOME)
    home_lng: Decimal | None = None
    weekly_hours: Decimal | None = strawberry.field(
        default=None, description="Contracted hours, 0 to 80, kept to one decimal place."
    )


@strawberry.input(description="Changes to a staff user; a field left out stays as it is.")
class UpdateStaffUserInput:
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    role: StaffRole | None = strawberry.field(
        default=None, description="ADMIN only; nobody changes their own role."
    )
    phone: str | None = strawberry.field(default=None, description='"" clears it.')
    locale: str | None = strawberry.field(
        default=None, description='"" clears it (the organization\'s applies).'
    )
    home_lat: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description=HOME + " null and null clear it."
    )
    home_lng: Decimal | None = strawberry.UNSET
    weekly_hours: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="null clears it."
    )


@strawberry.input(description="One working span of a technician's week, in local time.")
class WorkingHoursInput:
    weekday: int = strawberry.field(description="Monday is 0, Sunday 6 (as workingHours reads).")
    starts_at: dt.time
    ends_at: dt.time = strawberry.field(description="After startsAt, the same day.")


@strawberry.input(description="A period in which a technician cannot be planned.")
class AbsenceInput:
    starts_at: dt.datetime = strawberry.field(description="With a time zone.")
    ends_at: dt.datetime = strawberry.field(description="With a time zone, after startsAt.")
    reason: str = strawberry.field(
        default="", description="Holiday, sickness, training...; at most 200 characters."
    )


def checked_number(
    field: str, value: Decimal | None, low: int, high: int, places: Decimal
) -> Decimal | None:
    """``value`` within [low, high], rounded to ``places``; None stays None (clears)."""
    if value is None:
        return None
    if not value.is_finite() or not low <= value <= high:
        raise BadUserInput(field, f"use a number from {low} to {high}")
    return value.quantize(places, rounding=ROUND_HALF_EVEN)


def week(hours: Sequence[WorkingHoursInput]) -> list[Span]:
    """The spans by weekday and start, checked: each ends after it starts, and no two of a
    day overlap (one may start where another ends)."""
    if len(hours) > MAX_SPANS:
        raise BadUserInput("hours", f"give at most {MAX_SPANS} spans")
    spans = []
    for index, span in enumerate(hours):
        where = f"(hours[{index}])"
        if not 0 <= span.weekday <= 6:
            raise BadUserInput("weekday", f"use 0 (Monday) to 6 (Sunday) {where}")
        for field, moment in (("startsAt", span.starts_at), ("endsAt", span.ends_at)):
            if moment.tzinfo is not None:
                raise BadUserInput(field, f"give the local time without an offset {where}")
        if span.ends_at <= span.starts_at:
            raise BadUserInput("endsAt", f"must be after startsAt {where}")
        spans.append((span.weekday, span.starts_at, span.ends_at, index))
    spans.sort()
    for earlier, later in itertools.pairwise(spans):
        if earlier[0] == later[0] and later[1] < earlier[2]:
            message = f"hours[{later[3]}] overlaps hours[{earlier[3]}] on the same weekday"
            raise BadUserInput("startsAt", message)
    return [(day, start, end) for day, start, end, _ in spans]


def recorded_week(spans: Sequence[Span]) -> list[dict[str, Any]]:
    """A week as its audit event keeps it."""
    return [
        {"weekday": day, "startsAt": start.isoformat(), "endsAt": end.isoformat()}
        for day, start, end in spans
    ]
