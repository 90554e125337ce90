"""Writing equipment, contracts, quotes and invoices (staff back office).

The same four statements serve the four tables: lock a row the caller's scope sees, insert,
update, and ask whether a number is taken. None of them commits: the request's one
transaction does, and a refusal raised after a write rolls it back.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import models as m
from db.models.base import table_of

# The records of this slice, written through the functions below.
Model = type[m.Equipment] | type[m.Contract] | type[m.Quote] | type[m.Invoice]


async def insert(db: AsyncConnection, model: Model, values: dict[str, Any]) -> uuid.UUID | None:
    """Insert a row with ``values`` (organization_id included) and return its id; None when a
    unique key (an organization's number) is already taken, nothing written then."""
    table = table_of(model)
    row_id = uuid.uuid4()
    statement = (
        pg_insert(table)
        .values({"id": row_id, **values})
        .on_conflict_do_nothing()
        .returning(table.c.id)
    )
    found: uuid.UUID | None = (await db.execute(statement)).scalar_one_or_none()
    return found


async def update(
    db: AsyncConnection, model: Model, row_id: uuid.UUID, values: dict[str, Any]
) -> None:
    """Write ``values`` (column name to value) on the row ``row_id``."""
    table = table_of(model)
    await db.execute(table.update().where(table.c.id == row_id).values(values))


async def number_taken(
    db: AsyncConnection,
    model: Model,
    organization_id: uuid.UUID,
    number: str,
    other_than: uuid.UUID | None = None,
) -> bool:
    """Does another row of the organization already carry ``number``?"""
    table = table_of(model)
    statement = sa.select(sa.literal(1)).where(
        table.c.organization_id == organization_id, table.c.number == number
    )
    if other_than is not None:
        statement = statement.where(table.c.id != other_than)
    return (await db.execute(statement.limit(1))).first() is not None
