"""Root fields for revisions (contacts: performed ones and the next one of each site)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import Info

from authz.policy import READERS
from db.queries import revisions as queries
from resolvers.kit.filters import owned_by
from resolvers.kit.roots import listing, lookup, one_by_id
from schema.kit.context import Context
from schema.kit.periods import check_period
from schema.kit.permissions import permitted
from schema.kit.relay import Connection, page_request
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
    @strawberry.field(
        description="Revisions the caller may see, latest due month first.",
        extensions=permitted(READERS),
    )
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
        filters = {
            **owned_by(site_id, client_id),
            "start": since,
            "end": until,
            "result": result.value if result is not None else None,
        }
        request = page_request(first, after, last, before)
        return await listing(
            info, Revision, queries.revision_page, queries.revision_count, request, **filters
        )

    @strawberry.field(
        description="One revision; null when it does not exist or is not visible.",
        metadata=one_by_id(Revision),
        extensions=permitted(READERS),
    )
    async def revision(self, info: ContextInfo, id: strawberry.ID) -> Revision | None:
        return await lookup(info, Revision, id)
