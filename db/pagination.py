"""Keyset pagination: pages that stay stable while rows are inserted.

A list is ordered by a few columns ending with the primary key (unique, so ties never shuffle
rows between pages). A cursor holds the ordering values of a row; the next page is "rows after
these values" in the same order, one index range scan, never an OFFSET. Cursors are made and
checked in db/cursors.py.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import kept
from db.cursors import decode_cursor, encode_cursor

MAX_PAGE = 100
# Partners' reporting tools read large lists (SPEC §7); a query cost limit still applies.
PARTNER_MAX_PAGE = 1000
DEFAULT_PAGE = 50


class BadPage(ValueError):
    """first/last out of range, or both given."""


@dataclasses.dataclass(frozen=True)
class PageRequest:
    """A page asked for; ``max_size`` is the largest page the caller may ask for.

    ``with_total``: the caller also wants the list's total, which a nested list counts in the
    statement that reads its first page (see :func:`fetch_child_pages`).
    """

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None
    max_size: int = MAX_PAGE
    with_total: bool = False

    def size(self, max_page: int | None = None) -> tuple[int, bool]:
        """(rows wanted, backwards?) after checking the bounds (``max_size`` unless given)."""
        if max_page is None:
            max_page = self.max_size
        if self.first is not None and self.last is not None:
            raise BadPage("give first or last, not both")
        wanted = self.last if self.last is not None else self.first
        if wanted is None:
            wanted = min(DEFAULT_PAGE, max_page)
        if not 0 <= wanted <= max_page:
            raise BadPage(f"must be between 0 and {max_page}")
        return wanted, self.last is not None


@dataclasses.dataclass(frozen=True)
class Ordering:
    """Columns a list is sorted by (the last one unique) and the direction of all of them."""

    columns: tuple[sa.ColumnElement[Any], ...]
    descending: bool = False

    @property
    def labels(self) -> list[str]:
        """The names the ordering columns have in a selected row."""
        return [str(c.key) for c in self.columns]


@dataclasses.dataclass
class Page:
    rows: list[sa.Row[Any]]
    has_next: bool
    has_previous: bool
    # How many rows the whole list holds, when the page's own statement counted them.
    total: int | None = None
    # The names of the ordering columns in a row: what a cursor is made of.
    labels: Sequence[str] = ()

    def cursor(self, index: int) -> str:
        """The cursor of row ``index``; encoded when asked for, since most documents ask for
        no cursor, or only for the page's last."""
        row = self.rows[index]
        return encode_cursor([getattr(row, label) for label in self.labels])


@dataclasses.dataclass(frozen=True)
class Cut:
    """How ``request`` cuts a keyset page out of rows in an ordering: the page statement's
    shape (``reverse``, past an ``after`` / ``before`` cursor) and the ``values`` of its
    parameters (``page_limit``: one row more than the page, to know whether another follows;
    the cursors' ``page_after_<i>`` / ``page_before_<i>``)."""

    wanted: int
    backwards: bool
    reverse: bool
    after: bool
    before: bool
    values: dict[str, Any]

    def page(
        self, rows: list[sa.Row[Any]], labels: Sequence[str], total: int | None = None
    ) -> Page:
        """The page of ``rows`` read by the cut statement (one more than wanted, if any)."""
        more = len(rows) > self.wanted
        rows = rows[: self.wanted]
        if self.backwards:
            rows.reverse()
        return Page(
            rows=rows,
            has_next=more if not self.backwards else self.before,
            has_previous=more if self.backwards else self.after,
            total=total,
            labels=labels,
        )


def cut(ordering: Ordering, request: PageRequest, max_page: int | None = None) -> Cut:
    """The cut of ``request`` in ``ordering``; BadPage or BadCursor when it is out of bounds
    or its cursor is not of this ordering."""
    wanted, backwards = request.size(max_page)
    after = decode_cursor(request.after, ordering.columns) if request.after else None
    before = decode_cursor(request.before, ordering.columns, "before") if request.before else None
    values: dict[str, Any] = {"page_limit": wanted + 1}
    for name, cursor in (("page_after", after), ("page_before", before)):
        if cursor is not None:
            values.update((f"{name}_{i}", value) for i, value in enumerate(cursor))
    reverse = ordering.descending != backwards
    return Cut(wanted, backwards, reverse, after is not None, before is not None, values)


