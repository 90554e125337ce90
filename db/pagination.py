"""Keyset pagination: pages that stay stable while rows are inserted.

A list is ordered by a few columns ending with the primary key (unique, so ties never shuffle
rows between pages). A cursor holds the ordering values of a row; the next page is "rows after
these values" in the same order, one index range scan, never an OFFSET. Cursors are opaque to
clients (base64 of JSON) and checked on the way in: a cursor that does not decode, or does
not fit the ordering, is a BadCursor.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import decimal
import json
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

MAX_PAGE = 100
# Partners' reporting tools read large lists (SPEC §7); a query cost limit still applies.
PARTNER_MAX_PAGE = 1000
DEFAULT_PAGE = 50


class BadCursor(ValueError):
    """A cursor that this list did not hand out."""


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
    cursors: list[str]
    has_next: bool
    has_previous: bool
    # How many rows the whole list holds, when the page's own statement counted them.
    total: int | None = None


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time | uuid.UUID | decimal.Decimal):
        return str(value)
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _typed(column: sa.ColumnElement[Any], value: Any) -> Any:
    if value is None:
        return None
    # sqlmodel's AutoString decorates String; look through decorators.
    sql_type = getattr(column.type, "impl_instance", column.type)
    if isinstance(sql_type, sa.String):
        if isinstance(value, str):
            return value
        raise ValueError(value)
    kind = column.type.python_type
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if kind is dt.time:
        return dt.time.fromisoformat(value)
    if kind is uuid.UUID:
        return uuid.UUID(value)
    if kind is decimal.Decimal:
        return decimal.Decimal(value)
    if kind is int and isinstance(value, int):
        return value
    if kind is str and isinstance(value, str):
        return value
    raise ValueError(value)


def decode_cursor(cursor: str, ordering: Ordering) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(ordering.columns):
            raise BadCursor(cursor)
        return [_typed(c, v) for c, v in zip(ordering.columns, values, strict=True)]
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadCursor("the cursor does not belong to this list") from None


def _beyond(ordering: Ordering, values: list[Any], forward: bool) -> sa.ColumnElement[bool]:
    keys = sa.tuple_(*ordering.columns)
    bound = sa.tuple_(
        *(sa.literal(v, type_=c.type) for c, v in zip(ordering.columns, values, strict=True))
    )
    ascending = forward != ordering.descending
    return keys > bound if ascending else keys < bound


async def fetch_page(
    db: AsyncConnection,
    statement: sa.Select[Any],
    ordering: Ordering,
    request: PageRequest,
    *,
    max_page: int | None = None,
) -> Page:
    """One page of ``statement`` in ``ordering`` (its selected columns must include them).

    One statement: it asks for one row more than the page to know whether another follows.
    """
    wanted, backwards = request.size(max_page)
    after = decode_cursor(request.after, ordering) if request.after else None
    before = decode_cursor(request.before, ordering) if request.before else None
    if after is not None:
        statement = statement.where(_beyond(ordering, after, forward=True))
    if before is not None:
        statement = statement.where(_beyond(ordering, before, forward=False))
    reverse = ordering.descending != backwards
    order = [c.desc() if reverse else c.asc() for c in ordering.columns]
    rows = list((await db.execute(statement.order_by(*order).limit(wanted + 1))).all())
    more = len(rows) > wanted
    rows = rows[:wanted]
    if backwards:
        rows.reverse()
    labels = ordering.labels
    cursors = [encode_cursor([row._mapping[label] for label in labels]) for row in rows]
    return Page(
        rows=rows,
        cursors=cursors,
        has_next=more if not backwards else before is not None,
        has_previous=more if backwards else after is not None,
    )


async def count(db: AsyncConnection, statement: sa.Select[Any]) -> int:
    """How many rows ``statement`` (before pagination) returns."""
    total = await db.scalar(
        sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
    )
    return int(total or 0)


def any_of(column: sa.ColumnElement[Any], values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """``column = ANY(:array)``: one parameter and one plan whatever the number of values
    (``IN`` lists are expanded into a new statement text per length)."""
    return column == sa.any_(sa.literal(list(values), sa.ARRAY(column.type)))


async def fetch_child_pages(
    db: AsyncConnection,
    statement: sa.Select[Any],
    parent: sa.ColumnElement[Any],
    parent_ids: Sequence[Any],
    ordering: Ordering,
    request: PageRequest,
    *,
    max_page: int | None = None,
) -> dict[Any, Page]:
    """The same page of children for many parents, in one statement (for nested lists).

    One parent (a site's page): its rows in the list's order, one more than the page, the
    index range scan of a root list. Several parents: each parent's rows are numbered in the
    list's order and cut after one more than the page. With ``request.with_total`` and no
    cursor, the same statement counts each parent's rows (a window over what it reads anyway),
    so totalCount costs no statement of its own. Nested lists page forwards only.
    """
    if request.last is not None or request.before is not None:
        raise BadPage("nested lists page forwards only: use first and after")
    wanted, _ = request.size(max_page)
    if request.after:
        statement = statement.where(
            _beyond(ordering, decode_cursor(request.after, ordering), forward=True)
        )
    counted = request.with_total and not request.after
    order = [c.desc() if ordering.descending else c.asc() for c in ordering.columns]
    grouped: dict[Any, list[sa.Row[Any]]] = {key: [] for key in parent_ids}
    if len(parent_ids) == 1:
        (only,) = parent_ids
        single = statement.where(parent == only)
        if counted:
            single = single.add_columns(sa.func.count().over().label("page_total"))
        grouped[only] = list((await db.execute(single.order_by(*order).limit(wanted + 1))).all())
    else:
        numbered = statement.add_columns(
            sa.func.row_number().over(partition_by=parent, order_by=order).label("page_position"),
            parent.label("parent_key"),
            *([sa.func.count().over(partition_by=parent).label("page_total")] if counted else []),
        ).where(any_of(parent, parent_ids))
        inner = numbered.subquery()
        rows = await db.execute(
            sa.select(inner)
            .where(inner.c.page_position <= wanted + 1)
            .order_by(inner.c.parent_key, inner.c.page_position)
        )
        for row in rows:
            grouped[row._mapping["parent_key"]].append(row)
    labels = ordering.labels
    pages = {}
    for key, found in grouped.items():
        kept = found[:wanted]
        total = (int(found[0]._mapping["page_total"]) if found else 0) if counted else None
        pages[key] = Page(
            rows=kept,
            cursors=[encode_cursor([r._mapping[label] for label in labels]) for r in kept],
            has_next=len(found) > wanted,
            has_previous=request.after is not None,
            total=total,
        )
    return pages


async def child_counts(
    db: AsyncConnection,
    statement: sa.Select[Any],
    parent: sa.ColumnElement[Any],
    parent_ids: Sequence[Any],
) -> dict[Any, int]:
    """How many children each parent has under ``statement``, in one statement."""
    grouped = (
        statement.with_only_columns(parent, sa.func.count(), maintain_column_froms=True)
        .where(any_of(parent, parent_ids))
        .group_by(parent)
        .order_by(None)
    )
    rows = await db.execute(grouped)
    counts = dict.fromkeys(parent_ids, 0)
    counts.update({row[0]: int(row[1]) for row in rows})
    return counts
