"""Root fields for work sheets."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import Info

from db.queries import worksheets as queries
from resolvers.filters import values_of
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.ids import filter_id
from schema.kit.periods import check_period
from schema.kit.relay import Connection, page_request, paged
from schema.worksheets import WorkSheet, WorkSheetStatus

ContextInfo = Info[Context, None]

DoneFrom = Annotated[
    dt.date | None, strawberry.argument(name="from", description="Work done on or after this day.")
]
DoneTo = Annotated[
    dt.date | None, strawberry.argument(name="to", description="Work done on or before this day.")
]


@strawberry.type
class WorkSheetQuery:
    @strawberry.field(
        description="Work sheets the caller may see, newest first; from/to are inclusive dates."
    )
    async def work_sheets(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        site_id: strawberry.ID | None = None,
        client_id: strawberry.ID | None = None,
        since: DoneFrom = None,
        until: DoneTo = None,
        status: list[WorkSheetStatus] | None = None,
    ) -> Connection[WorkSheet]:
        check_period(since, until)
        context = info.context
        scope = context.rows.scope
        request = page_request(first, after, last, before)
        where = queries.WorkSheetFilter(
            site_id=filter_id("Site", site_id),
            client_id=filter_id("Client", client_id),
            since=since,
            until=until,
            statuses=values_of(status),
        )
        return await paged(
            lambda: queries.work_sheet_page(context.db, scope, request, where),
            WorkSheet.from_row,
            lambda: queries.work_sheet_count(context.db, scope, where),
        )

    @strawberry.field(description="One work sheet; null when it does not exist or is not visible.")
    async def work_sheet(self, info: ContextInfo, id: strawberry.ID) -> WorkSheet | None:
        row_id = ids.decode("WorkSheet", id)
        if row_id is None:
            return None
        row = await info.context.rows.by_id(queries.work_sheets_by_id).load(row_id)
        return WorkSheet.from_row(row) if row is not None else None
