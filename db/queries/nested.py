"""Nested lists of a record type under a parent (a site's contracts, a client's invoices).

Each pair of functions pages and counts the children of many parents in one statement each,
with the same row scope, record rules and ordering as the record type's root list.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope
from db.loaders import CountsOf, PagesOf
from db.pagination import Ordering, Page, PageRequest, any_of, child_counts, fetch_child_pages

StatementOf = Callable[[RowScope], sa.Select[Any]]


def child_lists(
    statement_of: StatementOf, parent: sa.ColumnElement[Any], ordering: Ordering
) -> tuple[PagesOf, CountsOf]:
    """(pages of, counts of) the rows of ``statement_of`` grouped by the ``parent`` column."""

    async def pages(
        db: AsyncConnection, scope: RowScope, parent_ids: Sequence[uuid.UUID], request: PageRequest
    ) -> dict[uuid.UUID, Page]:
        return await fetch_child_pages(
            db, statement_of(scope), parent, parent_ids, ordering, request
        )

    async def counts(
        db: AsyncConnection, scope: RowScope, parent_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, int]:
        return await child_counts(db, statement_of(scope), parent, parent_ids)

    return pages, counts


async def rows_by_id(
    db: AsyncConnection, statement: sa.Select[Any], key: sa.ColumnElement[Any], ids: Sequence[Any]
) -> list[sa.Row[Any] | None]:
    """Rows of ``statement`` in the order of ``ids``; None for a missing or hidden id."""
    rows = await db.execute(statement.where(any_of(key, ids)))
    found = {row._mapping[key.key]: row for row in rows}
    return [found.get(i) for i in ids]
