"""A plan's SQL does not grow with the data: each workload of bench/workloads/ and the portal
dashboard run the same number of statements on the demo data and on twice as much (scale 2),
through their plans, and never more than Strawberry's executor runs for the same request."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from db.engine import create_engine
from db.seed import seed
from schema.kit import ids
from tests.api import Demo, StatementCounter
from tests.api.dashboard.test_queries import FULL_SITE
from tests.api.examples.test_partner import PERIOD as PARTNER_PERIOD
from tests.api.examples.test_read_plans import ROOT, WORKLOADS, executions
from tests.api.examples.test_staff_and_portal import declared, variables
from tests.conftest import DEMO_DAY, Databases, MakeClient
from tests.partners import partner_token

# The pages of one site are asked by staff for a site where every part has rows, so that no
# relation is skipped for being empty at one scale and not at the other.
DOCUMENTS = {
    **WORKLOADS,
    "portal_site.graphql": "full site",
    "../../graphql_examples/portal/site_dashboard.graphql": "full site",
}
Apps = Callable[[int], Awaitable[tuple[Demo, Demo]]]


@pytest.fixture
async def apps(
    databases: Databases, migrated_template: str, make_client: MakeClient
) -> AsyncIterator[Apps]:
    """(app with plans, app without) on a fresh database seeded at the given scale."""
    made: list[tuple[Any, str]] = []

    async def make(scale: int) -> tuple[Demo, Demo]:
        name = await databases.create(migrated_template)
        url = databases.url(name)
        engine = create_engine(url, pool_size=1)
        made.append((engine, name))
        async with engine.begin() as connection:
            await seed(connection, scale=scale, today=DEMO_DAY)
        return (
            Demo(engine, await make_client(url, read_plans=True)),
            Demo(engine, await make_client(url, read_plans=False)),
        )

    yield make
    for engine, name in made:
        await engine.dispose()
        await databases.drop(name)


async def statements(demo: Demo, source: str, sender: str) -> tuple[int, Any]:
    """How many statements the request of ``sender`` runs, and its answer."""
    named: dict[str, Any]
    if sender == "partner":
        token, named = await partner_token(demo), dict(PARTNER_PERIOD)
    elif sender == "full site":
        token = await demo.as_("staff admin")
        named = {"site": ids.encode("Site", await demo.scalar(FULL_SITE))}
    else:
        token = await demo.as_("staff admin" if sender == "staff" else "contact of one client")
        named = await variables(demo, token, declared(source))
    await demo.gql(source, token, **named)  # caches warmed: the count is the request's own
    with StatementCounter(demo.app_engine) as counter:
        response = await demo.gql(source, token, **named)
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    return len(counter.statements), response.json()["data"]


async def test_statements_do_not_grow_with_the_data(apps: Apps) -> None:
    counts: dict[tuple[str, int, bool], int] = {}
    for scale in (1, 2):
        planned, unplanned = await apps(scale)
        for name, sender in DOCUMENTS.items():
            source = (ROOT / "bench" / "workloads" / name).resolve().read_text(encoding="utf-8")
            before = executions("strawberry")
            counts[name, scale, True], _ = await statements(planned, source, sender)
            assert executions("strawberry") == before, f"{name} fell back to Strawberry"
            counts[name, scale, False], _ = await statements(unplanned, source, sender)
    for name in DOCUMENTS:
        assert counts[name, 1, True] == counts[name, 2, True], (name, counts)
        assert counts[name, 1, True] <= counts[name, 1, False], (name, counts)
