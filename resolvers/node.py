"""``node(id:)``: any record by its global id, within the caller's view and row scope.

The types come from the schema being run: any type of it that implements Node and names its
by-id query (``by_id``) is found, with no list to keep here.
"""

from __future__ import annotations

import strawberry
from strawberry import Info
from strawberry.schema.base import BaseSchema
from strawberry.types.base import StrawberryObjectDefinition

from authz.policy import READERS
from resolvers.kit.roots import load
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.permissions import permitted
from schema.kit.relay import Node

ContextInfo = Info[Context, None]


def node_type(schema: BaseSchema, type_name: str) -> type[Node] | None:
    """The type ``type_name`` of ``schema`` when it implements Node; None otherwise (a type
    left out of the caller's view is a type that does not exist for it)."""
    definition = schema.get_type_by_name(type_name)
    if not isinstance(definition, StrawberryObjectDefinition) or definition.is_interface:
        return None
    origin = definition.origin
    return origin if isinstance(origin, type) and issubclass(origin, Node) else None


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="Any record by its id; null when missing or not visible.",
        extensions=permitted(READERS),
    )
    async def node(self, info: ContextInfo, id: strawberry.ID) -> Node | None:
        parsed = ids.parse(id)
        if parsed is None:
            return None
        type_name, row_id = parsed
        found = node_type(info.schema, type_name)
        return await load(info, found, row_id) if found is not None else None
