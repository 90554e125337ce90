"""How a staff mutation writes its audit event: who (the request's principal and address),
what (action and subject) and, in ``details``, the old and new value of each changed field
(``db.queries.audit.change_details``). One place, so every back-office change reads alike."""

from __future__ import annotations

import uuid
from typing import Any

from db.queries import audit
from schema.kit.context import Context


async def record(
    context: Context,
    action: str,
    subject_type: str,
    subject_id: uuid.UUID,
    details: dict[str, Any] | None = None,
) -> None:
    """Write the audit event of a change made by the request's principal, in its transaction."""
    await audit.record(
        context.db,
        context.rows.scope.organization_id,
        action,
        actor=audit.actor_of(context.principal),
        ip=context.caller.ip,
        subject_type=subject_type,
        subject_id=subject_id,
        details=details,
    )
