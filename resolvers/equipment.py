"""Root fields for equipment."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from authz.policy import READERS
from db.queries import equipment as queries
from resolvers.kit.filters import owned_by
from resolvers.kit.roots import listing, lookup, one_by_id
from schema.equipment import Equipment
from schema.kit.context import Context
from schema.kit.permissions import permitted
from schema.kit.relay import Connection, page_request

ContextInfo = Info[Context, None]
Search = Annotated[
    str | None,
    strawberry.argument(description="Part of the kind, model, serial number or location."),
]


@strawberry.type
class EquipmentQuery:
    @strawberry.field(
        description="Equipment the caller may see, by kind.", extensions=permitted(READERS)
    )
    async def equipment(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        site_id: strawberry.ID | None = None,
        client_id: strawberry.ID | None = None,
        kind: str | None = None,
        search: Search = None,
    ) -> Connection[Equipment]:
        filters = {
            **owned_by(site_id, client_id),
            "kind": kind,
            "search": search,
        }
        request = page_request(first, after, last, before)
        return await listing(
            info, Equipment, queries.equipment_page, queries.equipment_count, request, **filters
        )

    @strawberry.field(
        description="One piece of equipment; null when missing or not visible.",
        metadata=one_by_id(Equipment),
        extensions=permitted(READERS),
    )
    async def equipment_item(self, info: ContextInfo, id: strawberry.ID) -> Equipment | None:
        return await lookup(info, Equipment, id)
