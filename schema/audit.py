"""The audit trail as ADMIN and OFFICE staff read it; no other audience's view holds it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry
from strawberry.scalars import JSON


@strawberry.type(description="One security-relevant action: who did what to which record.")
class AuditEvent:
    action: str
    actor_type: str = strawberry.field(description="STAFF, CONTACT, PARTNER or ANONYMOUS.")
    actor_id: uuid.UUID | None = strawberry.field(description="The account, when known.")
    subject_type: str | None
    subject_id: uuid.UUID | None
    ip: str | None
    details: JSON
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: Any) -> AuditEvent:
        return cls(
            action=row.action,
            actor_type=row.actor_type,
            actor_id=row.actor_id,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            ip=row.ip,
            details=row.details,
            created_at=row.created_at,
        )
