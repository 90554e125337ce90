"""Root fields for revisions (contacts: performed ones and the next one of each site)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import Info

from db.queries import revisions as queries
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.ids import filter_id
from schema.kit.periods import check_period
from schema.kit.relay import Connection, page_request, paged
from schema.revisions import Revision, RevisionResult

ContextInfo = Info[Context, None]
DueFrom = Annotated[
    dt.date | None,
    strawberry.argument(name="from", description="Due in the month of this day or later."),
]
DueTo = Annotated[
    dt.date | None, strawberry.argument(name="to", description="Due on or before this day.")
]


@strawberry.type
class RevisionQuery:
    @strawberry.field(description="Revisions the caller may see, latest due month first.")
    async def revisions(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        site_id: strawberry.ID | None = None,
        client_id: strawberry.ID | None = None,
        since: DueFrom = None,
        until: DueTo = None,
        result: RevisionResult | None = None,
    ) -> Connection[Revision]:
        check_period(since, until)
        context = info.context
        scope = context.rows.scope
        request = page_request(first, after, last, before)
        filters = {
            "site_id": filter_id("Site", site_id),
            "client_id": filter_id("Client", client_id),
            "start": since,
            "end": until,
            "result": result.value if result is not None else None,
        }
        return await paged(
            lambda: queries.revision_page(context.db, scope, request, **filters),
            Revision.from_row,
            lambda: queries.revision_count(context.db, scope, **filters),
        )

    @strawberry.field(description="One revision; null when it does not exist or is not visible.")
    async def revision(self, info: ContextInfo, id: strawberry.ID) -> Revision | None:
        row_id = ids.decode("Revision", id)
        if row_id is None:
            return None
        row = await info.context.rows.by_id(queries.revisions_by_id).load(row_id)
        return Revision.from_row(row) if row is not None else None
