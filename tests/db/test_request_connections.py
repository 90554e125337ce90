"""The requests' connections (db/engine.py :class:`RequestConnections`): kept between requests
without a checkout each, handed back without the last request's transaction or settings, and
closed for good after a failure."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.engine import RequestConnections, create_engine
from tests.db.test_standing import backend, checked_out, has_scratch


@pytest.fixture
async def connections(engine: AsyncEngine) -> AsyncIterator[RequestConnections]:
    kept = RequestConnections(engine, 1)
    yield kept
    await kept.close()


async def request(connections: RequestConnections, *, clean: bool = True) -> int:
    """One request's connection, its transaction committed: its server process."""
    db = await connections.take()
    async with db.begin():
        pid = await backend(db)
    await connections.give_back(db, clean=clean)
    return pid


async def ended(db: AsyncConnection, pid: int) -> bool:
    """Whether the server process ``pid`` ends (it reads the goodbye on its own time)."""
    alive = sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
    for _ in range(50):
        if await db.scalar(alive, {"pid": pid}) == 0:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_one_connection_serves_request_after_request(
    engine: AsyncEngine, connections: RequestConnections
) -> None:
    first = await request(connections)
    assert checked_out(engine) == 1  # kept, not given back to the pool
    assert await request(connections) == first
    await connections.close()
    assert checked_out(engine) == 0


async def test_what_a_request_left_open_is_rolled_back_and_its_settings_go_with_it(
    engine: AsyncEngine, connections: RequestConnections
) -> None:
    db = await connections.take()
    await db.begin()
    await db.execute(sa.text("CREATE TABLE scratch (n int)"))
    await db.execute(sa.text("SELECT set_config('app.organization_id', 'someone', true)"))
    pid = await backend(db)
    await connections.give_back(db, clean=True)  # its answer sent, nothing committed
    again = await connections.take()
    assert again is db
    assert not again.in_transaction()
    assert await backend(again) == pid
    assert not await has_scratch(again)
    setting = sa.text("SELECT current_setting('app.organization_id', true)")
    assert await again.scalar(setting) in ("", None)
    await connections.give_back(again, clean=True)


async def test_after_a_failure_it_is_closed_for_good(
    engine: AsyncEngine, connections: RequestConnections
) -> None:
    first = await request(connections, clean=False)
    assert checked_out(engine) == 0
    async with engine.connect() as other:
        assert await ended(other, first)
    assert await request(connections) != first


async def test_a_connection_that_cannot_roll_back_is_closed(
    engine: AsyncEngine, connections: RequestConnections
) -> None:
    """Given back while a statement still runs on it (a request cancelled mid-statement whose
    route believed it clean): the rollback fails, and the connection is not kept."""
    db = await connections.take()
    await db.begin()
    pid = await backend(db)
    sleeping = asyncio.create_task(db.execute(sa.text("SELECT pg_sleep(30)")))
    await asyncio.sleep(0.2)
    await connections.give_back(db, clean=True)
    assert checked_out(engine) == 0  # closed at once, not kept
    sleeping.cancel()
    with pytest.raises(BaseException):  # noqa: B017,PT011 - cancelled or failed, either ends it
        await sleeping
    assert await request(connections) != pid
    async with engine.connect() as other:
        assert await ended(other, pid)


async def test_beyond_size_a_request_takes_one_of_the_pool(
    engine: AsyncEngine, connections: RequestConnections
) -> None:
    held = await connections.take()
    other = await connections.take()  # a second at once: the pool's
    assert await backend(other) != await backend(held)
    assert checked_out(engine) == 2
    await connections.give_back(other, clean=True)
    assert checked_out(engine) == 1  # back in the pool
    await connections.give_back(held, clean=True)
    assert checked_out(engine) == 1  # kept


async def test_behind_a_pooler_in_transaction_mode_none_is_kept(
    make_database: Callable[[], Awaitable[str]],
) -> None:
    engine = create_engine(await make_database(), pool_size=2, pooler="transaction")
    connections = RequestConnections(engine, 1)
    try:
        await request(connections)
        assert checked_out(engine) == 0
    finally:
        await connections.close()
        await engine.dispose()
