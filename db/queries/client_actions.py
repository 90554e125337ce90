"""Writing clients, sites and departments: what archiving them reaches (their open visits,
a client's sites). Reading a record locked, inserting and updating it are db/scoped/records.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, restrict
from db import models as m
from db.models.base import table_of

CLIENT = table_of(m.Client)
SITE = table_of(m.Site)
DEPARTMENT = table_of(m.Department)
VISIT = table_of(m.Intervention)

# Appointments still to happen or under way: archiving their client or site would strand them.
OPEN_VISITS = (
    m.InterventionStatus.REQUESTED,
    m.InterventionStatus.PLANNED,
    m.InterventionStatus.IN_PROGRESS,
)


async def open_visits(
    db: AsyncConnection,
    scope: RowScope,
    *,
    client_id: uuid.UUID | None = None,
    site_id: uuid.UUID | None = None,
    limit: int = 5,
) -> Sequence[sa.Row[Any, Any]]:
    """The first open appointments (id, start) of a client or a site, soonest first."""
    statement = restrict(sa.select(VISIT.c.id, VISIT.c.starts_at), m.Intervention, scope).where(
        VISIT.c.status.in_(OPEN_VISITS)
    )
    if client_id is not None:
        statement = statement.where(VISIT.c.client_id == client_id)
    if site_id is not None:
        statement = statement.where(VISIT.c.site_id == site_id)
    statement = statement.order_by(VISIT.c.starts_at, VISIT.c.id).limit(limit)
    return (await db.execute(statement)).all()


async def archive_sites_of(
    db: AsyncConnection, client_id: uuid.UUID, now: dt.datetime
) -> list[uuid.UUID]:
    """Archive the client's sites still in use (with the client); their ids."""
    statement = (
        SITE.update()
        .where(SITE.c.client_id == client_id, SITE.c.archived_at.is_(None))
        .values(archived_at=now)
        .returning(SITE.c.id)
    )
    return sorted((await db.execute(statement)).scalars())
