"""A record of any table under the caller's row scope: read it locked, insert it, update it,
and the refusal of a unique value another request took first.

Query functions never commit: the request's one transaction does, or rolls everything back
when the resolver refuses. Rows are read ``FOR UPDATE`` before a change, so two edits of one
record run one after the other and each audit event's "before" is what it replaced.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, restrict
from db.models.base import table_of

# The unique constraints a back-office input can run into, by the input field they protect.
UNIQUE = {
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
    with taken_on(UNIQUE):
        return (await db.execute(statement)).one()
