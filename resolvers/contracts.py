"""Root fields for contracts (contacts: only with can_view_contracts)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import Info

from db.queries import contracts as queries
from schema.contracts import Contract
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.ids import filter_id
from schema.kit.relay import Connection, page_request, paged

ContextInfo = Info[Context, None]
ExpiringBefore = Annotated[
    dt.date | None, strawberry.argument(description="Only contracts expiring before this day.")
]


@strawberry.type
class ContractQuery:
    @strawberry.field(description="Contracts the caller may see, soonest expiry first.")
    async def contracts(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        site_id: strawberry.ID | None = None,
        client_id: strawberry.ID | None = None,
        expiring_before: ExpiringBefore = None,
    ) -> Connection[Contract]:
        context = info.context
        scope = context.rows.scope
        request = page_request(first, after, last, before)
        where = queries.ContractFilter(
            site_id=filter_id("Site", site_id),
            client_id=filter_id("Client", client_id),
            expiring_before=expiring_before,
        )
        return await paged(
            lambda: queries.contract_page(context.db, scope, request, where),
            Contract.from_row,
            lambda: queries.contract_count(context.db, scope, where),
        )

    @strawberry.field(description="One contract; null when it does not exist or is not visible.")
    async def contract(self, info: ContextInfo, id: strawberry.ID) -> Contract | None:
        row_id = ids.decode("Contract", id)
        if row_id is None:
            return None
        row = await info.context.rows.by_id(queries.contracts_by_id).load(row_id)
        return Contract.from_row(row) if row is not None else None
