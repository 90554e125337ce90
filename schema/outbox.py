"""The outbox as staff see it: what was sent, what waits, what failed and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from db import models as m
from schema.kit import ids
from schema.kit.enums import described
from schema.kit.relay import Node

OutboxStatus = m.OutboxStatus
described(
    strawberry.enum(OutboxStatus),
    CANCELLED="Not sent: no longer wanted when its turn came (see lastError).",
)


@strawberry.type(description="An email in the outbox.")
class OutboxMessage(Node):
    # Staff only, like every field here: the table decides none, so not Node's id either.
    id: strawberry.ID
    kind: str
    to_address: str
    locale: str
    subject: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    sent_at: dt.datetime | None
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: Any) -> OutboxMessage:
        return cls(
            id=ids.encode("OutboxMessage", row.id),
            kind=row.kind,
            to_address=row.to_address,
            locale=row.locale,
            subject=row.subject,
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
            sent_at=row.sent_at,
            created_at=row.created_at,
        )