def beyond(ordering: Ordering, name: str, forward: bool) -> sa.ColumnElement[bool]:
    """Rows after (or before) a cursor's values, given to the execution as parameters
    ``name_0``, ``name_1``..."""
    keys = sa.tuple_(*ordering.columns)
    bound = sa.tuple_(
        *(sa.bindparam(f"{name}_{i}", type_=c.type) for i, c in enumerate(ordering.columns))
    )
    ascending = forward != ordering.descending
    return keys > bound if ascending else keys < bound


def _page_statement(
    statement: sa.Select[Any], ordering: Ordering, reverse: bool, after: bool, before: bool
) -> sa.Select[Any]:
    """The statement of :func:`fetch_page`: parameters ``page_limit`` and, past a cursor,
    ``page_after_<i>`` / ``page_before_<i>``."""
    if after:
        statement = statement.where(beyond(ordering, "page_after", True))
    if before:
        statement = statement.where(beyond(ordering, "page_before", False))
    order = [c.desc() if reverse else c.asc() for c in ordering.columns]
    return statement.order_by(*order).limit(sa.bindparam("page_limit", type_=sa.Integer))


async def fetch_page(
    db: AsyncConnection,
    statement: sa.Select[Any],
    ordering: Ordering,
    request: PageRequest,
    *,
    parameters: Mapping[str, Any] | None = None,
    max_page: int | None = None,
) -> Page:
    """One page of ``statement`` in ``ordering`` (its selected columns must include them).

    One statement: it asks for one row more than the page to know whether another follows.
    ``parameters``: values of ``statement``'s own unbound parameters (a statement built once
    per scope and filter shape); the page statement around it is built once per way of paging
    it and run with this page's size and cursor values.
    """
    page = cut(ordering, request, max_page)
    shape = (ordering, page.reverse, page.after, page.before)
    paged = _wrapped(statement, shape, lambda: _page_statement(statement, *shape))
    values = {**(parameters or {}), **page.values}
    rows = list(await kept.execute(db, paged, values))
    return page.page(rows, ordering.labels)


async def count(
    db: AsyncConnection, statement: sa.Select[Any], parameters: Mapping[str, Any] | None = None
) -> int:
    """How many rows ``statement`` (before pagination) returns (``parameters`` as in
    :func:`fetch_page`)."""

    def build() -> sa.Select[Any]:
        return sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())

    counted = _wrapped(statement, ("count",), build)
    rows: Sequence[Any] = await kept.execute(db, counted, dict(parameters or {}))
    return int(rows[0][0] or 0)


