"""Fields resolved once per list: one call gives the value of every listed row.

A listed row's async field (a work sheet's ``documents``, a timesheet entry's ``site``) costs a
resolver call per row: Strawberry's wrapper, an ``Info``, the arguments converted, a page
request, a loader lookup and a future, a coroutine. Its arguments are the same for every row
of one list, and its loader batches the rows' keys into one statement anyway, so all of that
can be done once: a field declares a *batch form* in its metadata, ``many(info, sources,
**arguments) -> one value per source``, and the executor (schema/kit/execution.py) calls it once
for the rows of a list instead of the resolver per row. The resolver stays the field's
definition (arguments, type, description) and answers a row that is not in a list; written with
:meth:`Related.one` or :meth:`Children.one`, it runs the batch form for one source, so both ways
share one code path.

A batch form is used only where Strawberry would add nothing per row: a field with extensions
(permission classes included) or under exception handlers keeps its resolver per row. Its
``Info`` is the first row's (the field's nodes, arguments and context are the same for every
row; errors are still located per row by the executor). If it raises, every row's field
raises that error, exactly as each row's resolver would have.

Two batch forms cover Sportello's relations:

- :class:`Related`: the record a row points to (a timesheet entry's site), by id;
- :class:`Children`: a page of a row's children (a work sheet's documents), a connection each.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from strawberry import Info
from strawberry.types.field import StrawberryField

from db.scoped.loaders import ById, CountsOf, PagesOf
from schema.kit.context import Context
from schema.kit.nested import connections
from schema.kit.relay import Connection

S = TypeVar("S")
T = TypeVar("T")

ContextInfo = Info[Context, None]
Many = Callable[..., Awaitable[Sequence[Any]]]

# The key of a field's batch form in its Strawberry metadata.
BATCH = "sportello.batch"


def batch_form(definition: StrawberryField) -> Many | None:
    """The batch form ``definition`` declares, if Strawberry adds nothing to it per row."""
    many = definition.metadata.get(BATCH)
    if many is None or definition.extensions:
        return None
    return many  # type: ignore[no-any-return]


class Related(Generic[S, T]):
    """The record a row points to, loaded by id: ``fetch`` gives rows (None when missing or
    out of scope), ``key`` reads a source's id (None: no record), ``to_value`` builds the
    field's value from a row."""

    def __init__(
        self,
        fetch: ById,
        key: Callable[[S], uuid.UUID | None],
        to_value: Callable[[Any], T],
    ) -> None:
        self.fetch = fetch
        self.key = key
        self.to_value = to_value
        self.batch: Mapping[str, Many] = {BATCH: self.many}

    async def one(self, info: ContextInfo, source: S) -> T | None:
        return (await self.many(info, [source]))[0]

    async def many(self, info: ContextInfo, sources: Sequence[S]) -> list[T | None]:
        keys = [self.key(source) for source in sources]
        wanted = [key for key in keys if key is not None]
        found = await info.context.rows.by_id(self.fetch).load_all(wanted)
        rows = dict(zip(wanted, found, strict=True))
        to_value = self.to_value
        values: list[T | None] = []
        for key in keys:
            row = None if key is None else rows[key]
            values.append(None if row is None else to_value(row))
        return values


class Children(Generic[S, T]):
    """A page of each source's children, as a connection: ``lists`` are the statements of the
    pages and of their totals by parent id, ``key`` reads a source's id."""

    def __init__(
        self,
        lists: tuple[PagesOf, CountsOf],
        to_node: Callable[[Any], T],
        key: Callable[[S], uuid.UUID],
    ) -> None:
        self.lists = lists
        self.to_node = to_node
        self.key = key
        self.batch: Mapping[str, Many] = {BATCH: self.many}

    async def one(
        self, info: ContextInfo, source: S, first: int | None, after: str | None
    ) -> Connection[T]:
        return (await self.many(info, [source], first, after))[0]

    async def many(
        self,
        info: ContextInfo,
        sources: Sequence[S],
        first: int | None = None,
        after: str | None = None,
    ) -> list[Connection[T]]:
        keys = [self.key(source) for source in sources]
        return await connections(info, self.lists, keys, self.to_node, first, after)
