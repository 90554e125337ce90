"""How a back-office mutation changes a record: lock it, keep the values that differ, write
them and audit the old and new value of each. One way, so every change reads alike."""

from __future__ import annotations

from typing import Any

import strawberry

from db.queries import audit
from db.scoped import records as rows
from resolvers.kit import audited
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import NotFound


async def locked(context: Context, model: Any, type_name: str, id: strawberry.ID, what: str) -> Any:
    """The record ``id`` of ``model`` locked until the transaction ends; NOT_FOUND naming
    ``what`` when the caller cannot see it (another organization's answers the same)."""
    row_id = ids.decode(type_name, id)
    row = (
        await rows.row_for_update(context.db, context.rows.scope, model, row_id)
        if row_id is not None
        else None
    )
    if row is None:
        raise NotFound(what)
    return row


def differing(current: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The ``values`` (column to value) that differ from the row ``current``."""
    return {column: value for column, value in values.items() if value != getattr(current, column)}


async def update(
    context: Context,
    model: Any,
    current: Any,
    values: dict[str, Any],
    action: str,
    subject_type: str,
) -> dict[str, Any]:
    """Write the ``values`` that differ from the locked row ``current`` and audit them under
    ``action``; the values written (none: nothing written, nothing audited)."""
    changed = differing(current, values)
    if changed:
        await rows.update(context.db, model, current.id, changed)
        details = audit.change_details(dict(current._mapping), changed)
        await audited.record(context, action, subject_type, current.id, details)
    return changed
