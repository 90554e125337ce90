"""Audit trail of security-relevant actions: who did what to which record, from where."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field

from db.models.base import TenantBase


class AuditEvent(TenantBase, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_org_created", "organization_id", "created_at", "id"),
    )

    # STAFF, CONTACT, PARTNER or ANONYMOUS, and the id of that account when known.
    actor_type: str = Field(max_length=16)
    actor_id: uuid.UUID | None = None
    action: str = Field(max_length=64)
    subject_type: str | None = Field(default=None, max_length=64)
    subject_id: uuid.UUID | None = None
    ip: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=postgresql.JSONB)
