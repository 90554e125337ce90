"""Writing activity types: staff edit the portal texts and the booking conditions."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import models as m
from db.models.base import table_of

ACTIVITY = table_of(m.ActivityType)


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
