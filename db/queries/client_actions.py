"""Writing clients, sites and departments: staff create, edit and archive them.

Query functions never commit: the request's one transaction does, or rolls everything back
when the resolver refuses. Rows are read ``FOR UPDATE`` before a change, so two edits of one
record run one after the other and each audit event's "before" is what it replaced.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
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
# The unique constraints of these tables, by the input field they protect.
_UNIQUE = {
    "uq_client_organization_id_code": "code",
    "uq_department_organization_id_name": "name",
    "uq_activity_type_organization_id_name": "name",
}


class Taken(Exception):
    """A unique value (a client's code, a department's name, a person's email) was taken by a
    request running at the same time, after this one checked: the constraint decided.
    ``field`` is the input field at fault."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@contextlib.contextmanager
def taken_on(constraints: Mapping[str, str]) -> Iterator[None]:
    """Turn a refusal by one of ``constraints`` (unique constraint or index name to the input
    field it protects) inside the block into :class:`Taken`; other errors pass unchanged."""
    try:
        yield
    except IntegrityError as error:
        field = next((f for name, f in constraints.items() if name in str(error.orig)), None)
        if field is None:
            raise
        raise Taken(field) from None


async def row_for_update(
    db: AsyncConnection, scope: RowScope, model: Any, row_id: uuid.UUID
) -> sa.Row[Any] | None:
    """The row of ``model``, locked until the transaction ends; None when out of scope."""
    table = table_of(model)
    statement = restrict(sa.select(table), model, scope).where(table.c.id == row_id)
    return (await db.execute(statement.with_for_update())).first()


async def taken(
    db: AsyncConnection,
    scope: RowScope,
    model: Any,
    column: str,
    value: str,
    other_than: uuid.UUID | None = None,
) -> bool:
    """Whether another row of ``model`` in the organization already has ``value``."""
    table = table_of(model)
    conditions = [table.c[column] == value]
    if other_than is not None:
        conditions.append(table.c.id != other_than)
    statement = restrict(sa.select(table.c.id), model, scope).where(*conditions).limit(1)
    return await db.scalar(statement) is not None


async def insert(
    db: AsyncConnection, scope: RowScope, model: Any, values: dict[str, Any]
) -> sa.Row[Any]:
    """A new row of ``model`` in the caller's organization; :class:`Taken` on a lost race."""
    table = table_of(model)
    statement = (
        table.insert()
        .values(id=uuid.uuid4(), organization_id=scope.organization_id, **values)
        .returning(*table.c)
    )
    return await _unique(db, statement)


async def update(
    db: AsyncConnection, model: Any, row_id: uuid.UUID, values: dict[str, Any]
) -> sa.Row[Any]:
    """Write ``values`` (column name to value) and return the updated row."""
    table = table_of(model)
    statement = table.update().where(table.c.id == row_id).values(values).returning(*table.c)
    return await _unique(db, statement)


async def _unique(db: AsyncConnection, statement: Any) -> sa.Row[Any]:
    with taken_on(_UNIQUE):
        return (await db.execute(statement)).one()


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
