"""Root fields for timesheet entries; the technician filter is a staff-only field of its own."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import Info

from authz.policy import READERS
from authz.rules import STAFF_ONLY
from db.queries import timesheets as queries
from resolvers.kit.filters import owned_by
from resolvers.kit.roots import listing
from schema.kit.context import Context
from schema.kit.ids import filter_id
from schema.kit.periods import check_period
from schema.kit.permissions import permitted
from schema.kit.relay import Connection, page_request
from schema.timesheets import TimesheetEntry

ContextInfo = Info[Context, None]

ClockedFrom = Annotated[
    dt.datetime | None, strawberry.argument(name="from", description="Clocked in at or after this.")
]
ClockedBefore = Annotated[
    dt.datetime | None, strawberry.argument(name="to", description="Clocked in before this time.")
]


async def _entries(
    info: ContextInfo,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    where: queries.TimesheetFilter,
) -> Connection[TimesheetEntry]:
    check_period(where.since, where.until)
    request = page_request(first, after, last, before)
    return await listing(
        info, TimesheetEntry, queries.entry_page, queries.entry_count, request, where
    )


@strawberry.type
class TimesheetQuery:
    @strawberry.field(
        description="Timesheet entries the caller may see, by clock-in; from/to bound the "
        "clock-in.",
        extensions=permitted(READERS),
    )
    async def timesheet_entries(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        site_id: strawberry.ID | None = None,
        client_id: strawberry.ID | None = None,
        since: ClockedFrom = None,
        until: ClockedBefore = None,
    ) -> Connection[TimesheetEntry]:
        where = queries.TimesheetFilter(
            **owned_by(site_id, client_id),
            since=since,
            until=until,
        )
        return await _entries(info, first, after, last, before, where)

    @strawberry.field(
        description="One technician's timesheet entries, by clock-in (staff).",
        extensions=permitted(STAFF_ONLY),
    )
    async def technician_timesheet_entries(
        self,
        info: ContextInfo,
        technician_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        site_id: strawberry.ID | None = None,
        client_id: strawberry.ID | None = None,
        since: ClockedFrom = None,
        until: ClockedBefore = None,
    ) -> Connection[TimesheetEntry]:
        where = queries.TimesheetFilter(
            **owned_by(site_id, client_id),
            technician_id=filter_id("StaffUser", technician_id),
            since=since,
            until=until,
        )
        return await _entries(info, first, after, last, before, where)
