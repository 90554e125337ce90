"""The standing connections (db/engine.py :class:`StandingConnections`): the budgets' upserts
committed on their own without a checkout each, and what happens when they are all busy, or
one fails or is cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.engine import StandingConnections, create_engine

BACKEND = sa.text("SELECT pg_backend_pid()")


@pytest.fixture
async def standing(engine: AsyncEngine) -> AsyncIterator[StandingConnections]:
    standing = StandingConnections(engine, 1)
    yield standing
    await standing.close()


def checked_out(engine: AsyncEngine) -> int:
    return engine.sync_engine.pool.checkedout()  # type: ignore[attr-defined, no-any-return]


async def backend(db: AsyncConnection) -> int:
    return int(await db.scalar(BACKEND))


async def standing_backend(standing: StandingConnections) -> int:
    """The server process of the connection a statement gets now."""
    async with standing.alone() as db:
        return await backend(db)


async def has_scratch(db: AsyncConnection) -> bool:
    return bool(await db.scalar(sa.text("SELECT to_regclass('scratch')::text")) == "scratch")


async def test_one_connection_stays_open_in_autocommit(
    engine: AsyncEngine, standing: StandingConnections
) -> None:
    """Each statement commits on its own (another connection sees it at once, none is left
    in a transaction), on the same server connection, held until close()."""
    async with standing.alone() as db:
        first = await backend(db)
        await db.execute(sa.text("CREATE TABLE scratch (n int)"))
        await db.execute(sa.text("INSERT INTO scratch VALUES (1)"))
        assert await db.scalar(sa.select(sa.func.txid_current_if_assigned())) is None
    async with engine.connect() as other:
        assert await other.scalar(sa.text("SELECT count(*) FROM scratch")) == 1
    assert await standing_backend(standing) == first
    assert checked_out(engine) == 1
    await standing.close()
    assert checked_out(engine) == 0
    async with standing.alone() as db:  # opened again after close()
        assert await db.scalar(sa.text("SELECT count(*) FROM scratch")) == 1


SYNCHRONOUS = sa.text("SHOW synchronous_commit")


async def test_their_commits_alone_do_not_wait_for_the_disk(
    engine: AsyncEngine, standing: StandingConnections
) -> None:
    """The standing connections' setting is theirs: the request's connections keep the
    server's, and close() ends the standing ones instead of pooling them with it."""
    async with standing.alone() as db:
        assert await db.scalar(SYNCHRONOUS) == "off"
        first = await backend(db)
    async with engine.connect() as other:
        assert await other.scalar(SYNCHRONOUS) == "on"
    await standing.close()
    async with engine.connect() as db:
        assert await db.scalar(SYNCHRONOUS) == "on"
        assert await backend(db) != first
        alive = sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
        for _ in range(50):  # the server process ends once it read the goodbye
            if await db.scalar(alive, {"pid": first}) == 0:
                break
            await asyncio.sleep(0.1)
        assert await db.scalar(alive, {"pid": first}) == 0


async def test_a_statement_asked_while_all_are_busy_takes_a_pooled_connection(
    engine: AsyncEngine, standing: StandingConnections
) -> None:
    async with standing.alone() as held:
        mine = await backend(held)
        async with standing.alone() as meanwhile:
            assert await backend(meanwhile) != mine
            await meanwhile.execute(sa.text("CREATE TABLE scratch (n int)"))
        assert checked_out(engine) == 1  # the pooled one went back
        # ... committed on its own too
        assert await has_scratch(held)
    assert await standing_backend(standing) == mine


async def test_up_to_size_stay_open(engine: AsyncEngine) -> None:
    standing = StandingConnections(engine, 2)
    try:
        async with standing.alone() as first, standing.alone() as second:
            both = {await backend(first), await backend(second)}
            async with standing.alone() as third:  # a third at once: from the pool
                assert await backend(third) not in both
        assert checked_out(engine) == 2
        for _ in range(3):
            async with standing.alone() as db:
                assert await backend(db) in both
    finally:
        await standing.close()
    assert checked_out(engine) == 0


async def test_a_failed_statement_closes_it_and_the_next_opens_another(
    engine: AsyncEngine, standing: StandingConnections
) -> None:
    first = await standing_backend(standing)
    with pytest.raises(DBAPIError):
        async with standing.alone() as db:
            await db.execute(sa.text("SELECT 1 / 0"))
    assert checked_out(engine) == 0  # closed, not given back
    async with standing.alone() as db:
        assert await backend(db) != first
        assert await db.scalar(sa.text("SELECT 1")) == 1


async def test_a_cancelled_statement_closes_it_and_the_next_opens_another(
    engine: AsyncEngine, standing: StandingConnections
) -> None:
    first = await standing_backend(standing)
    started = asyncio.Event()

    async def slow() -> None:
        async with standing.alone() as db:
            started.set()
            await db.execute(sa.text("SELECT pg_sleep(30)"))

    task = asyncio.create_task(slow())
    await started.wait()
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert checked_out(engine) == 0
    assert await standing_backend(standing) != first
    async with engine.connect() as other:  # the sleeping backend was ended, not left running
        sleeping = sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid AND state = 'active'"
        )
        for _ in range(50):
            if await other.scalar(sleeping, {"pid": first}) == 0:
                break
            await asyncio.sleep(0.1)
        assert await other.scalar(sleeping, {"pid": first}) == 0


async def test_behind_a_pooler_in_transaction_mode_no_connection_is_held(
    make_database: Callable[[], Awaitable[str]],
) -> None:
    """A pooler may give a held server connection's transactions to another client: each
    statement checks a connection out for its own transaction, as committed_alone does."""
    engine = create_engine(await make_database(), pool_size=2, pooler="transaction")
    standing = StandingConnections(engine, 1)
    try:
        async with standing.alone() as db:
            assert db.in_transaction()
            await db.execute(sa.text("CREATE TABLE scratch (n int)"))
        assert checked_out(engine) == 0
        async with engine.connect() as other:
            assert await has_scratch(other)
    finally:
        await standing.close()
        await engine.dispose()
