"""The query parameters of the list exports, read and checked like the GraphQL arguments they
are named after, and the filtered statements built from them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from authz.scope import RowScope
from db.queries import appointments, billing, revisions, timesheets, worksheets
from schema.activity_types import AppointmentStatus
from schema.kit.errors import BadUserInput
from schema.kit.periods import Moment, OutOfCalendar, in_calendar, parse_month
from schema.revisions import RevisionResult
from schema.worksheets import WorkSheetStatus
from sportello.exports.base import ExportInputError, global_id

# Reads one argument by name: date, time, utc_time.
Reader = Callable[[Mapping[str, str], str], Any]
Filter = TypeVar("Filter")


def choices_of(params: Mapping[str, str], name: str, choices: Any) -> tuple[str, ...] | None:
    """An enum list argument, comma-separated (``status=OPEN,IN_PROGRESS``); None when absent."""
    value = params.get(name)
    if value is None:
        return None
    members = tuple(part.strip() for part in value.split(","))
    for member in members:
        if member not in choices.__members__:
            raise ExportInputError(name, f"use one or more of {', '.join(choices.__members__)}")
    return tuple(str(choices[member].value) for member in members)


def choice_of(params: Mapping[str, str], name: str, choices: Any) -> str | None:
    """A single enum argument; None when absent."""
    given = choices_of(params, name, choices)
    if given is not None and len(given) != 1:
        raise ExportInputError(name, "give one value")
    return given[0] if given is not None else None


def date(params: Mapping[str, str], name: str) -> dt.date | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ExportInputError(name, "give a day as YYYY-MM-DD") from None
    return within(day, name)


def within(value: Moment, name: str) -> Moment:
    """``value`` when its day is within the calendar a caller may use (schema/kit/periods.py)."""
    try:
        return in_calendar(value)
    except OutOfCalendar as outside:
        raise ExportInputError(name, str(outside)) from None


def time(params: Mapping[str, str], name: str, *, naive_is_utc: bool = False) -> dt.datetime | None:
    """A time with its offset; without one it is refused, or read as UTC if ``naive_is_utc``."""
    value = params.get(name)
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is not None and moment.tzinfo is None and naive_is_utc:
        moment = moment.replace(tzinfo=dt.UTC)
    if moment is None or moment.utcoffset() is None:
        raise ExportInputError(name, "give a time with its offset, as 2026-11-23T08:00:00+01:00")
    return within(moment, name)


def utc_time(params: Mapping[str, str], name: str) -> dt.datetime | None:
    """A time, read as UTC when it has no offset: what the audit trail's ``from`` and ``to``
    take (resolvers/audit.py says why)."""
    return time(params, name, naive_is_utc=True)


def month(params: Mapping[str, str]) -> dt.date:
    """The required ``month`` (YYYY-MM) of the portal bill, as its first day."""
    value = params.get("month")
    if value is None:
        raise ExportInputError("month", "is required (YYYY-MM)")
    try:
        return parse_month(value, "month")
    except BadUserInput as refused:
        raise ExportInputError("month", refused.message.removeprefix("month: ")) from None


def flag(params: Mapping[str, str], name: str) -> bool | None:
    """A Boolean argument (``true`` or ``false``, also ``1`` or ``0``); None when absent."""
    value = params.get(name)
    if value is None:
        return None
    if value.lower() not in FLAGS:
        raise ExportInputError(name, "use true or false")
    return FLAGS[value.lower()]


FLAGS = {"true": True, "1": True, "false": False, "0": False}


def span(params: Mapping[str, str], read: Reader) -> Any:
    """The ``from``/``to`` period of a list, refused when it ends before it starts."""
    since, until = read(params, "from"), read(params, "to")
    if since is not None and until is not None and until < since:
        raise ExportInputError("to", "must not be before from")
    return since, until


def site(params: Mapping[str, str]) -> uuid.UUID | None:
    return global_id(params, "siteId", "Site")


def client(params: Mapping[str, str]) -> uuid.UUID | None:
    return global_id(params, "clientId", "Client")


def bill_filter(params: Mapping[str, str], statuses: Any) -> billing.BillFilter:
    since, until = span(params, date)
    return billing.BillFilter(
        site_id=site(params),
        client_id=client(params),
        issued_from=since,
        issued_to=until,
        statuses=choices_of(params, "status", statuses),
    )


def dated(
    make: Callable[..., Filter], p: Mapping[str, str], read: Reader, statuses: Any = None
) -> Filter:
    """The filter ``make`` builds of a dated list's arguments: site, client, the ``from``/``to``
    period read by ``read`` and, when the list has them, the ``status`` choices of ``statuses``."""
    since, until = span(p, read)
    chosen = {} if statuses is None else {"statuses": choices_of(p, "status", statuses)}
    return make(site_id=site(p), client_id=client(p), since=since, until=until, **chosen)


def appointments_of(scope: RowScope, p: Mapping[str, str]) -> Any:
    where = dated(appointments.AppointmentFilter, p, time, AppointmentStatus)
    return appointments.appointments_statement(scope, where)


def work_sheets_of(scope: RowScope, p: Mapping[str, str]) -> Any:
    where = dated(worksheets.WorkSheetFilter, p, date, WorkSheetStatus)
    return worksheets.work_sheets_statement(scope, where)


def entries_of(scope: RowScope, p: Mapping[str, str]) -> Any:
    return timesheets.entries_statement(scope, dated(timesheets.TimesheetFilter, p, time))


def revisions_of(scope: RowScope, p: Mapping[str, str]) -> Any:
    start, end = span(p, date)
    result = choice_of(p, "result", RevisionResult)
    return revisions.revisions_statement(
        scope, site_id=site(p), client_id=client(p), start=start, end=end, result=result
    )
