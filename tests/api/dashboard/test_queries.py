"""The portal's per-site dashboard in one request, with SQL that does not grow with the data."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import pytest

from db.engine import create_engine
from db.seed import DEMO_PASSWORD, seed
from schema.kit import ids
from tests.api import Demo, StatementCounter
from tests.conftest import DEMO_DAY, Databases, MakeClient

EXAMPLES = Path(__file__).resolve().parents[3] / "graphql_examples"
DASHBOARD = (EXAMPLES / "portal" / "site_dashboard.graphql").read_text()
MY_SITES = (EXAMPLES / "portal" / "my_sites.graphql").read_text()


@pytest.fixture
async def doubled(
    databases: Databases, migrated_template: str, make_client: MakeClient
) -> AsyncIterator[Demo]:
    """The demo data at scale 2: twice the clients, sites and history."""
    name = await databases.create(migrated_template)
    url = databases.url(name)
    engine = create_engine(url, pool_size=1)
    async with engine.begin() as connection:
        await seed(connection, scale=2, today=DEMO_DAY)
    yield Demo(engine, await make_client(url))
    await engine.dispose()
    await databases.drop(name)


# A site of the Italian demo company where every part of the dashboard has something to show,
# so that no relation is skipped for being empty.
FULL_SITE = """
SELECT s.id FROM site s JOIN organization o ON o.id = s.organization_id
WHERE o.slug = 'brillanti'
  AND EXISTS (SELECT 1 FROM invoice i JOIN document d ON d.invoice_id = i.id
              WHERE i.site_id = s.id AND i.status IN ('CLOSED', 'PAID'))
  AND EXISTS (SELECT 1 FROM quote q JOIN document d ON d.quote_id = q.id WHERE q.site_id = s.id)
  AND EXISTS (SELECT 1 FROM work_sheet w JOIN document d ON d.work_sheet_id = w.id
              WHERE w.site_id = s.id)
  AND EXISTS (SELECT 1 FROM contract c JOIN document d ON d.contract_id = c.id
              WHERE c.site_id = s.id)
  AND EXISTS (SELECT 1 FROM revision r JOIN document d ON d.revision_id = r.id
              WHERE r.site_id = s.id AND r.performed_at IS NOT NULL)
  AND EXISTS (SELECT 1 FROM revision r WHERE r.site_id = s.id AND r.performed_at IS NULL)
  AND EXISTS (SELECT 1 FROM equipment e WHERE e.site_id = s.id)
  AND EXISTS (SELECT 1 FROM ticket t WHERE t.site_id = s.id)
