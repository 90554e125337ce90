"""Staff hide, show and delete documents (resolvers/document_actions.py).

The row to change is read, locked and updated with ``row_for_update`` and ``update`` of
db/scoped/records.py (within the staff's row scope: another organization's document is not
there); these are the statements particular to documents.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import models as m
from db import tenancy
from db.models.base import table_of

DOCUMENT = table_of(m.Document)
WORK_SHEET = table_of(m.WorkSheet)


async def is_signed_sheet_pdf(db: AsyncConnection, document: Any) -> bool:
    """Whether ``document`` is the PDF of a signed work sheet (kept as its record)."""
    if document.kind != m.DocumentKind.WORK_SHEET_PDF or document.work_sheet_id is None:
        return False
    status = await db.scalar(
        sa.select(WORK_SHEET.c.status).where(WORK_SHEET.c.id == document.work_sheet_id)
    )
    return bool(status == m.WorkSheetStatus.SIGNED)


async def delete(db: AsyncConnection, document_id: uuid.UUID) -> None:
    await db.execute(DOCUMENT.delete().where(DOCUMENT.c.id == document_id))


async def gone_once_settled(
    db: AsyncConnection, organization_id: uuid.UUID, document_id: uuid.UUID
) -> bool:
    """Whether the document no longer exists, asked in a transaction of its own: the lock
    waits for the transaction that deleted it to end, so True means its deletion committed."""
    await tenancy.bind(db, organization_id)
    found = await db.scalar(
        sa.select(DOCUMENT.c.id).where(DOCUMENT.c.id == document_id).with_for_update()
    )
    return found is None
