"""Root fields for work sheets."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import Info

from authz.policy import READERS
from db.queries import worksheets as queries
from resolvers.kit.filters import owned_by, values_of
from resolvers.kit.roots import listing, lookup, one_by_id
from schema.kit.context import Context
from schema.kit.periods import check_period
from schema.kit.permissions import permitted
from schema.kit.relay import Connection, page_request
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
        description="Work sheets the caller may see, newest first; from/to are inclusive dates.",
        extensions=permitted(READERS),
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
        where = queries.WorkSheetFilter(
            **owned_by(site_id, client_id),
            since=since,
            until=until,
            statuses=values_of(status),
        )
        request = page_request(first, after, last, before)
        return await listing(
            info, WorkSheet, queries.work_sheet_page, queries.work_sheet_count, request, where
        )

    @strawberry.field(
        description="One work sheet; null when it does not exist or is not visible.",
        metadata=one_by_id(WorkSheet),
        extensions=permitted(READERS),
    )
    async def work_sheet(self, info: ContextInfo, id: strawberry.ID) -> WorkSheet | None:
        return await lookup(info, WorkSheet, id)
