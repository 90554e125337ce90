"""Root fields for contracts (contacts: only with can_view_contracts)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import Info

from authz.policy import CONTRACT_LISTS
from db.queries import contracts as queries
from resolvers.kit.filters import owned_by
from resolvers.kit.roots import listing, lookup, one_by_id
from schema.contracts import Contract
from schema.kit.context import Context
from schema.kit.permissions import permitted
from schema.kit.relay import Connection, page_request

ContextInfo = Info[Context, None]
ExpiringBefore = Annotated[
    dt.date | None, strawberry.argument(description="Only contracts expiring before this day.")
]


@strawberry.type
class ContractQuery:
    @strawberry.field(
        description="Contracts the caller may see, soonest expiry first.",
        extensions=permitted(CONTRACT_LISTS),
    )
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
        where = queries.ContractFilter(
            **owned_by(site_id, client_id),
            expiring_before=expiring_before,
        )
        request = page_request(first, after, last, before)
        return await listing(
            info, Contract, queries.contract_page, queries.contract_count, request, where
        )

    @strawberry.field(
        description="One contract; null when it does not exist or is not visible.",
        metadata=one_by_id(Contract),
        extensions=permitted(CONTRACT_LISTS),
    )
    async def contract(self, info: ContextInfo, id: strawberry.ID) -> Contract | None:
        return await lookup(info, Contract, id)
