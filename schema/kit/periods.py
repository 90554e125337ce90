"""Days and times a caller may give, and the ``from``/``to`` period arguments of lists:
checked once, errors naming the argument.

The calendar a caller may use runs from FIRST_DAY to LAST_DAY. Python's own (years 1 to 9999)
ends where a time zone or a day added runs over it: ``9999-12-31T23:59:59-12:00`` in UTC,
``0001-01-01T00:00:00+14:00`` likewise, the day after a report's last day in year 9999, the
month after December 9999. Every Date and DateTime argument and input field goes through the
DATE and DATETIME scalars below (schema/kit/views.py), the exports and ``portalBill(month:)``
through :func:`in_calendar` and :func:`parse_month`, so a day outside is BAD_USER_INPUT naming
the argument before any arithmetic or SQL, never an OverflowError.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, TypeVar

import strawberry
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

from schema.kit.errors import BadUserInput
from schema.kit.input_faults import RefusedValue

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(9000, 12, 31)


class OutOfCalendar(RefusedValue):
    """A day or time before FIRST_DAY or after LAST_DAY."""

    def __init__(self) -> None:
        super().__init__(f"use a day between {FIRST_DAY} and {LAST_DAY}")


Moment = TypeVar("Moment", dt.datetime, dt.date)


def in_calendar(value: Moment) -> Moment:
    """``value`` itself when its day (local and, for a time with an offset, in UTC) is within
    the calendar; OutOfCalendar otherwise."""
    days = [value.date() if isinstance(value, dt.datetime) else value]
    if isinstance(value, dt.datetime) and value.utcoffset() is not None:
        if not FIRST_DAY.year <= value.year <= LAST_DAY.year:
            raise OutOfCalendar  # before converting: year 1 at +14:00 has no UTC in Python
        days.append(value.astimezone(dt.UTC).date())
    if any(not FIRST_DAY <= day <= LAST_DAY for day in days):
        raise OutOfCalendar
    return value


def parse_month(text: str, name: str) -> dt.date:
    """The first day of the month ``YYYY-MM`` given as argument ``name``; BadUserInput."""
    try:
        first = dt.date.fromisoformat(f"{text}-01") if len(text) == 7 else None
    except ValueError:
        first = None
    if first is None:
        raise BadUserInput(name, "use the form YYYY-MM")
    try:
        return in_calendar(first)
    except OutOfCalendar as outside:
        raise BadUserInput(name, str(outside)) from None


def _bounded(definition: ScalarDefinition) -> ScalarDefinition:
    """Strawberry's scalar of the same name and description (the SDL does not change),
    parsing as it does, then refusing a day outside the calendar."""
    parse = definition.parse_value
    assert parse is not None

    def parse_value(value: object) -> object:
        parsed = parse(value)
        assert isinstance(parsed, dt.date)
        return in_calendar(parsed)

    return ScalarDefinition(
        name=definition.name,
        description=definition.description,
        specified_by_url=definition.specified_by_url,
        serialize=definition.serialize,
        parse_value=parse_value,
        parse_literal=None,
        origin=definition.origin,
    )


DATE = _bounded(DateDefinition)
DATETIME = _bounded(DateTimeDefinition)
# What schema/kit/views.py gives Strawberry for Python's date and datetime.
CALENDAR_SCALARS: dict[object, ScalarDefinition] = {dt.date: DATE, dt.datetime: DATETIME}


def check_period(
    since: Moment | None, until: Moment | None, *, max_days: int | None = None
) -> None:
    """Refuse times without a UTC offset, a period ending before it starts, or (with
    ``max_days``) one longer than that; the error names ``from`` or ``to``."""
    for name, value in (("from", since), ("to", until)):
        if isinstance(value, dt.datetime) and value.utcoffset() is None:
            raise BadUserInput(name, "give a UTC offset, e.g. 2026-11-23T08:00:00+01:00")
    if since is None or until is None:
        return
    if until < since:
        raise BadUserInput("to", "must not be before from")
    if max_days is not None and until - since > dt.timedelta(days=max_days):
        raise BadUserInput("to", f"the period may span at most {max_days} days")


# Period arguments (``from`` is a Python keyword): a start and an end time, each optional.
Since = Annotated[
    dt.datetime | None, strawberry.argument(name="from", description="At or after this time.")
]
Until = Annotated[
    dt.datetime | None, strawberry.argument(name="to", description="Before this time.")
]
