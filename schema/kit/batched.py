"""Fields resolved once per list: one call gives the value of every listed row.

A listed row's async field (a work sheet's ``documents``, a timesheet entry's ``site``) costs a
resolver call per row: Strawberry's wrapper, an ``Info``, the arguments converted, a page
request, a loader lookup and a future, a coroutine. Its arguments are the same for every row
of one list, and its loader batches the rows' keys into one statement anyway, so all of that
can be done once: a field declares a *batch form* in its metadata, ``many(info, sources,
**arguments) -> one value per source``, and the executor (schema/kit/execution.py) calls it once
for the rows of a list instead of the resolver per row. The resolver stays the field's
definition (arguments, type, description) and answers a row that is not in a list by running
the batch form for that one source, so both ways share one code path.

A batch form is used only where Strawberry would add nothing per row: a field with extensions
(permission classes included) or under exception handlers keeps its resolver per row. Its
``Info`` is the first row's (the field's nodes, arguments and context are the same for every
row; errors are still located per row by the executor). If it raises, every row's field
raises that error, exactly as each row's resolver would have.

Two batch forms cover Sportello's relations, and a type declares each such field in one line
with the function named after it (the field's resolver and batch form made together):

- :func:`related`: the record a row points to (a timesheet entry's site), by id, through
  :class:`Related`;
- :func:`children`: a page of a row's children (a work sheet's documents), a connection each,
  through :class:`Children`; :func:`children_in_period` for a list bounded by ``from``/``to``
  (a plain list is one whose statements are the same for every period).

    site: Site | None = related(sites_by_id, "site_row_id", Site.from_row, "Where it is.")
    documents: Connection[Document] = children(lists, Document.from_row, "Its documents.")
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from operator import attrgetter
from typing import Any, Generic, TypeVar

import strawberry
from strawberry import Info
from strawberry.types.field import StrawberryField
from strawberry.types.lazy_type import StrawberryLazyReference

from db.scoped.loaders import ById, CountsOf, PagesOf
from schema.kit.context import Context
from schema.kit.nested import connections
from schema.kit.periods import Since, Until, check_period
from schema.kit.relay import Connection

S = TypeVar("S")
T = TypeVar("T")

ContextInfo = Info[Context, None]
Many = Callable[..., Awaitable[Sequence[Any]]]
Lists = tuple[PagesOf, CountsOf]
ListsInPeriod = Callable[[dt.datetime | None, dt.datetime | None], Lists]

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
    """A page of each source's children, as a connection, in the period [since, until) when
    one is given: ``lists`` gives the statements of the pages and of their totals by parent
    id for a period, ``key`` reads a source's id."""

    def __init__(
        self, lists: ListsInPeriod, to_node: Callable[[Any], T], key: Callable[[S], uuid.UUID]
    ) -> None:
        self.lists = lists
        self.to_node = to_node
        self.key = key
        self.batch: Mapping[str, Many] = {BATCH: self.many}

    async def many(
        self,
        info: ContextInfo,
        sources: Sequence[S],
        first: int | None = None,
        after: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[Connection[T]]:
        check_period(since, until)
        keys = [self.key(source) for source in sources]
        lists = self.lists(since, until)
        return await connections(info, lists, keys, self.to_node, first, after)


def lazy_from_row(lazy: Any) -> Callable[[Any], Any]:
    """The ``from_row`` of a type named lazily, ``Annotated["Contract",
    strawberry.lazy("schema.contracts")]``: a type that refers back to the one listing it, so
    its module is imported at the first row, once both are loaded."""
    reference: StrawberryLazyReference = lazy.__metadata__[0]
    kind = reference.resolve_forward_ref(lazy.__origin__)

    @functools.cache
    def from_row() -> Callable[[Any], Any]:
        return kind.resolve_type().from_row  # type: ignore[no-any-return]

    return lambda row: from_row()(row)


# The fields: each resolver answers a row outside a list; the executor calls the batch form for
# the rows of a list. Strawberry takes the field's type from the annotation on the type, so the
# field object is typed as the value it stands for there.


def related(fetch: ById, key: str, to_value: Callable[[Any], T], description: str) -> T | None:
    """The field of the record a row points to through its attribute ``key`` (an id, or None:
    no record); ``fetch`` loads rows by id, ``to_value`` builds the field's value."""
    relation: Related[Any, T] = Related(fetch, attrgetter(key), to_value)

    async def resolve(root: Any, info: ContextInfo) -> T | None:
        return (await relation.many(info, [root]))[0]

    field: T | None = strawberry.field(
        resolver=resolve, description=description, metadata=relation.batch
    )
    return field


def children(
    lists: Lists, to_node: Callable[[Any], T], description: str, key: str = "row_id"
) -> Connection[T]:
    """The connection field of a row's children: ``lists`` are the statements of their pages
    and totals by parent id, the parent's id is its attribute ``key``."""
    pages: Children[Any, T] = Children(lambda _since, _until: lists, to_node, attrgetter(key))

    async def resolve(
        root: Any, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[T]:
        return (await pages.many(info, [root], first, after))[0]

    field: Connection[T] = strawberry.field(
        resolver=resolve, description=description, metadata=pages.batch
    )
    return field


def children_in_period(
    lists: ListsInPeriod,
    to_node: Callable[[Any], T],
    description: str,
) -> Connection[T]:
    """:func:`children` with ``from``/``to`` arguments bounding the period; ``lists`` gives the
    statements for a period."""
    pages: Children[Any, T] = Children(lists, to_node, attrgetter("row_id"))

    async def resolve(
        root: Any,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        since: Since = None,
        until: Until = None,
    ) -> Connection[T]:
        return (await pages.many(info, [root], first, after, since, until))[0]

    field: Connection[T] = strawberry.field(
        resolver=resolve, description=description, metadata=pages.batch
    )
    return field
