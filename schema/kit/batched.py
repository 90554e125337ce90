"""Relations, declared once next to their type and read by both executors.

A type declares each of its relations in one line with the function named after its kind:

- :func:`related`: the record a row points to (a timesheet entry's site), by id, through
  :class:`Related`; with ``part``, one of several records one statement reads for each id
  (a site's last and next revision): the fields of a level asking for parts of the same
  statement and ids share it;
- :func:`related_value`: a value built from that record and the row itself, whether or not
  the record exists (a revision's outcome counts, zero without items; an appointment's
  activity type, its texts filled in for the visit);
- :func:`children`: a page of a row's children (a work sheet's documents), a connection each,
  through :class:`Children`; :func:`children_in_period` for a list bounded by ``from``/``to``
  (a plain list is one whose statements are the same for every period).

    site: Site | None = related(sites_by_id, "site_row_id", Site.from_row, "Where it is.")
    documents: Connection[Document] = children(lists, Document.from_row, "Its documents.")

A read plan (schema/kit/read_plans.py) finds the declaration in the field's metadata
(schema/kit/declared.py) and calls its ``load`` once for every object of a level that asks:
one statement, straight on the connection, no loader. Strawberry's executor (the plans' switch
and reference, sportello/graphql_route.py) calls the field's resolver per object, which goes
through the request's loaders (db/scoped/loaders.py) so that its objects still share one
statement.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from operator import attrgetter
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry import Info
from strawberry.types.lazy_type import StrawberryLazyReference

from authz.rules import Rule
from authz.scope import RowScope
from db.pagination import PageRequest
from db.scoped.loaders import CountsOf, PagesOf
from schema.kit.context import Context
from schema.kit.declared import DECLARED
from schema.kit.periods import Since, Until, check_period
from schema.kit.permissions import permitted
from schema.kit.relay import Connection, input_errors, page_request, to_connection

S = TypeVar("S")
T = TypeVar("T")

ContextInfo = Info[Context, None]
Lists = tuple[PagesOf, CountsOf]
ListsInPeriod = Callable[[dt.datetime | None, dt.datetime | None], Lists]


# Per id, a row or None (db/scoped/loaders.py ``ById``), or with a part a tuple of them.
ValuesById = Callable[[AsyncConnection, RowScope, Sequence[uuid.UUID]], Awaitable[list[Any]]]


class Related(Generic[S, T]):
    """The record a row points to, loaded by id: ``fetch`` gives rows (None when missing or
    out of scope), ``key`` reads a source's id (None: no record), ``to_value`` builds the
    field's value from a row. With ``part``, ``fetch`` gives a tuple per id and the field's
    record is its ``part``-th; loads of one level asking ``fetch`` for the same ids share one
    statement (:func:`_shared`). With ``of_source`` instead of ``to_value``, the value is
    built for each source from its row (None when there is none) and the source itself."""

    computed = None

    def __init__(
        self,
        fetch: ValuesById,
        key: Callable[[S], uuid.UUID | None],
        to_value: Callable[[Any], T] | None,
        part: int | None = None,
        of_source: Callable[[Any, S], T | None] | None = None,
    ) -> None:
        self.fetch = fetch
        self.key = key
        self.to_value = to_value
        self.part = part
        self.of_source = of_source
        self.metadata: Mapping[str, Any] = {DECLARED: self}

    async def load(
        self, context: Context, sources: Sequence[S], arguments: dict[str, Any], asks_total: bool
    ) -> list[T | None]:
        """Each source's record: one statement for the distinct keys, one value for each
        (a page of 100 timesheet entries at 12 sites builds 12 sites, shared in the answer)."""
        keys = [self.key(source) for source in sources]
        wanted = list(dict.fromkeys(key for key in keys if key is not None))
        found: Sequence[Any] = []
        if wanted and self.part is None:
            found = await self.fetch(context.db, context.rows.scope, wanted)
        elif wanted:
            found = await _shared(context, self.fetch, wanted)
        of_source = self.of_source
        if of_source is not None:
            rows: dict[uuid.UUID | None, Any] = dict(zip(wanted, found, strict=True))
            return [
                of_source(rows.get(key), source) for key, source in zip(keys, sources, strict=True)
            ]
        values = {key: self._value(row) for key, row in zip(wanted, found, strict=True)}
        return [None if key is None else values[key] for key in keys]

    async def resolve(self, source: S, context: Context) -> T | None:
        """One source's record, through the request's loader (Strawberry's executor)."""
        key = self.key(source)
        row = None if key is None else await context.rows.by_id(self.fetch).load(key)
        if self.of_source is not None:
            return self.of_source(row, source)
        return None if key is None else self._value(row)

    def _value(self, row: Any) -> T | None:
        if self.part is not None:
            row = row[self.part]
        assert self.to_value is not None
        return None if row is None else self.to_value(row)


async def _shared(context: Context, fetch: ValuesById, wanted: list[uuid.UUID]) -> Sequence[Any]:
    """``fetch`` of ``wanted``, one statement for the loads asking for the same while it runs
    (the fields of one level, driven side by side: schema/kit/together.py). Nothing is kept
    once it ran: a later level, or a mutation's next field, reads afresh."""
    asked = (fetch, tuple(wanted))
    running = context.fetching.get(asked)
    if running is not None:
        return await running  # type: ignore[no-any-return]
    future: asyncio.Future[Sequence[Any]] = asyncio.get_running_loop().create_future()
    context.fetching[asked] = future
    try:
        found = await fetch(context.db, context.rows.scope, wanted)
    except Exception as error:
        future.set_exception(error)
        future.exception()  # retrieved: a load asking alone leaves no error unread
        raise
    except BaseException:
        future.cancel()
        raise
    else:
        future.set_result(found)
    finally:
        del context.fetching[asked]
    return found


class Children(Generic[S, T]):
    """A page of each source's children, as a connection, in the period [since, until) when
    one is given: ``lists`` gives the statements of the pages and of their totals by parent
    id for a period, ``key`` reads a source's id."""

    computed = None

    def __init__(
        self, lists: ListsInPeriod, to_node: Callable[[Any], T], key: Callable[[S], uuid.UUID]
    ) -> None:
        self.lists = lists
        self.to_node = to_node
        self.key = key
        self.metadata: Mapping[str, Any] = {DECLARED: self}

    def _asked(
        self, arguments: dict[str, Any], with_total: bool
    ) -> tuple[PagesOf, CountsOf, PageRequest]:
        """The statements of the period ``arguments`` ask for, and their page."""
        since, until = arguments.get("from"), arguments.get("to")
        check_period(since, until)
        pages, counts = self.lists(since, until)
        first, after = arguments.get("first"), arguments.get("after")
        return pages, counts, page_request(first, after, with_total=with_total)

    async def load(
        self, context: Context, sources: Sequence[S], arguments: dict[str, Any], asks_total: bool
    ) -> list[Connection[T]]:
        """Each source's page: one statement for every parent (with its total when
        ``asks_total``); ``arguments`` by their GraphQL names."""
        pages, counts, request = self._asked(arguments, asks_total)
        keys = [self.key(source) for source in sources]
        rows = context.rows
        with input_errors():
            found = await pages(context.db, rows.scope, list(dict.fromkeys(keys)), request)
        return [
            to_connection(found[key], self.to_node, _count(context, counts, key)) for key in keys
        ]

    async def resolve(
        self, source: S, context: Context, arguments: dict[str, Any]
    ) -> Connection[T]:
        """One source's page, through the request's loaders (Strawberry's executor)."""
        pages, counts, request = self._asked(arguments, with_total=False)
        key = self.key(source)
        with input_errors():
            page = await context.rows.pages_of(pages, request).load(key)
        return to_connection(page, self.to_node, _count(context, counts, key))


def _count(context: Context, counts: CountsOf, key: uuid.UUID) -> Callable[[], Any]:
    """A source's total, counted when asked (through the request's loader, so that every
    parent asking shares one statement)."""
    return lambda: context.rows.counts_of(counts).load(key)


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


# The fields. Strawberry takes the field's type from the annotation on the type, so the field
# object is typed as the value it stands for there. ``rule`` is the field's rule in the policy
# table, declared as its permission (schema/kit/permissions.py).


def related(
    fetch: ValuesById,
    key: str,
    to_value: Callable[[Any], T],
    description: str,
    part: int | None = None,
    rule: Rule | None = None,
) -> T | None:
    """The field of the record a row points to through its attribute ``key`` (an id, or None:
    no record); ``fetch`` loads rows by id (with ``part``: tuples of rows, of which the
    field's is the ``part``-th), ``to_value`` builds the field's value."""
    relation: Related[Any, T] = Related(fetch, attrgetter(key), to_value, part)

    async def resolve(root: Any, info: ContextInfo) -> T | None:
        return await relation.resolve(root, info.context)

    field: T | None = strawberry.field(
        resolver=resolve,
        description=description,
        metadata=relation.metadata,
        extensions=permitted(rule),
    )
    return field


def related_value(
    fetch: ValuesById,
    key: str,
    of_source: Callable[[Any, Any], T],
    description: str,
    rule: Rule | None = None,
) -> T:
    """The field of a value built from the record a row points to through its attribute
    ``key`` (``fetch`` loads rows by id) and the row itself: ``of_source(record, row)``, the
    record None when there is none, so the type says what a missing record means."""
    relation: Related[Any, T] = Related(fetch, attrgetter(key), None, of_source=of_source)

    async def resolve(root: Any, info: ContextInfo) -> T | None:
        return await relation.resolve(root, info.context)

    field: T = strawberry.field(
        resolver=resolve,
        description=description,
        metadata=relation.metadata,
        extensions=permitted(rule),
    )
    return field


def children(
    lists: Lists,
    to_node: Callable[[Any], T],
    description: str,
    key: str = "row_id",
    rule: Rule | None = None,
) -> Connection[T]:
    """The connection field of a row's children: ``lists`` are the statements of their pages
    and totals by parent id, the parent's id is its attribute ``key``."""
    pages: Children[Any, T] = Children(lambda _since, _until: lists, to_node, attrgetter(key))

    async def resolve(
        root: Any, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[T]:
        return await pages.resolve(root, info.context, {"first": first, "after": after})

    field: Connection[T] = strawberry.field(
        resolver=resolve,
        description=description,
        metadata=pages.metadata,
        extensions=permitted(rule),
    )
    return field


def children_in_period(
    lists: ListsInPeriod,
    to_node: Callable[[Any], T],
    description: str,
    rule: Rule | None = None,
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
        arguments = {"first": first, "after": after, "from": since, "to": until}
        return await pages.resolve(root, info.context, arguments)

    field: Connection[T] = strawberry.field(
        resolver=resolve,
        description=description,
        metadata=pages.metadata,
        extensions=permitted(rule),
    )
    return field
