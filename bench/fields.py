"""The portal dashboard query per resolved field, in process and over HTTP, staff vs contact.

Run by hand, never from the tests: ``.venv/bin/python -m bench.fields [--runs N] [--scale S]``.
Starts a throwaway embedded PostgreSQL, migrates it, seeds the demo data anchored on 2026-11-23
and runs graphql_examples/portal/site_dashboard.graphql for one site of the contact of one
client of "brillanti", as that contact and as the staff admin (the same site, so the same
query under a staff scope: the difference estimates what authorization costs):

- in process: the ASGI app called directly (:class:`Direct`: authentication, validation,
  loaders, SQL, JSON; no socket, and no HTTP client: httpx's ASGI transport cost about 1 ms of
  client-side work per request, more than a third of a small request's time), on the event
  loop and with the garbage collector that ``sportello serve`` uses (uvloop;
  :func:`sportello.serving.prepare_collector`);
- over HTTP: ``python -m sportello serve`` (uvicorn) on a local port.

The four requests (each role, the dashboard and its cut version below) take turns, so that
the machine's drift during a run weighs on all of them alike.

A resolved field is a key of the response's data (every object's every field, lists counted
once per element's fields). Two figures per field:

- per request: median request time / fields; it spreads the fixed costs of a request
  (HTTP, authentication, one SQL round trip per list) over its fields;
- marginal: the same document with every list cut to one element (``first: 1``) runs the
  same statements with fewer rows and fields; (time of the dashboard - time of the cut one) /
  (fields of the dashboard - its fields) is what one more resolved field costs (its share of a
  row read, execution, authorization, serialization), without the fixed costs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json as _json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import uvloop
from graphql import build_schema, execute_sync, parse

from bench.kit import analyze, machine, migrate_and_seed, throwaway_cluster
from bench.servers import _start, free_port
from db.seed import DEMO_PASSWORD, demo_logins
from sportello.app import create_app
from sportello.base.settings import Settings
from sportello.serving import prepare_collector

TODAY = dt.date(2026, 11, 23)
ROOT = Path(__file__).resolve().parent.parent
QUERY = (ROOT / "graphql_examples/portal/site_dashboard.graphql").read_text(encoding="utf-8")
LOGIN = """mutation($org: String!, $id: String!, $pw: String!) {
  login(organization: $org, identifier: $id, password: $pw) { token }
}"""
ORIGIN = {"origin": "http://127.0.0.1:8000"}
ROLES = ("contact of one client", "staff admin")


def one_per_list(query: str) -> str:
    """``query`` with every list cut to its first element (``first: 1``)."""
    return re.sub(r"first: \d+", "first: 1", query)


SMALL = one_per_list(QUERY)


def resolved_fields(value: Any) -> int:
    """How many fields the response resolved (keys of every object, recursively)."""
    if isinstance(value, dict):
        return len(value) + sum(resolved_fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(resolved_fields(v) for v in value)
    return 0


class Reply:
    def __init__(self, status_code: int, body: bytes) -> None:
        self.status_code = status_code
        self.body = body

    def json(self) -> Any:
        return _json.loads(self.body)


class Direct:
    """Calls an ASGI app with one HTTP request and collects its answer, nothing more."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def post(self, path: str, *, json: Any, headers: dict[str, str]) -> Reply:
        body = _json.dumps(json).encode()
        fields = {**headers, "content-type": "application/json", "host": "bench"}
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in fields.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("bench", 80),
        }
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return Reply(status, b"".join(chunks))


async def send(client: Any, query: str, token: str | None, **variables: Any) -> Any:
    headers = dict(ORIGIN)
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    return await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


def answered(response: Any) -> Any:
    """The data of ``response``; a failed query stops the benchmark."""
    body = response.json()
    if response.status_code != 200 or "errors" in body:
        raise SystemExit(f"the query failed: {body}")
    return body["data"]


async def post(client: Any, query: str, token: str | None, **variables: Any) -> Any:
    return answered(await send(client, query, token, **variables))


async def log_in(client: Any, role: str) -> str:
    identifier = next(
        login.identifier
        for login in demo_logins()
        if login.role == role and login.organization == "brillanti"
    )
    data = await post(client, LOGIN, None, org="brillanti", id=identifier, pw=DEMO_PASSWORD)
    token: str = data["login"]["token"]
    return token


async def first_site(client: Any, token: str) -> str:
    """The id of the first site ``token`` may see."""
    sites = await post(client, "{ sites(first: 1) { edges { node { id } } } }", token)
    site: str = sites["sites"]["edges"][0]["node"]["id"]
    return site


