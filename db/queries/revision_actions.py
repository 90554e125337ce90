"""Writing revisions: staff plan them, record their result item by item, correct or cancel them.

The revision row itself is locked, inserted and updated with the generic statements of
db/queries/client_actions.py; what is particular here is a revision's items, which are
written as a whole (a result lists every piece of equipment it checked). None of these
functions commits: the request's one transaction does, or rolls everything back.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import models as m
from db.models.base import table_of

ITEM = table_of(m.RevisionItem)


async def items_of(db: AsyncConnection, revision_id: uuid.UUID) -> list[dict[str, Any]]:
    """The revision's items (equipment, outcome, notes), by equipment id. The revision was
    read in the caller's scope and locked, so its items are the caller's to read."""
    statement = (
        sa.select(ITEM.c.equipment_id, ITEM.c.outcome, ITEM.c.notes)
        .where(ITEM.c.revision_id == revision_id)
        .order_by(ITEM.c.equipment_id)
    )
    return [dict(row._mapping) for row in await db.execute(statement)]


async def replace_items(
    db: AsyncConnection, revision: Any, items: Sequence[dict[str, Any]]
) -> None:
    """Make ``items`` (equipment_id, outcome, notes) the revision's items: those it had go.
    The revision's organization, client and site go on every item (the composite keys of
    revision_item check that each piece of equipment is at that site)."""
    await db.execute(ITEM.delete().where(ITEM.c.revision_id == revision.id))
    if not items:
        return
    owner = {
        "organization_id": revision.organization_id,
        "client_id": revision.client_id,
        "site_id": revision.site_id,
        "revision_id": revision.id,
    }
    await db.execute(ITEM.insert(), [{"id": uuid.uuid4(), **owner, **item} for item in items])
