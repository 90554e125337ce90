"""Reading and writing the records of an import in bulk (resolvers/imports/).

Records are matched by ``external_ref``. Each statement handles many rows, so an import of
100,000 rows runs a few dozen statements, not 100,000: one read per table of the records
named (one array parameter, however many names), then per table one INSERT and one UPDATE per
set of changed columns, each sent as an executemany of up to 5,000 rows (asyncpg pipelines
them), and the audit events the same way. Reads pass through the row scope; row-level
security binds the transaction to the organization. Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, restrict
from db.models.base import table_of
from db.queries.audit import AUDIT, Actor

# Rows per statement: large enough to amortise round trips, small enough to bound memory.
BATCH_ROWS = 5_000


def _any(column: sa.ColumnElement[Any], values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """``column IN (SELECT unnest(:values))``: one parameter however many values (asyncpg
    takes at most 32,767), joined by hash when the table has statistics
    (:func:`refresh_statistics`)."""
    array = sa.bindparam(None, list(values), type_=postgresql.ARRAY(sa.Text))
    return column.in_(sa.select(sa.func.unnest(array)))


async def rows_by_ref(
    db: AsyncConnection, scope: RowScope, model: Any, refs: Iterable[str]
) -> dict[str, sa.Row[Any]]:
    """The rows of ``model`` in scope whose external reference is one of ``refs``, by it."""
    wanted = sorted(set(refs))
    if not wanted:
        return {}
    table = table_of(model)
    statement = restrict(sa.select(table), model, scope).where(_any(table.c.external_ref, wanted))
    return {row.external_ref: row for row in await db.execute(statement)}


async def holders(
    db: AsyncConnection, scope: RowScope, model: Any, column: str, values: Iterable[str]
) -> dict[str, uuid.UUID]:
    """The ids of the rows in scope holding each of ``values`` in the unique ``column``."""
    wanted = sorted(set(values))
    if not wanted:
        return {}
    table = table_of(model)
    statement = restrict(sa.select(table.c[column], table.c.id), model, scope).where(
        _any(table.c[column], wanted)
    )
    return {value: row_id for value, row_id in await db.execute(statement)}


async def insert_rows(db: AsyncConnection, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (each with the same columns), 5,000 to a round of executemany."""
    statement = sa.insert(table_of(model))
    for start in range(0, len(rows), BATCH_ROWS):
        await db.execute(statement, list(rows[start : start + BATCH_ROWS]))


async def update_rows(
    db: AsyncConnection, model: Any, changes: Sequence[tuple[uuid.UUID, dict[str, Any]]]
) -> None:
    """Write each (id, changed columns): one executemany per set of columns changed."""
    table = table_of(model)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row_id, values in changes:
        columns = tuple(sorted(values))
        groups[columns].append({"row_id": row_id} | {f"new_{c}": values[c] for c in columns})
    for columns, parameters in groups.items():
        statement = (
            table.update()
            .where(table.c.id == sa.bindparam("row_id"))
            .values({c: sa.bindparam(f"new_{c}") for c in columns})
        )
        for start in range(0, len(parameters), BATCH_ROWS):
            await db.execute(statement, parameters[start : start + BATCH_ROWS])


async def record_all(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    actor: Actor | None,
    ip: str | None,
    events: Sequence[tuple[str, str | None, uuid.UUID | None, dict[str, Any]]],
) -> None:
    """Write audit events (action, subject type, subject id, details) of one actor at once,
    as :func:`db.queries.audit.record` writes one."""
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "id": uuid.uuid4(),
            "created_at": now,
            "organization_id": organization_id,
            "actor_type": str(actor.kind) if actor is not None else "ANONYMOUS",
            "actor_id": actor.id if actor is not None else None,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "ip": ip,
            "details": details,
        }
        for action, subject_type, subject_id, details in events
    ]
    for start in range(0, len(rows), BATCH_ROWS):
        await db.execute(AUDIT.insert(), rows[start : start + BATCH_ROWS])


async def refresh_statistics(db: AsyncConnection, models: Iterable[Any]) -> None:
    """ANALYZE the tables of ``models`` (as their owner: not in a bound transaction).

    Right after a large import the planner still believes a table holds the few rows it had
    before, and joins the next file's thousands of references against it as if it did (a
    nested loop: 20,000 sites named by equipment took 10 to 40 s instead of 0.1;
    bench/RESULTS.md). Autovacuum gets there within a minute; the next file does not wait.
    """
    names = ", ".join(table_of(model).name for model in models)
    await db.execute(sa.text(f"ANALYZE {names}"))