ORDER BY s.id LIMIT 1
"""


async def dashboard(demo: Demo, site: str | None = None) -> tuple[dict[str, Any], int]:
    """A site's dashboard as the single-client contact sees it (its first site) or, given a
    site id, as staff see it; and the statements it took."""
    if site is None:
        email = demo.login_of("contact of one client")
        login = await demo.login(email, DEMO_PASSWORD, org="brillanti")
        token = login.json()["data"]["login"]["token"]
        site = (await demo.data(MY_SITES, token))["sites"]["edges"][0]["node"]["id"]
    else:
        token = await demo.as_("staff admin")
    with StatementCounter(demo.app_engine) as counter:
        data = await demo.data(DASHBOARD, token, site=site)
    return data, len(counter.statements)


async def test_the_dashboard_of_a_site_comes_in_one_request(demo: Demo) -> None:
    data, statements = await dashboard(demo)
    site = data["site"]
    assert site["client"]["name"]
    assert site["equipment"]["totalCount"] == len(site["equipment"]["edges"])
    for invoice in site["invoices"]["edges"]:
        assert invoice["node"]["status"] in {"CLOSED", "PAID"}
    for quote in site["quotes"]["edges"]:
        assert quote["node"]["status"] != "DRAFT"
    assert data["ticketStatistics"]["total"] >= site["tickets"]["totalCount"]
    # authentication and binding in one statement, then one per relation of the document
    # at most (issue 5: at most 1 + the number of relation edges)
    assert statements <= 1 + 26


async def test_the_dashboard_costs_the_same_statements_on_twice_the_data(
    demo: Demo, doubled: Demo
) -> None:
    small_site = await demo.scalar(FULL_SITE)
    large_site = await doubled.scalar(FULL_SITE)
    assert small_site is not None
    assert large_site is not None
    small, small_count = await dashboard(demo, ids.encode("Site", small_site))
    large, large_count = await dashboard(doubled, ids.encode("Site", large_site))
    for data in (small, large):
        assert data["site"]["lastRevision"]["documents"]["edges"]
        assert data["site"]["invoices"]["edges"]
    assert small_count == large_count


async def test_the_staff_timesheet_page_example_answers(demo: Demo) -> None:
    query = (EXAMPLES / "staff" / "timesheets_page.graphql").read_text()
    token = await demo.as_("staff admin")
    page = (await demo.data(query, token))["timesheetEntries"]
    assert len(page["edges"]) == 100
    expected = await demo.scalar(
        "SELECT count(*) FROM timesheet_entry t JOIN organization o "
        "ON o.id = t.organization_id WHERE o.slug = 'brillanti'"
    )
    assert page["totalCount"] == expected
    assert all(edge["node"]["technician"]["displayName"] for edge in page["edges"])


# Who may own an object freed late: the test's HTTP client (httpx keeps a response and its
# stream in a cycle) and Python's own types (containers reached from that cycle).
CLIENT_SIDE = ("httpx.", "builtins.")


async def server_objects_in_cycles(request: Awaitable[object]) -> list[str]:
    """The types of the server's objects that ``request`` left in reference cycles: freed only
    by the garbage collector, not when the request ends."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        await request
        gc.collect()
        kinds = {f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage}
        return sorted(kind for kind in kinds if not kind.startswith(CLIENT_SIDE))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


async def test_a_request_leaves_nothing_in_reference_cycles(demo: Demo) -> None:
    """A request's rows, loaders and execution state are freed when it ends. A cycle among
    them (a loader's function referring to its loaders, the executor keeping resolve infos
    that refer back to it) left about 1,200 objects of each dashboard to the garbage
    collector, whose passes took 0.5 ms of a 7 ms request (bench/RESULTS.md). A cycle among
    Python's own types alone (dicts, lists, functions) would not be seen here."""
    contact = await demo.as_("contact of one client")
    site = (await demo.data(MY_SITES, contact))["sites"]["edges"][0]["node"]["id"]
    staff = await demo.as_("staff admin")
    timesheets = (EXAMPLES / "staff" / "timesheets_page.graphql").read_text()
    # Once first: a document's first request builds what is kept (validation, statements).
    for query, token, variables in (
        (DASHBOARD, contact, {"site": site}),
        (timesheets, staff, {}),
    ):
        await demo.data(query, token, **variables)
        assert await server_objects_in_cycles(demo.data(query, token, **variables)) == []


LAST_REVISION = "query($site: ID!) { site(id: $site) { lastRevision { id performedAt } } }"
BOTH_REVISIONS = """query($site: ID!) {
  site(id: $site) { lastRevision { id performedAt } nextRevision { id dueMonth } }
}"""


async def test_a_sites_last_and_next_revision_share_one_statement(demo: Demo) -> None:
    """Both read through one statement per level (db/queries/revisions.py
    revisions_around_sites): asking for the next revision too costs no statement more."""
    token = await demo.as_("staff admin")
    site = ids.encode("Site", await demo.scalar(FULL_SITE))
    counted = []
    for source in (LAST_REVISION, BOTH_REVISIONS, BOTH_REVISIONS):
        with StatementCounter(demo.app_engine) as counter:
            data = await demo.data(source, token, site=site)
        counted.append(len(counter.statements))
    assert data["site"]["lastRevision"]["performedAt"]
    assert data["site"]["nextRevision"]["dueMonth"]
    assert counted[0] == counted[2], counted
