"""``node(id:)``: any record by its global id, within the caller's view and row scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry import Info

from db.loaders import ById
from db.queries import clients
from schema import ids
from schema.clients import Client, Site
from schema.context import Context
from schema.relay import Node

ContextInfo = Info[Context, None]

# Global id type name -> how to load the row and build the object.
NODES: dict[str, tuple[ById, Callable[[Any], Node]]] = {
    "Client": (clients.clients_by_id, Client.from_row),
    "Site": (clients.sites_by_id, Site.from_row),
}


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any record by its id; null when missing or not visible.")
    async def node(self, info: ContextInfo, id: strawberry.ID) -> Node | None:
        parsed = ids.parse(id)
        if parsed is None:
            return None
        type_name, row_id = parsed
        known = NODES.get(type_name)
        # A type left out of the caller's view is a type that does not exist for it.
        if known is None or info.schema.get_type_by_name(type_name) is None:
            return None
        fetch, build = known
        row = await info.context.rows.by_id(fetch).load(row_id)
        return build(row) if row is not None else None
