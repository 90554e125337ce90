"""The equipment printed on QR labels: a site's, or chosen pieces, with their site's name."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope
from db.queries.clients import with_names
from db.queries.equipment import EQUIPMENT, EQUIPMENT_ORDER, equipment_statement


async def labelled_equipment(
    db: AsyncConnection,
    scope: RowScope,
    *,
    site_id: uuid.UUID | None = None,
    equipment_ids: Sequence[uuid.UUID] | None = None,
) -> list[sa.Row[Any]]:
    """Equipment the scope sees, with ``site_name``, by kind as on a checklist. A site's sheet
    leaves out archived pieces (no longer on the wall); chosen ids are printed as asked."""
    statement = with_names(equipment_statement(scope, site_id=site_id), EQUIPMENT)
    if equipment_ids is not None:
        statement = statement.where(EQUIPMENT.c.id.in_(equipment_ids))
    else:
        statement = statement.where(EQUIPMENT.c.archived_at.is_(None))
    return list((await db.execute(statement.order_by(*EQUIPMENT_ORDER.columns))).all())
