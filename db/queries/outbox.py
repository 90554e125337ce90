"""The outbox as staff see it (list, retry a dead message) and as the mail worker drains it.

None of these functions commits. The worker claims a message with ``FOR UPDATE SKIP LOCKED``
inside a transaction it keeps open while sending (see mailer/worker.py), so two workers never
hold the same message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, restrict
from db import models as m
from db.models.base import table_of
from db.pagination import Ordering, Page, PageRequest, count, fetch_page

OUTBOX = table_of(m.OutboxMessage)
DOCUMENT = table_of(m.Document)

PENDING = m.OutboxStatus.PENDING.value
SENT = m.OutboxStatus.SENT.value
DEAD = m.OutboxStatus.DEAD.value
CANCELLED = m.OutboxStatus.CANCELLED.value


@dataclasses.dataclass(frozen=True)
class ClaimedMessage:
    """A due message, locked by the worker's open transaction."""

    id: uuid.UUID
    organization_id: uuid.UUID
    kind: str
    to_address: str
    locale: str
    subject: str
    body_text: str
    body_html: str | None
    payload: dict[str, Any]
    attempts: int


@dataclasses.dataclass(frozen=True)
class StoredFile:
    """A document to attach: where its bytes are and what to call them."""

    id: uuid.UUID
    file_name: str
    mime_type: str
    storage_key: str


async def retry_dead(
    db: AsyncConnection, organization_id: uuid.UUID, message_id: uuid.UUID
) -> bool:
    """Put a DEAD message back in the queue, due now, with a fresh attempt count.

    False when the organization has no DEAD message with this id. The last error is kept until
    the next attempt replaces it.
    """
    result = await db.execute(
        OUTBOX.update()
        .where(
            OUTBOX.c.id == message_id,
            OUTBOX.c.organization_id == organization_id,
            OUTBOX.c.status == DEAD,
        )
        .values(status=PENDING, attempts=0, next_attempt_at=sa.func.now())
        .returning(OUTBOX.c.id)
    )
    return result.first() is not None


def next_due(statement: sa.Select[Any], queue: sa.Table) -> sa.Select[Any]:
    """``statement`` narrowed to the ``queue`` row (outbox, webhook deliveries) a worker takes
    next: the PENDING one due first, locked, skipping those other workers hold."""
    return (
        statement.where(queue.c.status == PENDING, queue.c.next_attempt_at <= sa.func.now())
        .order_by(queue.c.next_attempt_at, queue.c.id)
        .limit(1)
        .with_for_update(of=queue, skip_locked=True)
    )


async def claim_next(db: AsyncConnection) -> ClaimedMessage | None:
    """Lock the next due PENDING message, skipping those other workers hold; None if none."""
    statement = sa.select(
        OUTBOX.c.id,
        OUTBOX.c.organization_id,
        OUTBOX.c.kind,
        OUTBOX.c.to_address,
        OUTBOX.c.locale,
        OUTBOX.c.subject,
        OUTBOX.c.body_text,
        OUTBOX.c.body_html,
        OUTBOX.c.payload,
        OUTBOX.c.attempts,
    )
    row = (await db.execute(next_due(statement, OUTBOX))).mappings().first()
    return None if row is None else ClaimedMessage(**row)


async def mark_sent(db: AsyncConnection, message_id: uuid.UUID) -> None:
    """The SMTP server (or the .eml folder) took the message."""
    await db.execute(
        OUTBOX.update()
        .where(OUTBOX.c.id == message_id)
        .values(status=SENT, sent_at=sa.func.now(), attempts=OUTBOX.c.attempts + 1)
    )


async def mark_failed(
    db: AsyncConnection,
    message_id: uuid.UUID,
    *,
    reason: str,
    retry_in: dt.timedelta | None,
    table: sa.Table = OUTBOX,
) -> None:
    """Count a failed attempt; retry after ``retry_in``, or DEAD when it is None. ``table``:
    the outbox, or another queue with its columns and statuses (webhook deliveries)."""
    values: dict[str, Any] = {"attempts": table.c.attempts + 1, "last_error": reason}
    if retry_in is None:
        values["status"] = DEAD
    else:
        values["next_attempt_at"] = sa.func.now() + retry_in
    await db.execute(table.update().where(table.c.id == message_id).values(**values))


async def mark_cancelled(
    db: AsyncConnection, message_id: uuid.UUID, *, reason: str, table: sa.Table = OUTBOX
) -> None:
    """Not sent, for good: no longer wanted when the worker took it (as ``mark_failed``)."""
    await db.execute(
        table.update().where(table.c.id == message_id).values(status=CANCELLED, last_error=reason)
    )


async def stored_files(
    db: AsyncConnection, organization_id: uuid.UUID, document_ids: Sequence[uuid.UUID]
) -> list[StoredFile]:
    """The organization's documents among ``document_ids``, in the order given."""
    if not document_ids:
        return []
    rows = (
        await db.execute(
            sa.select(
                DOCUMENT.c.id, DOCUMENT.c.file_name, DOCUMENT.c.mime_type, DOCUMENT.c.storage_key
            ).where(
                DOCUMENT.c.organization_id == organization_id,
                DOCUMENT.c.id.in_(document_ids),
            )
        )
    ).mappings()
    found = {row["id"]: StoredFile(**row) for row in rows}
    return [found[each] for each in document_ids if each in found]


async def work_sheet_pdfs(
    db: AsyncConnection, work_sheet_ids: set[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The portal-visible PDF documents of each work sheet, oldest first: what a copy attaches."""
    if not work_sheet_ids:
        return {}
    rows = await db.execute(
        sa.select(DOCUMENT.c.work_sheet_id, DOCUMENT.c.id)
        .where(
            DOCUMENT.c.work_sheet_id.in_(work_sheet_ids),
            DOCUMENT.c.kind == m.DocumentKind.WORK_SHEET_PDF.value,
            DOCUMENT.c.portal_visible.is_(True),
        )
        .order_by(DOCUMENT.c.created_at, DOCUMENT.c.id)
    )
    found: dict[uuid.UUID, list[uuid.UUID]] = {}
    for sheet_id, document_id in rows:
        found.setdefault(sheet_id, []).append(document_id)
    return found


OUTBOX_ORDER = Ordering((OUTBOX.c.created_at, OUTBOX.c.id), descending=True)


def outbox_statement(scope: RowScope, status: m.OutboxStatus | None = None) -> sa.Select[Any]:
    """Messages of the scope's organization for the staff view, newest first."""
    statement = restrict(
        sa.select(
            OUTBOX.c.id,
            OUTBOX.c.created_at,
            OUTBOX.c.kind,
            OUTBOX.c.to_address,
            OUTBOX.c.locale,
            OUTBOX.c.subject,
            OUTBOX.c.status,
            OUTBOX.c.attempts,
            OUTBOX.c.next_attempt_at,
            OUTBOX.c.last_error,
            OUTBOX.c.sent_at,
        ),
        m.OutboxMessage,
        scope,
    )
    if status is not None:
        statement = statement.where(OUTBOX.c.status == status.value)
    return statement


async def outbox_page(
    db: AsyncConnection, scope: RowScope, request: PageRequest, status: m.OutboxStatus | None
) -> Page:
    return await fetch_page(db, outbox_statement(scope, status), OUTBOX_ORDER, request)


async def outbox_count(db: AsyncConnection, scope: RowScope, status: m.OutboxStatus | None) -> int:
    return await count(db, outbox_statement(scope, status))
