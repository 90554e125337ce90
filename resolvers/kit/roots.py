"""The root fields every domain has: a list under the caller's row scope, and one record by id.

A domain's list field names its arguments (Strawberry reads them from its signature), builds
its filter and hands the rest to :func:`listing`; its "one by id" field is :func:`lookup`, and
``node(id:)`` loads through :func:`load` too, so a record reads the same wherever it is asked.

A "one by id" field declares itself for the read plans with ``metadata=one_by_id(Type)``
(schema/kit/declared.py): a plan reads the record with one statement of its own, where
Strawberry's executor calls the resolver, which loads through the request's loader.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from strawberry import Info
from strawberry.types.base import get_object_definition

from db.pagination import Page, PageRequest
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.declared import DECLARED
from schema.kit.relay import Connection, Node, paged

ContextInfo = Info[Context, None]
N = TypeVar("N", bound=Node)

# A domain's page and count statements: (db, scope, request, *filters) and (db, scope, *filters).
PageQuery = Callable[..., Awaitable[Page]]
CountQuery = Callable[..., Awaitable[int]]


async def listing(
    info: ContextInfo,
    node_type: type[N],
    page: PageQuery,
    count: CountQuery,
    request: PageRequest,
    *filters: Any,
    **named: Any,
) -> Connection[N]:
    """A page of ``node_type`` the caller may see; ``count`` runs only for totalCount."""
    context = info.context
    scope = context.rows.scope
    return await paged(
        lambda: page(context.db, scope, request, *filters, **named),
        node_type.from_row,
        lambda: count(context.db, scope, *filters, **named),
    )


def type_name(node_type: type[Node]) -> str:
    """The GraphQL name of a type, the one its global ids carry."""
    return get_object_definition(node_type, strict=True).name


async def load(info: ContextInfo, node_type: type[N], row_id: uuid.UUID) -> N | None:
    """The record ``row_id`` of ``node_type``; None when missing, out of the caller's scope
    or of a type not loadable by id."""
    if node_type.by_id is None:
        return None
    row = await info.context.rows.by_id(node_type.by_id).load(row_id)
    return node_type.from_row(row) if row is not None else None


async def lookup(info: ContextInfo, node_type: type[N], id: strawberry.ID) -> N | None:
    """The record of ``node_type`` with global id ``id``; None for a malformed id or one of
    another type, exactly as for a missing record."""
    row_id = ids.decode(type_name(node_type), id)
    return await load(info, node_type, row_id) if row_id is not None else None


class Lookup(Generic[N]):
    """A root field's record of ``node_type`` by its global id (argument ``id``), as a read
    plan loads it: decoded and read in one statement, straight on the connection."""

    computed = None

    def __init__(self, node_type: type[N]) -> None:
        self.node_type = node_type

    async def load(
        self, context: Context, sources: Sequence[Any], arguments: dict[str, Any], _: bool
    ) -> list[N | None]:
        node_type = self.node_type
        row_id = ids.decode(type_name(node_type), arguments["id"])
        found = None
        if row_id is not None and node_type.by_id is not None:
            (row,) = await node_type.by_id(context.db, context.rows.scope, [row_id])
            found = None if row is None else node_type.from_row(row)
        return [found] * len(sources)


def one_by_id(node_type: type[Node]) -> Mapping[str, Any]:
    """The metadata of a root field answering ``node_type``'s record by id with
    :func:`lookup`: its declaration for the read plans."""
    return {DECLARED: Lookup(node_type)}
