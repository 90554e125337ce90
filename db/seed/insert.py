"""Bulk insertion of the built rows, table by table in foreign-key order."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.models import metadata
from db.seed.context import Row

# Rows per INSERT call: large enough to amortise round trips, small enough to bound memory.
BATCH_ROWS = 5_000


class IncompleteRowError(ValueError):
    """A seed row lacks a column whose default would not be deterministic (or names no column)."""


def _template(table: sa.Table) -> tuple[dict[str, object], frozenset[str], frozenset[str]]:
    """Scalar defaults, columns that must be given, and every insertable column."""
    defaults: dict[str, object] = {}
    required: set[str] = set()
    insertable: set[str] = set()
    for column in table.columns:
        if column.computed is not None:
            continue
        insertable.add(column.name)
        default = column.default
        if default is not None and default.is_scalar:
            defaults[column.name] = default.arg  # type: ignore[attr-defined]
        elif default is None and column.nullable:
            defaults[column.name] = None
        else:
            # Callable defaults (ids, timestamps, lists) differ on every run: the seed sets them.
            required.add(column.name)
    return defaults, frozenset(required), frozenset(insertable)


def complete(table: sa.Table, rows: list[Row]) -> list[Row]:
    """``rows`` with every insertable column; raises when one needs an explicit value."""
    defaults, required, insertable = _template(table)
    completed: list[Row] = []
    for row in rows:
        keys = row.keys()
        if not required <= keys or not keys <= insertable:
            missing = sorted(required - keys)
            unknown = sorted(keys - insertable)
            raise IncompleteRowError(
                f"seed row for {table.name}: missing {missing}, unknown {unknown}; "
                "set them in the seed step that builds this table"
            )
        completed.append({**defaults, **row})
    return completed


async def insert_all(conn: AsyncConnection, rows: Mapping[str, list[Row]]) -> dict[str, int]:
    """Insert every table's rows in dependency order; returns the row count per table."""
    known = {table.name for table in metadata.sorted_tables}
    unknown = sorted(name for name in rows if name not in known)
    if unknown:
        raise IncompleteRowError(f"seed rows for tables that do not exist: {unknown}")
    counts: dict[str, int] = {}
    for table in metadata.sorted_tables:
        table_rows = rows.get(table.name)
        if not table_rows:
            continue
        completed = complete(table, table_rows)
        statement = sa.insert(table)
        for start in range(0, len(completed), BATCH_ROWS):
            await conn.execute(statement, completed[start : start + BATCH_ROWS])
        counts[table.name] = len(completed)
    return counts
