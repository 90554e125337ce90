"""Partner reports at scale 10: how long each report takes through the whole HTTP app.

Run by hand, never from the tests: ``.venv/bin/python -m bench.reports [--runs N]``.

Starts a throwaway embedded PostgreSQL in a temporary folder, migrates it, seeds the demo data
at scale 10 anchored on 2026-11-23 (deterministic: the same rows every run), creates a partner
token of the whole organization, then posts each report query of a year to the app in process
(httpx over ASGI: authentication, validation, cost, rate limit, SQL and JSON included; no
network). Prints the median, 95th percentile and fastest time of each report, and the
statements PostgreSQL runs for the heaviest one. The cluster is deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import statistics
import time
import uuid
from typing import Any

import httpx
import sqlalchemy as sa

from bench.kit import analyze, machine, migrate_and_seed, percentile, throwaway_cluster
from db.engine import create_engine
from sportello.app import create_app
from sportello.base.settings import Settings

SCALE = 10
TODAY = dt.date(2026, 11, 23)
PERIOD = {"from": "2025-11-24", "to": "2026-11-23"}
ROWS = "rows(first: 1000) { totalCount edges { node { %s } } }"
SITE = "periodStart clientId clientName siteId siteName"
# Each report as a partner's BI tool asks for it: a year, the finest useful grouping.
REPORTS = {
    "interventions by day and site": (
        "interventionReport(from: $from, to: $to, period: DAY, groupBy: SITE) "
        "{ totals { total done } "
        + ROWS % "periodStart groupId groupName total requested planned inProgress done cancelled"
        + " }"
    ),
    "interventions by month and client": (
        "interventionReport(from: $from, to: $to, period: MONTH, groupBy: CLIENT) "
        "{ totals { total } " + ROWS % "periodStart groupId groupName total done" + " }"
    ),
    "hours by week and site": (
        "hoursReport(from: $from, to: $to, period: WEEK) { totals { hours entries } "
        + ROWS % f"{SITE} hours entries"
        + " }"
    ),
    "tickets by urgency": (
        "ticketReport(from: $from, to: $to) { totals { opened medianFirstResponseMinutes } "
        "byUrgency { urgency opened resolved stillOpen medianFirstResponseMinutes "
        "p90FirstResponseMinutes medianResolutionMinutes p90ResolutionMinutes } }"
    ),
    "revision compliance by month and site": (
        "revisionComplianceReport(from: $from, to: $to) { totals { performed passRate } "
        + ROWS
        % f"{SITE} performed passed passedWithRemarks failed passRate "
        "nonCompliantEquipment" + " }"
    ),
    "equipment by last outcome": (
        "equipmentStatusReport(from: $from, to: $to) { totals { total } "
        + ROWS % "clientName siteId siteName total compliant nonCompliant notChecked notRevised"
        + " }"
    ),
}


async def prepare(url: str) -> str:
    """Migrate and seed the database at ``url``; a partner token of the largest organization."""
    await migrate_and_seed(url, SCALE, TODAY)
    await analyze(url)
    engine = create_engine(url, pool_size=2, statement_timeout_ms=0)
    try:
        secret = "spp_" + uuid.uuid4().hex + uuid.uuid4().hex[:11]
        async with engine.begin() as connection:
            org = await connection.scalar(
                sa.text(
                    "SELECT organization_id FROM timesheet_entry GROUP BY 1 "
                    "ORDER BY count(*) DESC LIMIT 1"
                )
            )
            await connection.execute(
                sa.text(
                    "INSERT INTO partner_token (id, created_at, organization_id, name, "
                    "token_hash, last_four, scopes) VALUES (gen_random_uuid(), now(), :org, "
                    "'bench', :hash, :four, ARRAY['reports:read'])"
                ),
                {"org": org, "hash": hashlib.sha256(secret.encode()).digest(), "four": secret[-4:]},
            )
            sizes = await connection.execute(
                sa.text(
                    "SELECT (SELECT count(*) FROM intervention WHERE organization_id = :org), "
                    "(SELECT count(*) FROM timesheet_entry WHERE organization_id = :org), "
                    "(SELECT count(*) FROM site WHERE organization_id = :org)"
                ),
                {"org": org},
            )
            interventions, entries, sites = sizes.one()
        print(f"organization: {interventions} interventions, {entries} clock-ins, {sites} sites")
        return secret
    finally:
        await engine.dispose()


async def measure(client: httpx.AsyncClient, token: str, query: str, runs: int) -> list[float]:
    """Milliseconds of ``runs`` requests of ``query``, after three to warm up."""
    document = f"query($from: Date!, $to: Date!) {{ {query} }}"
    body = {"query": document, "variables": PERIOD}
    headers = {"authorization": f"Bearer {token}"}
    timings = []
    for attempt in range(runs + 3):
        started = time.perf_counter()
        response = await client.post("/graphql", json=body, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        answer: dict[str, Any] = response.json()
        if response.status_code != 200 or "errors" in answer:
            raise SystemExit(f"the report failed: {answer}")
        if attempt >= 3:
            timings.append(elapsed)
    return timings


async def count_statements(app: Any, client: httpx.AsyncClient, token: str, query: str) -> int:
    """The SQL statements one request of ``query`` runs."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = app.state.sportello.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        await measure(client, token, query, 1)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    # measure() warms up three times before the timed run.
    return len(seen) // 4


async def run(runs: int) -> None:
    with throwaway_cluster("reports") as (url, _):
        token = await prepare(url)
        # No per-minute budget in the way of the measurement itself.
        settings = Settings(
            database_url=url, partner_requests_per_minute=10**6, partner_cost_per_minute=10**9
        )
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            print(f"\n{runs} runs each, milliseconds per request (median / p95 / fastest):")
            medians = {}
            for name, query in REPORTS.items():
                timings = sorted(await measure(client, token, query, runs))
                median = statistics.median(timings)
                p95 = percentile(timings, 0.95)
                medians[name] = median
                print(f"  {name:<40} {median:7.1f} {p95:7.1f} {timings[0]:7.1f}")
            heaviest = max(medians, key=lambda name: medians[name])
            statements = await count_statements(app, client, token, REPORTS[heaviest])
        await app.state.sportello.close()
        print(f"\nheaviest: {heaviest}, median {medians[heaviest]:.1f} ms, {statements} SQL")
        print("statements per request (authentication, budget and report included)")
        print(machine())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed requests per report")
    asyncio.run(run(parser.parse_args().runs))


if __name__ == "__main__":
    main()
