"""Queue messages in the caller's transaction: a change that rolls back sends nothing.

Nothing here commits. A dedupe key makes queueing idempotent per organization: the unique
constraint on ``(organization_id, dedupe_key)`` turns a second insert into a no-op, also when
two transactions race (the second waits for the first and then does nothing).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db import models as m
from db.models.base import table_of
from mailer.compose import Composed

OUTBOX = table_of(m.OutboxMessage)
# Rows per INSERT statement when queueing many messages at once.
_CHUNK = 500


@dataclasses.dataclass(frozen=True)
class QueuedMessage:
    """One composed message for one recipient, as the scheduler queues them in bulk."""

    organization_id: uuid.UUID
    to_address: str
    message: Composed
    payload: Mapping[str, Any]
    dedupe_key: str | None


async def _connection(db: AsyncSession | AsyncConnection) -> AsyncConnection:
    # A session hands out the connection of its current transaction.
    return db if isinstance(db, AsyncConnection) else await db.connection()


def _insert() -> postgresql.Insert:
    return postgresql.insert(OUTBOX).on_conflict_do_nothing(
        index_elements=[OUTBOX.c.organization_id, OUTBOX.c.dedupe_key]
    )


async def enqueue(
    db: AsyncSession | AsyncConnection,
    *,
    organization_id: uuid.UUID,
    kind: str,
    to_address: str,
    locale: str,
    subject: str,
    body_text: str,
    body_html: str | None,
    payload: Mapping[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> uuid.UUID | None:
    """Queue one PENDING message in the caller's transaction; None if its dedupe key exists."""
    connection = await _connection(db)
    message_id = uuid.uuid4()
    inserted = await connection.scalar(
        _insert()
        .values(
            id=message_id,
            organization_id=organization_id,
            kind=kind,
            dedupe_key=dedupe_key,
            to_address=to_address,
            locale=locale,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            payload=dict(payload or {}),
            status=m.OutboxStatus.PENDING.value,
            attempts=0,
        )
        .returning(OUTBOX.c.id)
    )
    return None if inserted is None else message_id


async def enqueue_many(
    db: AsyncSession | AsyncConnection, messages: Sequence[QueuedMessage]
) -> int:
    """Queue many messages with a few multi-row inserts; return how many were new."""
    connection = await _connection(db)
    queued = 0
    for start in range(0, len(messages), _CHUNK):
        rows = [
            {
                "id": uuid.uuid4(),
                "organization_id": each.organization_id,
                "kind": each.message.kind,
                "dedupe_key": each.dedupe_key,
                "to_address": each.to_address,
                "locale": each.message.locale,
                "subject": each.message.subject,
                "body_text": each.message.text,
                "body_html": each.message.html,
                "payload": dict(each.payload),
                "status": m.OutboxStatus.PENDING.value,
                "attempts": 0,
            }
            for each in messages[start : start + _CHUNK]
        ]
        result = await connection.execute(_insert().values(rows).returning(OUTBOX.c.id))
        queued += len(result.all())
    return queued
