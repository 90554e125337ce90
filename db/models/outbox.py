"""The transactional outbox: emails written in the transaction of the change that causes them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field

from db.models.base import TenantBase, enum_field, tz


class OutboxStatus(enum.StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    DEAD = "DEAD"
    # Not sent: no longer wanted when the worker took it (its appointment was cancelled or
    # moved, its access deleted or disabled); ``last_error`` says why.
    CANCELLED = "CANCELLED"


class OutboxMessage(TenantBase, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (
        # The same reminder or alert is never queued twice.
        sa.UniqueConstraint("organization_id", "dedupe_key"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.Index(
            "ix_outbox_message_due",
            "next_attempt_at",
            postgresql_where=sa.text("status = 'PENDING'"),
        ),
        sa.Index("ix_outbox_message_org_created", "organization_id", "created_at", "id"),
    )

    kind: str = Field(max_length=64)
    dedupe_key: str | None = Field(default=None, max_length=200)
    to_address: str = Field(max_length=254)
    locale: str = Field(default="it", max_length=8)
    subject: str = Field(max_length=300)
    body_text: str
    body_html: str | None = None
    # Document ids and other context needed to build the message at send time.
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=postgresql.JSONB)
    status: OutboxStatus = enum_field(OutboxStatus, default=OutboxStatus.PENDING)
    attempts: int = 0
    next_attempt_at: datetime = tz(server_now=True)
    last_error: str | None = None
    sent_at: datetime | None = tz(nullable=True, default=None)
