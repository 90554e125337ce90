"""Writing activity types: staff edit the portal texts and the booking conditions."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, restrict
from db import models as m
from db.models.base import table_of

ACTIVITY = table_of(m.ActivityType)


async def activity_type_for_update(
    db: AsyncConnection, scope: RowScope, activity_type_id: uuid.UUID
) -> sa.Row[Any] | None:
    """The activity type, locked until the end of the transaction; None when out of scope."""
    statement = restrict(sa.select(ACTIVITY), m.ActivityType, scope).where(
        ACTIVITY.c.id == activity_type_id
    )
    return (await db.execute(statement.with_for_update())).first()


async def update_activity_type(
    db: AsyncConnection, activity_type_id: uuid.UUID, values: dict[str, Any]
) -> sa.Row[Any]:
    """Write ``values`` (column name to value) and return the updated row."""
    statement = (
        ACTIVITY.update()
        .where(ACTIVITY.c.id == activity_type_id)
        .values(values)
        .returning(*ACTIVITY.c)
    )
    return (await db.execute(statement)).one()
