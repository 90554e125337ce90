"""Kept SELECTs asked in one round inside :func:`db.kept.together` (the loads of one level of
a read plan) go to the database as one statement, and each caller gets exactly the rows it
gets alone: values, types, order, empty results, converted columns."""

from __future__ import annotations

import asyncio
import gc
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import kept
from db.queries import clients
from schema.kit.together import run_together
from tests.db.test_kept import LOOKUPS, lookup_of_first, same_rows, staff_scope

Asked = list[tuple[kept.Returning, Mapping[str, Any]]]


@contextmanager
def sent(connection: AsyncConnection) -> Iterator[list[str]]:
    """The SQL of each statement sent on ``connection`` within the block."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = connection.sync_engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


async def lookups(connection: AsyncConnection) -> Asked:
    """For each table of LOOKUPS, its first rows by id (enums, numerics, dates, nulls), a
    statement of the tests' own whose text holds ``$1`` in a literal and a quoted name, and
    a lookup finding nothing."""
    scope = await staff_scope(connection)
    asked: Asked = []
    for statement_of, table in LOOKUPS:
        asked.append(await lookup_of_first(connection, scope, statement_of, table, 15))
    dollars = kept.keep(
        sa.select(
            sa.literal_column("'costs $1 or $2'").label("price"),
            sa.literal_column('1 AS "$1"'),
            clients.SITE.c.name,
        )
        .where(clients.SITE.c.organization_id == sa.bindparam("organization", type_=sa.Uuid))
        .order_by(clients.SITE.c.name.desc(), clients.SITE.c.id)
        .limit(sa.bindparam("size", type_=sa.Integer))
    )
    asked.append((dollars, {"organization": scope.organization_id, "size": 7}))
    first, values = asked[0]
    asked.append((first, {**values, "row_ids": [uuid.uuid4()]}))
    return asked


async def test_the_statements_of_one_round_are_one_and_each_gets_its_own_rows(
    demo_connection: AsyncConnection,
) -> None:
    await demo_connection.begin()
    asked = await lookups(demo_connection)
    alone = [await kept.execute(demo_connection, s, v) for s, v in asked]
    assert [len(rows) for rows in alone[-2:]] == [7, 0]
    with sent(demo_connection) as statements, kept.together(demo_connection):
        outcomes = await run_together([kept.execute(demo_connection, s, v) for s, v in asked])
    assert len(statements) == 1
    assert statements[0].startswith("SELECT ARRAY(SELECT q FROM (")
    assert "'costs $1 or $2'" in statements[0]
    assert '"$1"' in statements[0]
    for outcome, rows in zip(outcomes, alone, strict=True):
        assert outcome.error is None
        same_rows(outcome.value, rows)


async def test_statements_never_run_alone_are_prepared_first_and_sent_together(
    demo_connection: AsyncConnection,
) -> None:
    """Columns planned without an execution: what is sent does not depend on what ran."""
    await demo_connection.begin()
    scope = await staff_scope(demo_connection)
    fresh = [
        kept.keep(
            sa.select(clients.SITE.c.id, clients.SITE.c.lat)
            .where(clients.SITE.c.organization_id == scope.organization_id)
            .order_by(clients.SITE.c.id)
            .limit(size)
        )
        for size in (2, 3, 4)
    ]
    with sent(demo_connection) as statements, kept.together(demo_connection):
        outcomes = await run_together([kept.execute(demo_connection, s, {}) for s in fresh])
    assert len(statements) == 1
    for outcome, statement in zip(outcomes, fresh, strict=True):
        same_rows(outcome.value, (await demo_connection.execute(statement)).all())


async def test_fewer_statements_in_a_round_are_sent_as_they_are(
    demo_connection: AsyncConnection,
) -> None:
    await demo_connection.begin()
    asked = (await lookups(demo_connection))[: kept.TOGETHER_FROM - 1]
    with sent(demo_connection) as statements, kept.together(demo_connection):
        outcomes = await run_together([kept.execute(demo_connection, s, v) for s, v in asked])
    assert len(statements) == len(asked)
    assert not any(statement.startswith("SELECT ARRAY(") for statement in statements)
    for outcome, (statement, values) in zip(outcomes, asked, strict=True):
        same_rows(outcome.value, await kept.execute(demo_connection, statement, values))


async def test_a_failure_reaches_every_statement_sent_with_it(
    demo_connection: AsyncConnection, caplog: pytest.LogCaptureFixture
) -> None:
    await demo_connection.begin()
    asked = await lookups(demo_connection)
    dollars, values = asked[-2]
    asked[-2] = (dollars, {**values, "size": -1})  # LIMIT must not be negative
    with kept.together(demo_connection):
        outcomes = await run_together([kept.execute(demo_connection, s, v) for s, v in asked])
    for outcome in outcomes:
        assert isinstance(outcome.error, sa.exc.DBAPIError)
        assert "LIMIT must not be negative" in str(outcome.error)
    gc.collect()
    assert "never retrieved" not in caplog.text


async def test_outside_the_block_each_statement_goes_alone(
    demo_connection: AsyncConnection,
) -> None:
    await demo_connection.begin()
    asked = await lookups(demo_connection)
    with sent(demo_connection) as statements:
        await run_together([kept.execute(demo_connection, s, v) for s, v in asked])
    assert len(statements) == len(asked)


async def test_the_first_cancelled_before_sending_cancels_those_waiting_on_it(
    demo_connection: AsyncConnection,
) -> None:
    """Under tasks (not the read plans' driver): none waits forever for a send that never
    comes."""
    await demo_connection.begin()
    asked = await lookups(demo_connection)
    with kept.together(demo_connection):
        tasks = [asyncio.create_task(kept.execute(demo_connection, s, v)) for s, v in asked[:2]]
        await asyncio.sleep(0)  # the first waits for the round, the second on the first
        tasks[0].cancel()
        outcomes = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 5)
    assert [type(outcome) for outcome in outcomes] == [asyncio.CancelledError] * 2
