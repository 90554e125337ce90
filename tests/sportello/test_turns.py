"""A process executes at most ``concurrent_requests`` GraphQL operations at once.

One operation is made to wait on a table lock held by the test; a second operation that needs
no locked table then finishes while the first waits only when a second turn exists.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
import sqlalchemy as sa

from db.engine import create_engine
from sportello.base.settings import Settings, SettingsError
from tests import factories
from tests.api import VIEWER, Api
from tests.conftest import MakeClient

CONTRACTS = "{ contracts(first: 1) { totalCount } }"


async def waiting_on_a_lock(api: Api) -> int:
    count = await api.scalar("SELECT count(*) FROM pg_locks WHERE NOT granted")
    return int(count)


@pytest.mark.parametrize("turns", [1, 2])
async def test_an_operation_waits_for_a_turn(
    turns: int, make_client: MakeClient, make_database: Callable[[], Awaitable[str]]
) -> None:
    url = await make_database()
    engine = create_engine(url, pool_size=2)
    org = await factories.organization(engine, "acme")
    await factories.staff(engine, org, "admin@acme.example")
    api = Api(engine, await make_client(url, concurrent_requests=turns))
    token = await api.token("admin@acme.example")
    try:
        async with engine.connect() as locker:
            await locker.begin()
            await locker.execute(sa.text("LOCK TABLE contract IN ACCESS EXCLUSIVE MODE"))
            blocked = asyncio.create_task(api.gql(CONTRACTS, token))
            while not await waiting_on_a_lock(api):  # noqa: ASYNC110 - polls PostgreSQL
                await asyncio.sleep(0.01)
            quick = asyncio.create_task(api.gql(VIEWER, token))
            done, _ = await asyncio.wait({quick}, timeout=2)
            finished_while_locked = quick in done
            await locker.rollback()
        assert (await blocked).json()["data"]["contracts"]["totalCount"] == 0
        assert (await quick).json()["data"]["viewer"]["kind"] == "STAFF"
        assert finished_while_locked is (turns > 1)
    finally:
        await engine.dispose()


def test_at_least_one_turn() -> None:
    with pytest.raises(SettingsError, match="SPORTELLO_CONCURRENT_REQUESTS"):
        Settings.from_env({"SPORTELLO_CONCURRENT_REQUESTS": "0"})


@pytest.mark.parametrize("name", ["PARTNER_REQUESTS_PER_MINUTE", "PARTNER_COST_PER_MINUTE"])
def test_partner_budgets_fit_what_postgresql_counts(name: str) -> None:
    """Budgets are counted in int4 columns: 2^31 used to start, then fail every request."""
    with pytest.raises(SettingsError, match=f"SPORTELLO_{name}=2147483648"):
        Settings.from_env({f"SPORTELLO_{name}": str(2**31)})
    with pytest.raises(SettingsError, match=f"SPORTELLO_{name}=0"):
        Settings.from_env({f"SPORTELLO_{name}": "0"})
    Settings.from_env({f"SPORTELLO_{name}": "1000000000"})
