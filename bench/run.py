"""``make bench``: Sportello, the floor and PostGraphile side by side on one seeded database.

Environment: ``BENCH_SCALE`` (seed scale, default 10), ``BENCH_SECONDS`` (per load, default
10), ``BENCH_CONCURRENCY`` (default ``1,16``), ``BENCH_WORKLOADS`` (names, default all),
``BENCH_REUSE=1`` (keep a cluster already seeded at that scale). See bench/README.md.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import secrets
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

from bench import cluster as clusters
from bench import compare, load, profile, report, servers
from bench.workloads import HERE as WORKLOADS_DIR
from bench.workloads import Fixture, Workload
from bench.workloads import load as load_workloads
from db.seed import DEMO_PASSWORD, demo_logins

ORGANIZATION = "brillanti"
STATEMENT_SAMPLES = 20
LOGIN_DOCUMENT = (WORKLOADS_DIR / "login.graphql").read_text()

# The richest site a contact sees whole: site-level contracts, issued invoices and tickets
# first, then the most equipment; the contact is one whose client grant covers it.
PICK_SITE = """
SELECT s.id AS site_id, k.email
FROM site s
JOIN organization o ON o.id = s.organization_id AND o.slug = $1
JOIN portal_grant g ON g.client_id = s.client_id AND g.site_id IS NULL
JOIN contact k ON k.id = g.contact_id
WHERE k.state = 'ACTIVE' AND k.deleted_at IS NULL AND k.portal_access
  AND k.can_view_contracts AND k.can_view_invoices AND k.password_hash IS NOT NULL
ORDER BY
  EXISTS (SELECT FROM contract c WHERE c.site_id = s.id) DESC,
  EXISTS (SELECT FROM invoice i WHERE i.site_id = s.id AND i.status IN ('CLOSED', 'PAID')) DESC,
  EXISTS (SELECT FROM ticket t WHERE t.site_id = s.id) DESC,
  (SELECT count(*) FROM equipment e WHERE e.site_id = s.id) DESC,
  s.id, k.email
LIMIT 1
"""
INSERT_PARTNER = """
INSERT INTO partner_token (id, created_at, organization_id, name, token_hash, last_four, scopes)
VALUES ($1, now(), $2, 'bench', $3, $4, ARRAY['reports:read', 'lists:read'])
"""


def setting(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


async def prepare_database(cluster: clusters.Cluster) -> Fixture:
    """PostGraphile's report functions, then the records and accounts the workloads use."""
    connection = await asyncpg.connect(cluster.dsn())
    try:
        for sql in sorted(WORKLOADS_DIR.glob("*.sql")):
            await connection.execute(sql.read_text())
        organization_id = await connection.fetchval(
            "SELECT id FROM organization WHERE slug = $1", ORGANIZATION
        )
        picked = await connection.fetchrow(PICK_SITE, ORGANIZATION)
        partner = "spp_" + secrets.token_urlsafe(32)
        await connection.execute(
            INSERT_PARTNER,
            uuid.uuid4(),
            organization_id,
            hashlib.sha256(partner.encode()).digest(),
            partner[-4:],
        )
    finally:
        await connection.close()
    staff = next(
        login.identifier
        for login in demo_logins()
        if login.role == "staff admin" and login.organization == ORGANIZATION
    )
    return Fixture(
        organization_slug=ORGANIZATION,
        organization_id=organization_id,
        today=cluster.today,
        staff_email=staff,
        contact_email=picked["email"],
        site_id=picked["site_id"],
        password=DEMO_PASSWORD,
        tokens={"partner": partner},
    )


def log_in(sportello: servers.Server, fixture: Fixture) -> Fixture:
    tokens = dict(fixture.tokens)
    for principal, identifier in (
        ("staff", fixture.staff_email),
        ("contact", fixture.contact_email),
    ):
        variables = {"org": fixture.organization_slug, "id": identifier, "pw": fixture.password}
        answer = httpx.post(sportello.url, json={"query": LOGIN_DOCUMENT, "variables": variables})
        tokens[principal] = answer.json()["data"]["login"]["token"]
    return replace(fixture, tokens=tokens)


def bodies(workload: Workload, fixture: Fixture) -> tuple[dict[str, Any], dict[str, Any] | None]:
    ours = {
        "query": workload.document,
        "variables": workload.variables(fixture),
        "operationName": workload.operation_name,
    }
    theirs = None
    if workload.postgraphile_document is not None and workload.postgraphile_variables:
        theirs = {
            "query": workload.postgraphile_document,
            "variables": workload.postgraphile_variables(fixture),
        }
    return ours, theirs


def post(url: str, body: dict[str, Any], auth: str | None) -> bytes:
    headers = {"authorization": auth} if auth else {}
    answer = httpx.post(url, json=body, headers=headers, timeout=60)
    if answer.status_code != 200:
        raise RuntimeError(f"{url} answered {answer.status_code}: {answer.text[:300]}")
    return answer.content


async def statements_per_request(
    cluster: clusters.Cluster, url: str, body: dict[str, Any], auth: str | None, name: str
) -> report.Statements | None:
    """Sequential requests between two reads of pg_stat_statements: exact, not sampled."""
    if not cluster.statement_stats:
        return None
    post(url, body, auth)  # connections open and statements prepared before counting
    await clusters.wait_idle(cluster)
    await clusters.reset_statements(cluster)
    for _ in range(STATEMENT_SAMPLES):
        post(url, body, auth)
    calls = await clusters.statement_calls(cluster)
    calls = {q: n for q, n in calls.items() if "pg_stat_statements" not in q}
    listing = clusters.WORK / "statements" / f"{name}.txt"
    listing.parent.mkdir(parents=True, exist_ok=True)
    listing.write_text(
        "".join(
            f"-- {n / STATEMENT_SAMPLES:g} per request\n{q}\n\n"
            for q, n in sorted(calls.items(), key=lambda item: -item[1])
        )
    )
    return report.Statements.of(calls, STATEMENT_SAMPLES)


