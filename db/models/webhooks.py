"""Partner webhooks: endpoints registered for a partner token, and the deliveries the worker
drains (README "Webhooks").

An endpoint stores a random ``seed``, never its signing secret: the secret is derived from the
seed with the server's signing key (mailer/webhooks.py), so a copy of the database alone cannot
sign. A delivery is a sibling of the mail outbox (same statuses, same claiming and backoff in
mailer/worker.py), queued in the transaction of the change it reports.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field

from db.models.base import (
    TenantBase,
    enum_field,
    reference_index,
    same_organization,
    text_array,
    tz,
)
from db.models.outbox import OutboxStatus


class WebhookEvent(enum.StrEnum):
    """What a partner can subscribe to; the value is the ``event`` of the body sent."""

    TICKET_OPENED = "ticket.opened"
    TICKET_STATUS_CHANGED = "ticket.status_changed"
    APPOINTMENT_BOOKED = "appointment.booked"
    APPOINTMENT_MOVED = "appointment.moved"
    APPOINTMENT_CANCELLED = "appointment.cancelled"
    WORK_SHEET_SIGNED = "work_sheet.signed"
    REVISION_PERFORMED = "revision.performed"
    INVOICE_CLOSED = "invoice.closed"


class WebhookEndpoint(TenantBase, table=True):
    __tablename__ = "webhook_endpoint"
    __table_args__ = (
        sa.UniqueConstraint("id", "organization_id", name="uq_webhook_endpoint_id_org"),
        same_organization("webhook_endpoint", "partner_token_id", "partner_token", "token"),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff_user.id"], name="fk_webhook_endpoint_created_by"
        ),
        sa.Index("ix_webhook_endpoint_partner_token_id", "partner_token_id"),
        reference_index("webhook_endpoint", "created_by_id"),
    )

    partner_token_id: uuid.UUID
    url: str = Field(max_length=2000)
    events: list[str] = text_array(default_factory=list)
    seed: bytes = Field(sa_type=sa.LargeBinary)
    disabled_at: datetime | None = tz(nullable=True, default=None)
    created_by_id: uuid.UUID | None = None


class WebhookDelivery(TenantBase, table=True):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        same_organization("webhook_delivery", "endpoint_id", "webhook_endpoint", "endpoint"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.Index(
            "ix_webhook_delivery_due",
            "next_attempt_at",
            postgresql_where=sa.text("status = 'PENDING'"),
        ),
        sa.Index("ix_webhook_delivery_endpoint_created", "endpoint_id", "created_at", "id"),
    )

    endpoint_id: uuid.UUID
    event: str = Field(max_length=64)
    # The JSON body sent, fixed when queued so a replay sends the same event.
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=postgresql.JSONB)
    status: OutboxStatus = enum_field(OutboxStatus, default=OutboxStatus.PENDING)
    attempts: int = 0
    next_attempt_at: datetime = tz(server_now=True)
    last_error: str | None = None
    delivered_at: datetime | None = tz(nullable=True, default=None)
