"""The documents of one site's evidence pack: those the scope sees, filed within a period.

Every statement starts from documents.documents_statement, so a contact gets exactly the
documents ``document(id:)`` would show them (portal-visible, owner in sight) and staff those of
their row scope; nothing here filters by site or client any other way.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope
from db.queries.documents import DOCUMENT, DOCUMENT_ORDER, documents_statement


class Extent(NamedTuple):
    """How many documents a pack would hold and their bytes, to check its bounds first."""

    documents: int
    size_bytes: int


def _filed(
    scope: RowScope, site_id: uuid.UUID, start: dt.datetime, end: dt.datetime
) -> sa.Select[Any]:
    """Documents of the site the scope sees, filed at or after ``start`` and before ``end``."""
    return documents_statement(scope, site_id=site_id).where(
        DOCUMENT.c.created_at >= start, DOCUMENT.c.created_at < end
    )


async def extent(
    db: AsyncConnection,
    scope: RowScope,
    site_id: uuid.UUID,
    start: dt.datetime,
    end: dt.datetime,
) -> Extent:
    filed = _filed(scope, site_id, start, end).subquery()
    statement = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(filed.c.size_bytes), 0))
    row = (await db.execute(statement)).one()
    return Extent(int(row[0]), int(row[1]))


async def pack_documents(
    db: AsyncConnection,
    scope: RowScope,
    site_id: uuid.UUID,
    start: dt.datetime,
    end: dt.datetime,
) -> list[sa.Row[Any]]:
    """The pack's document rows, oldest first (the caller checked :func:`extent` first)."""
    statement = _filed(scope, site_id, start, end).order_by(*DOCUMENT_ORDER.columns)
    return list((await db.execute(statement)).all())
