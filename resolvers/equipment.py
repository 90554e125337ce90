"""Root fields for equipment."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from db.queries import equipment as queries
from schema.equipment import Equipment
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.ids import filter_id
from schema.kit.relay import Connection, page_request, paged

ContextInfo = Info[Context, None]
Search = Annotated[
    str | None,
    strawberry.argument(description="Part of the kind, model, serial number or location."),
]


@strawberry.type
class EquipmentQuery:
    @strawberry.field(description="Equipment the caller may see, by kind.")
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
        context = info.context
        scope = context.rows.scope
        request = page_request(first, after, last, before)
        filters = {
            "site_id": filter_id("Site", site_id),
            "client_id": filter_id("Client", client_id),
            "kind": kind,
            "search": search,
        }
        return await paged(
            lambda: queries.equipment_page(context.db, scope, request, **filters),
            Equipment.from_row,
            lambda: queries.equipment_count(context.db, scope, **filters),
        )

    @strawberry.field(description="One piece of equipment; null when missing or not visible.")
    async def equipment_item(self, info: ContextInfo, id: strawberry.ID) -> Equipment | None:
        row_id = ids.decode("Equipment", id)
        if row_id is None:
            return None
        row = await info.context.rows.by_id(queries.equipment_by_id).load(row_id)
        return Equipment.from_row(row) if row is not None else None