def any_of(column: sa.ColumnElement[Any], values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """``column = ANY(:array)``: one parameter and one plan whatever the number of values
    (``IN`` lists are expanded into a new statement text per length)."""
    return column == sa.any_(sa.literal(list(values), sa.ARRAY(column.type)))


# Page statements wrapped around a list's statement, per (list statement, how it is paged).
# Keys hold the list statement weakly: the wrappers of a statement built for one request go
# with it, those of a statement built once per scope shape (db/scoped/nested.py) stay. The
# wrappers hold no value: parents, page size and cursor are parameters of each execution.
_PAGE_STATEMENTS: weakref.WeakKeyDictionary[sa.Select[Any], dict[Any, sa.Select[Any]]] = (
    weakref.WeakKeyDictionary()
)


def _wrapped(
    statement: sa.Select[Any], key: Any, build: Callable[[], sa.Select[Any]]
) -> sa.Select[Any]:
    wrappers = _PAGE_STATEMENTS.get(statement)
    if wrappers is None:
        wrappers = _PAGE_STATEMENTS[statement] = {}
    wrapped = wrappers.get(key)
    if wrapped is None:
        wrapped = wrappers[key] = build()
        if kept.is_kept(statement):
            kept.keep(wrapped)
    return wrapped


def _child_page_statement(
    statement: sa.Select[Any],
    parent: sa.ColumnElement[Any],
    ordering: Ordering,
    single: bool,
    counted: bool,
    after: bool,
) -> sa.Select[Any]:
    """The statement of :func:`fetch_child_pages`; parameters ``page_parent`` (one parent) or
    ``page_parents`` (an array), ``page_limit`` and, after a cursor, ``page_after_<i>``."""
    if after:
        statement = statement.where(beyond(ordering, "page_after", True))
    order = [c.desc() if ordering.descending else c.asc() for c in ordering.columns]
    limit = sa.bindparam("page_limit", type_=sa.Integer)
    if single:
        single_parent = statement.where(parent == sa.bindparam("page_parent", type_=parent.type))
        if counted:
            single_parent = single_parent.add_columns(sa.func.count().over().label("page_total"))
        return single_parent.order_by(*order).limit(limit)
    parents = sa.bindparam("page_parents", type_=sa.ARRAY(parent.type))
    numbered = statement.add_columns(
        sa.func.row_number().over(partition_by=parent, order_by=order).label("page_position"),
        parent.label("parent_key"),
        *([sa.func.count().over(partition_by=parent).label("page_total")] if counted else []),
    ).where(parent == sa.any_(parents))
    inner = numbered.subquery()
    return (
        sa.select(inner)
        .where(inner.c.page_position <= limit)
        .order_by(inner.c.parent_key, inner.c.page_position)
    )


async def fetch_child_pages(
    db: AsyncConnection,
    statement: sa.Select[Any],
    parent: sa.ColumnElement[Any],
    parent_ids: Sequence[Any],
    ordering: Ordering,
    request: PageRequest,
    *,
    parameters: Mapping[str, Any] | None = None,
    max_page: int | None = None,
) -> dict[Any, Page]:
    """The same page of children for many parents, in one statement (for nested lists).

    One parent (a site's page): its rows in the list's order, one more than the page, the
    index range scan of a root list. Several parents: each parent's rows are numbered in the
    list's order and cut after one more than the page. With ``request.with_total`` and no
    cursor, the same statement counts each parent's rows (a window over what it reads anyway),
    so totalCount costs no statement of its own. Nested lists page forwards only.

    ``parameters``: values of ``statement``'s own unbound parameters (a statement built once
    per scope shape). The page statement around ``statement`` is built once for each way of
    paging it, and run with this page's values.
    """
    if request.last is not None or request.before is not None:
        raise BadPage("nested lists page forwards only: use first and after")
    page = cut(ordering, request, max_page)
    counted = request.with_total and not page.after
    single = len(parent_ids) == 1
    shape = (parent, ordering, single, counted, page.after)
    paged = _wrapped(statement, shape, lambda: _child_page_statement(statement, *shape))
    values = {**(parameters or {}), **page.values}
    if single:
        values["page_parent"] = parent_ids[0]
    else:
        values["page_parents"] = list(parent_ids)
    grouped: dict[Any, list[sa.Row[Any]]] = {key: [] for key in parent_ids}
    rows = await kept.execute(db, paged, values)
    if single:
        grouped[parent_ids[0]] = list(rows)
    else:
        for row in rows:
            grouped[row.parent_key].append(row)
    labels = ordering.labels
    pages = {}
    for key, found in grouped.items():
        total = (int(found[0].page_total) if found else 0) if counted else None
        pages[key] = Page(
            rows=found[: page.wanted],
            has_next=len(found) > page.wanted,
            # Whether an after was given, even an empty one (which reads from the start):
            # what nested lists have always answered, where Cut.page answers from the cursor.
            has_previous=request.after is not None,
            total=total,
            labels=labels,
        )
    return pages


async def child_counts(
    db: AsyncConnection,
    statement: sa.Select[Any],
    parent: sa.ColumnElement[Any],
    parent_ids: Sequence[Any],
    *,
    parameters: Mapping[str, Any] | None = None,
) -> dict[Any, int]:
    """How many children each parent has under ``statement``, in one statement
    (``parameters`` as in :func:`fetch_child_pages`)."""

    def build() -> sa.Select[Any]:
        return (
            statement.with_only_columns(parent, sa.func.count(), maintain_column_froms=True)
            .where(parent == sa.any_(sa.bindparam("page_parents", type_=sa.ARRAY(parent.type))))
            .group_by(parent)
            .order_by(None)
        )

    grouped = _wrapped(statement, ("counts", parent), build)
    rows: Sequence[Any] = await kept.execute(
        db, grouped, {**(parameters or {}), "page_parents": list(parent_ids)}
    )
    counts = dict.fromkeys(parent_ids, 0)
    counts.update({row[0]: int(row[1]) for row in rows})
    return counts


def in_row_ids(column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """``column = ANY(:row_ids)``: the rows of the ids given as parameter ``row_ids``."""
    return column == sa.any_(sa.bindparam("row_ids", type_=sa.ARRAY(column.type)))


def rows_by_id_statement(statement: sa.Select[Any], key: sa.ColumnElement[Any]) -> sa.Select[Any]:
    """``statement`` narrowed to :func:`in_row_ids` of ``key``, built once per statement."""
    return _wrapped(statement, ("by id", key), lambda: statement.where(in_row_ids(key)))