def bench_workload(
    cluster: clusters.Cluster,
    workload: Workload,
    fixture: Fixture,
    running: dict[str, servers.Server],
    concurrency: list[int],
    seconds: float,
) -> report.WorkloadResult:
    print(f"\n== {workload.title}", flush=True)
    ours, theirs = bodies(workload, fixture)
    token = fixture.tokens.get(workload.principal or "")
    auth = f"Bearer {token}" if token else None
    targets: list[tuple[str, dict[str, Any], str | None]] = [
        ("Sportello", ours, auth),
        ("floor", ours, auth),
    ]
    if theirs is not None:
        targets.append(("PostGraphile", theirs, None))
    urls = {"Sportello": "sportello", "floor": "floor", "PostGraphile": "postgraphile"}
    answers = {name: post(running[urls[name]].url, body, a) for name, body, a in targets}
    floor_verdict = compare.same_body(workload, answers["Sportello"], answers["floor"])
    peer_verdict = (
        compare.same_data(workload, answers["Sportello"], answers["PostGraphile"])
        if "PostGraphile" in answers
        else None
    )
    print(f"   floor: {floor_verdict.detail}", flush=True)
    if peer_verdict is not None:
        print(f"   PostGraphile: {peer_verdict.detail}", flush=True)
    rows = []
    for name, body, a in targets:
        server = running[urls[name]]
        url = server.url
        counted = asyncio.run(
            statements_per_request(cluster, url, body, a, f"{workload.name}-{urls[name]}")
        )
        load.run(url, body, a, max(concurrency), min(2.0, seconds))  # warm up
        figures = []
        cpu = []
        for c in concurrency:
            asyncio.run(clusters.wait_idle(cluster))
            before = server.cpu_seconds()
            measured = load.run(url, body, a, c, seconds)
            cpu.append(1000 * (server.cpu_seconds() - before) / max(1, measured.requests))
            print(
                f"   {name:<12} c={c:<3} {measured.throughput:8.1f} req/s  "
                f"p50 {measured.p50_ms:7.2f} ms  p99 {measured.p99_ms:7.2f} ms  "
                f"CPU {cpu[-1]:.2f} ms/req  failures {measured.failures}",
                flush=True,
            )
            figures.append(measured)
        rows.append(report.ServerResult(name, figures, counted, cpu))
    result = report.WorkloadResult(workload, floor_verdict, peer_verdict, rows)
    if workload.name == "portal_site":
        result = replace(
            result, profile=profile_sportello(cluster, running["sportello"], ours, auth)
        )
    return result


def profile_sportello(
    cluster: clusters.Cluster, sportello: servers.Server, body: dict[str, Any], auth: str | None
) -> profile.Profile | None:
    if not profile.available():
        print("   py-spy is not installed: no profile", flush=True)
        return None
    seconds = float(setting("BENCH_SECONDS", "10"))
    raw = clusters.WORK / "profile-portal_site.txt"
    sampler = profile.record(sportello.pid, seconds, raw)
    time.sleep(1)
    load.run(sportello.url, body, auth, 16, seconds - 1)
    asyncio.run(clusters.wait_idle(cluster))
    sampler.wait(seconds + 30)
    if not raw.is_file():
        print("   py-spy wrote no profile (is ptrace allowed?)", flush=True)
        return None
    summary = profile.summarize(raw)
    print(f"   profiled {summary.samples} samples into {raw}", flush=True)
    return summary


def main() -> int:
    scale = int(setting("BENCH_SCALE", "10"))
    seconds = float(setting("BENCH_SECONDS", "10"))
    concurrency = [int(c) for c in setting("BENCH_CONCURRENCY", "1,16").split(",")]
    wanted = setting("BENCH_WORKLOADS", "").split(",") if os.environ.get("BENCH_WORKLOADS") else []
    workloads = [w for w in load_workloads() if not wanted or w.name in wanted]
    reuse = setting("BENCH_REUSE", "0") == "1"
    print(f"load generator: {load.generator()}", flush=True)
    cluster = asyncio.run(clusters.prepare(scale, reuse=reuse))
    running: dict[str, servers.Server] = {}
    try:
        fixture = asyncio.run(prepare_database(cluster))
        running["sportello"] = servers.start_sportello(cluster)
        running["floor"] = servers.start_floor(cluster)
        running["postgraphile"] = servers.start_postgraphile(cluster, str(fixture.organization_id))
        fixture = log_in(running["sportello"], fixture)
        results = [
            bench_workload(cluster, w, fixture, running, concurrency, seconds) for w in workloads
        ]
        meta = report.machine(cluster, seconds, load.generator())
        text = report.render(results, meta)
        out = clusters.WORK / f"side-by-side-{dt.datetime.now():%Y%m%d-%H%M%S}.md"
        out.write_text(text)
        report.update_results(Path(__file__).resolve().parent / "RESULTS.md", text)
        print(f"\nwritten to {out} and bench/RESULTS.md (between its bench markers)")
    finally:
        for server in running.values():
            server.stop()
        clusters.stop(cluster.pgdata)
    return 0


if __name__ == "__main__":
    sys.exit(main())
