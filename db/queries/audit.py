"""The audit trail: one row per security-relevant action."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from authz.principals import Principal
from db import models as m
from db.models.base import table_of
from db.queries.accounts import account_of

AUDIT = table_of(m.AuditEvent)


class Actor(Protocol):
    """Anything with a kind (STAFF, CONTACT, PARTNER) and an id."""

    @property
    def kind(self) -> str: ...

    @property
    def id(self) -> uuid.UUID: ...


@dataclasses.dataclass(frozen=True)
class ActorRef:
    kind: str
    id: uuid.UUID


def actor_of(principal: Principal) -> ActorRef | None:
    """The account a principal's actions are recorded under (None: anonymous, partners)."""
    found = account_of(principal)
    return ActorRef(found[0].value, found[1]) if found is not None else None


async def record(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    action: str,
    *,
    actor: Actor | None,
    ip: str | None = None,
    subject_type: str | None = None,
    subject_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Write an audit event in the caller's transaction. Never pass secrets in ``details``."""
    await db.execute(
        AUDIT.insert().values(
            id=uuid.uuid4(),
            created_at=dt.datetime.now(dt.UTC),
            organization_id=organization_id,
            actor_type=str(actor.kind) if actor is not None else "ANONYMOUS",
            actor_id=actor.id if actor is not None else None,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            ip=ip,
            details=details or {},
        )
    )


def _recorded(value: Any) -> Any:
    """A field's value as the audit trail's JSON keeps it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    return value


def change_details(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """What a change did, for ``record``'s details: the old and new value of each field that
    ``after`` changes (fields it leaves as they were are not listed). ``before`` is the row as
    read, ``after`` the values written; a created record has an empty ``before``."""
    changed = sorted(k for k, v in after.items() if k not in before or before[k] != v)
    return {
        "changed": changed,
        "before": {k: _recorded(before[k]) for k in changed if k in before},
        "after": {k: _recorded(after[k]) for k in changed},
    }
