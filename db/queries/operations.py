"""Figures an operator watches across every organization (read by ``GET /metrics``).

These read as the database owner, unbound: they count rows of all organizations and return
only totals, never a row's content.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import models as m
from db.models.base import table_of

OUTBOX = table_of(m.OutboxMessage)


@dataclass(frozen=True, slots=True)
class OutboxHealth:
    pending: int
    oldest_pending: dt.datetime | None
    dead: int


async def outbox_health(db: AsyncConnection) -> OutboxHealth:
    """Messages waiting, when the oldest of them was queued, and messages given up on."""
    pending = OUTBOX.c.status == m.OutboxStatus.PENDING.value
    row = (
        await db.execute(
            sa.select(
                sa.func.count().filter(pending),
                sa.func.min(OUTBOX.c.created_at).filter(pending),
                sa.func.count().filter(OUTBOX.c.status == m.OutboxStatus.DEAD.value),
            )
        )
    ).one()
    return OutboxHealth(pending=row[0], oldest_pending=row[1], dead=row[2])