async def measure(
    client: Any, cases: list[tuple[str, str]], site: str, runs: int
) -> dict[tuple[str, str], list[float]]:
    """Microseconds of ``runs`` requests of each (document, token) case, after five of each
    to warm up. The cases take turns (in a rotating order), so that the machine's drift during
    the run weighs on all of them alike: the comparisons between them stay fair. A request is
    timed until its answer has arrived; reading the answer (JSON) is the client's work."""
    for query, token in cases:
        for _ in range(5):
            await post(client, query, token, site=site)
    timings: dict[tuple[str, str], list[float]] = {case: [] for case in cases}
    for run in range(runs):
        for query, token in cases[run % len(cases) :] + cases[: run % len(cases)]:
            started = time.perf_counter()
            response = await send(client, query, token, site=site)
            timings[query, token].append((time.perf_counter() - started) * 1e6)
            answered(response)
    return {case: sorted(found) for case, found in timings.items()}


async def run_all(client: Any, runs: int, label: str) -> dict[str, float]:
    """Prints one line per role; returns the median microseconds per field of each role."""
    tokens = {role: await log_in(client, role) for role in ROLES}
    site = await first_site(client, tokens[ROLES[0]])
    cases = [(query, tokens[role]) for role in ROLES for query in (QUERY, SMALL)]
    timings = await measure(client, cases, site, runs)
    per_field = {}
    for role in ROLES:
        token = tokens[role]
        fields = resolved_fields(await post(client, QUERY, token, site=site))
        few_fields = resolved_fields(await post(client, SMALL, token, site=site))
        median = statistics.median(timings[QUERY, token])
        few_median = statistics.median(timings[SMALL, token])
        marginal = (median - few_median) / (fields - few_fields)
        per_field[role] = median / fields
        print(
            f"  {label:<11} {role:<22} {median / 1000:7.2f} ms median, "
            f"{timings[QUERY, token][0] / 1000:7.2f} ms fastest, {fields:5d} fields, "
            f"{median / fields:6.1f} us per field; first: 1 {few_fields:5d} fields, "
            f"{few_median / 1000:7.2f} ms, marginal {marginal:5.1f} us per field"
        )
    return per_field


async def executor_floor(client: Any, runs: int) -> None:
    """Prints what graphql-core's executor alone costs per field of the contact's dashboard:
    the document (parsed once, not validated) executed with graphql-core's default resolvers
    over the answer already in memory, on the portal schema (schema/sdl/portal.graphql). No
    SQL, HTTP, authentication, validation or JSON: the least any resolver written for
    graphql-core's executor can cost."""
    token = await log_in(client, ROLES[0])
    site = await first_site(client, token)
    answer = await post(client, QUERY, token, site=site)
    schema = build_schema((ROOT / "schema/sdl/portal.graphql").read_text(encoding="utf-8"))
    document = parse(QUERY)
    timings = []
    for _ in range(runs + 5):
        started = time.perf_counter()
        result = execute_sync(schema, document, root_value=answer, variable_values={"site": site})
        timings.append((time.perf_counter() - started) * 1e6)
        if result.errors or result.data != answer:
            raise SystemExit(f"the executor did not give the answer back: {result.errors}")
    median = statistics.median(timings[5:])
    fields = resolved_fields(answer)
    print(
        f"  graphql-core's executor alone, on the contact's answer in memory: {median / 1000:.2f}"
        f" ms median, {fields} fields, {median / fields:.1f} us per field"
    )


UNLIMITED = 10**9


async def run(runs: int, scale: int) -> None:
    with throwaway_cluster("fields") as (url, folder):
        await migrate_and_seed(url, scale, TODAY)
        await analyze(url)
        print(f"{runs} runs each, scale {scale}")
        # No per-minute budget in the way of the measurement itself (it runs hundreds of
        # dashboards a minute).
        app = create_app(Settings(database_url=url, session_cost_per_minute=UNLIMITED))
        prepare_collector()  # as `sportello serve` does before its first request
        in_process = await run_all(Direct(app), runs, "in process")
        await executor_floor(Direct(app), runs)
        await app.state.sportello.close()
        port = free_port()
        env = {
            "DATABASE_URL": url,
            "SPORTELLO_DATA_DIR": str(folder / "data"),
            "SPORTELLO_SESSION_COST_PER_MINUTE": str(UNLIMITED),
        }
        server = _start(
            "fields", [sys.executable, "-m", "sportello", "serve", "--port", str(port)], env, port
        )
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                over_http = await run_all(client, runs, "over HTTP")
        finally:
            server.stop()
        for label, figures in (("in process", in_process), ("over HTTP", over_http)):
            overhead = figures[ROLES[0]] / figures[ROLES[1]] - 1
            print(f"  authorization, {label}: contact vs staff per field {overhead:+.0%}")
        print(machine())


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed requests per role")
    parser.add_argument("--scale", type=int, default=1, help="seed scale")
    args = parser.parse_args()
    uvloop.run(run(args.runs, args.scale))


if __name__ == "__main__":
    main()
