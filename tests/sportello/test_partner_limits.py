"""Partner tokens: pages up to 1,000 rows, and a budget of requests and cost per minute."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from db.pagination import MAX_PAGE, PARTNER_MAX_PAGE
from tests.api import Demo
from tests.conftest import MakeClient
from tests.partners import partner_token

HOURS = """query($first: Int) { hoursReport(from: "2026-05-01", to: "2027-04-30", period: WEEK) {
  rows(first: $first) { totalCount edges { node { hours } } } } }"""
CLIENTS = "query($first: Int) { clients(first: $first) { edges { node { name } } } }"


async def post(client: httpx.AsyncClient, token: str, query: str, **variables: Any) -> Any:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )
    return response


async def within_one_minute(attempt: Callable[[], Awaitable[None]]) -> None:
    """Run ``attempt`` so that it starts and ends in the same clock minute (budgets are per
    minute): waits for a fresh minute when too close to the end of this one."""
    now = dt.datetime.now(dt.UTC)
    if now.second >= 50:
        await asyncio.sleep(61 - now.second)
    await attempt()


async def test_partners_read_pages_of_up_to_a_thousand_rows(demo: Demo) -> None:
    token = await partner_token(demo, scopes=["reports:read", "lists:read"])
    rows = (await demo.data(HOURS, token, first=PARTNER_MAX_PAGE))["hoursReport"]["rows"]
    assert rows["totalCount"] > MAX_PAGE
    assert len(rows["edges"]) == min(rows["totalCount"], PARTNER_MAX_PAGE)
    assert "errors" not in (await demo.gql(CLIENTS, token=token, first=PARTNER_MAX_PAGE)).json()
    too_many = (await demo.gql(HOURS, token=token, first=PARTNER_MAX_PAGE + 1)).json()
    assert too_many["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    # Staff pages stay at 100, even right after a partner's request.
    staff = await demo.as_("staff admin")
    for query in (HOURS, CLIENTS):
        body = (await demo.gql(query, token=staff, first=MAX_PAGE + 1)).json()
        assert body["errors"][0]["extensions"]["field"] == "first"


async def test_a_token_over_its_request_budget_is_rate_limited(
    demo: Demo, demo_database: str, make_client: MakeClient
) -> None:
    client = await make_client(demo_database, partner_requests_per_minute=3)
    token = await partner_token(demo)
    other = await partner_token(demo)
    staff = await demo.as_("staff admin")

    async def attempt() -> None:
        for _ in range(3):
            assert (await post(client, token, HOURS, first=1)).status_code == 200
        refused = await post(client, token, HOURS, first=1)
        assert refused.status_code == 429
        error = refused.json()["errors"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert 1 <= error["extensions"]["retryAfter"] <= 60
        assert refused.headers["retry-after"] == str(error["extensions"]["retryAfter"])
        # Exports count too; other tokens and staff are not affected.
        export = await client.get(
            "/export/hoursReport.csv?from=2026-05-01&to=2026-05-31",
            headers={"authorization": f"Bearer {token}"},
        )
        assert export.status_code == 429
        assert (await post(client, other, HOURS, first=1)).status_code == 200
        assert (await post(client, staff, HOURS, first=1)).status_code == 200

    await within_one_minute(attempt)
    counted = await demo.scalar(
        "SELECT u.requests FROM partner_usage u JOIN partner_token t ON t.id = u.partner_token_id "
        "WHERE t.last_four = :four",
        four=token[-4:],
    )
    assert counted == 3  # refused requests are not counted: the next minute starts afresh


async def test_a_token_over_its_cost_budget_is_rate_limited(
    demo: Demo, demo_database: str, make_client: MakeClient
) -> None:
    # rows(first: 1000) { edges { node } } costs 2,003: two fit in 5,000, a third does not.
    client = await make_client(demo_database, partner_cost_per_minute=5_000)
    token = await partner_token(demo)

    async def attempt() -> None:
        for _ in range(2):
            assert (await post(client, token, HOURS, first=1000)).status_code == 200
        refused = await post(client, token, HOURS, first=1000)
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        # A cheap request still fits in what is left of the budget.
        assert (await post(client, token, HOURS, first=10)).status_code == 200

    await within_one_minute(attempt)
