"""Nested lists of a record type under a parent (a site's contracts, a client's invoices), and
rows by id, from statements built once per scope shape.

A record type's statement function (``contracts_statement(scope)``) is called here with the
request's :class:`~authz.scope.ScopeShape` (audience, restricted or not, flags; no ids), once
per shape; the statement is kept and run with each request's scope parameters. Nothing of a
request is in a kept statement, so a statement built for one contact can never run with
another's ids, and building statements (the costliest part of a small query in SQLAlchemy) is
done once per process instead of once per request.

Each pair of functions pages and counts the children of many parents in one statement each,
with the same row scope, record rules and ordering as the record type's root list.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, Scoping
from authz.scope_shape import ScopeShape
from db import kept
from db.pagination import (
    Ordering,
    Page,
    PageRequest,
    child_counts,
    fetch_child_pages,
    rows_by_id_statement,
)
from db.scoped.loaders import CountsOf, PagesOf

StatementOf = Callable[[Scoping], sa.Select[Any]]


@functools.cache
def shaped(
    statement_of: Callable[..., sa.Select[Any]], shape: ScopeShape, *where: Any
) -> sa.Select[Any]:
    """``statement_of``'s statement for every scope of ``shape``, built on first use.

    ``where``: further arguments of ``statement_of`` that shape its statement: a filter's shape
    (db/scoped/filter_shapes.py) for a statement of filtered rows, an owner column for documents.
    Bounded: statement functions x audiences x restricted x the contact flag sets in use (x the
    filter shapes asked). A function made per call (a closure, which could also hold a
    request's values) is refused.
    """
    if "<locals>" in statement_of.__qualname__:
        raise TypeError(f"{statement_of.__qualname__}: give a module-level statement function")
    return kept.keep(statement_of(shape, *where))


async def child_pages(
    db: AsyncConnection,
    statement_of: Callable[..., sa.Select[Any]],
    scope: RowScope,
    parent: sa.ColumnElement[Any],
    parent_ids: Sequence[uuid.UUID],
    ordering: Ordering,
    request: PageRequest,
    *,
    where: tuple[Any, ...] = (),
) -> dict[uuid.UUID, Page]:
    """The same page of ``statement_of``'s rows under each parent (one statement); ``where``:
    the further arguments of ``statement_of`` (see :func:`shaped`)."""
    return await fetch_child_pages(
        db,
        shaped(statement_of, scope.shape, *where),
        parent,
        parent_ids,
        ordering,
        request,
        parameters=scope.parameters,
    )


async def child_page_counts(
    db: AsyncConnection,
    statement_of: Callable[..., sa.Select[Any]],
    scope: RowScope,
    parent: sa.ColumnElement[Any],
    parent_ids: Sequence[uuid.UUID],
    *,
    where: tuple[Any, ...] = (),
) -> dict[uuid.UUID, int]:
    """How many of ``statement_of``'s rows each parent has (one statement; ``where`` as in
    :func:`child_pages`)."""
    statement = shaped(statement_of, scope.shape, *where)
    return await child_counts(db, statement, parent, parent_ids, parameters=scope.parameters)


def child_lists(
    statement_of: StatementOf, parent: sa.ColumnElement[Any], ordering: Ordering
) -> tuple[PagesOf, CountsOf]:
    """(pages of, counts of) the rows of ``statement_of`` grouped by the ``parent`` column."""

    async def pages(
        db: AsyncConnection, scope: RowScope, parent_ids: Sequence[uuid.UUID], request: PageRequest
    ) -> dict[uuid.UUID, Page]:
        return await child_pages(db, statement_of, scope, parent, parent_ids, ordering, request)

    async def counts(
        db: AsyncConnection, scope: RowScope, parent_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, int]:
        return await child_page_counts(db, statement_of, scope, parent, parent_ids)

    return pages, counts


async def rows_by_id(
    db: AsyncConnection,
    statement_of: StatementOf,
    scope: RowScope,
    key: sa.ColumnElement[Any],
    ids: Sequence[Any],
) -> list[sa.Row[Any] | None]:
    """Rows of ``statement_of`` in the order of ``ids``; None for a missing or hidden id."""
    statement = rows_by_id_statement(shaped(statement_of, scope.shape), key)
    return await _keyed(db, statement, scope, str(key.key), ids)


async def rows_keyed(
    db: AsyncConnection, statement_of: StatementOf, scope: RowScope, key: str, ids: Sequence[Any]
) -> list[sa.Row[Any] | None]:
    """Per id, the row of ``statement_of`` whose column ``key`` holds it, or None.

    ``statement_of`` selects the rows of the ids in parameter ``row_ids``
    (:func:`db.pagination.in_row_ids`), one per id ("the last revision of each site"); when it
    gives several, the last in its order wins.
    """
    return await _keyed(db, shaped(statement_of, scope.shape), scope, key, ids)


async def _keyed(
    db: AsyncConnection, statement: sa.Select[Any], scope: RowScope, key: str, ids: Sequence[Any]
) -> list[sa.Row[Any] | None]:
    rows = await kept.execute(db, statement, {**scope.parameters, "row_ids": list(ids)})
    found = {getattr(row, key): row for row in rows}
    return [found.get(i) for i in ids]
