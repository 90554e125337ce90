"""Writing timesheet entries: technicians clock in and out; staff correct entries.

A technician has at most one open entry (no clock-out yet). Clocking in or out first locks the
technician's staff_user row, so two requests of the same technician at once take turns and the
second sees the entry the first opened.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, restrict
from db import models as m
from db.models.base import table_of

ENTRY = table_of(m.TimesheetEntry)
STAFF = table_of(m.StaffUser)
SITE = table_of(m.Site)
VISIT = table_of(m.Intervention)


async def lock_technician(db: AsyncConnection, scope: RowScope, technician_id: uuid.UUID) -> None:
    """Lock the technician's row until the transaction ends (see the module docstring)."""
    await db.execute(
        sa.select(STAFF.c.id)
        .where(STAFF.c.id == technician_id, STAFF.c.organization_id == scope.organization_id)
        .with_for_update()
    )


async def open_entry(
    db: AsyncConnection, scope: RowScope, technician_id: uuid.UUID
) -> sa.Row[Any] | None:
    """The technician's entry without a clock-out, if any."""
    statement = restrict(sa.select(ENTRY), m.TimesheetEntry, scope).where(
        ENTRY.c.technician_id == technician_id, ENTRY.c.clock_out.is_(None)
    )
    return (await db.execute(statement.order_by(ENTRY.c.clock_in.desc()).limit(1))).first()


async def site_client(db: AsyncConnection, scope: RowScope, site_id: uuid.UUID) -> uuid.UUID | None:
    """The client of a site the caller can see; None otherwise."""
    found = await db.scalar(
        restrict(sa.select(SITE.c.client_id), m.Site, scope).where(SITE.c.id == site_id)
    )
    return found if isinstance(found, uuid.UUID) else None


async def intervention_of(
    db: AsyncConnection, scope: RowScope, intervention_id: uuid.UUID
) -> sa.Row[Any] | None:
    """An intervention's site and technician; None when the caller cannot see it."""
    statement: sa.Select[Any] = restrict(
        sa.select(VISIT.c.site_id, VISIT.c.technician_id), m.Intervention, scope
    ).where(VISIT.c.id == intervention_id)
    row: sa.Row[Any] | None = (await db.execute(statement)).first()
    return row


async def insert_entry(db: AsyncConnection, values: dict[str, Any]) -> uuid.UUID:
    """Insert a timesheet entry in the caller's transaction; return its id."""
    entry_id = uuid.uuid4()
    await db.execute(ENTRY.insert().values(id=entry_id, created_at=sa.func.now(), **values))
    return entry_id


async def update_entry(db: AsyncConnection, entry_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Write ``values`` (column name to value) to a timesheet entry."""
    await db.execute(ENTRY.update().where(ENTRY.c.id == entry_id).values(values))
