"""Admission under load: what anonymous floods and one heavy caller cost everybody else.

Run by hand, never from the tests: ``.venv/bin/python -m bench.fairness [--scale N]``.
Starts a throwaway embedded PostgreSQL, seeds the demo data (scale 1 by default, what
``make run`` serves), starts ``python -m sportello serve`` with its default settings, then
measures over loopback, each probe sequential (one request at a time, timed by the client):

1. idle: ``/readyz`` and a contact's light query (``{ viewer { kind firstName } }``);
2. the same while 200 anonymous documents of about 2,000 tokens (``{ __typename ... }``, the
   issue's attack) arrive 8 at a time, and what they were answered;
3. the light contact beside a heavy one that keeps 20 queries in flight, each 25 aliases of
   ``timesheetEntries(first: 100)`` (issue 24 item 2), for ``--seconds``, and what the heavy
   one was answered (its budget and its share of the turns: sportello/admission.py);
4. the same with the heavy account's cost budget lifted (a server of its own), so that only
   its share of the turns protects the light contact.

The load comes from a child process (``python -m bench.fairness --load ...``), so that the
probes' own client is not slowed by the load generator's work on the same event loop.
Prints medians and 95th percentiles in milliseconds; the figures go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.kit import analyze, migrate_and_seed, percentile, throwaway_cluster
from bench.servers import Server, _start, free_port
from db.seed import DEMO_PASSWORD, demo_logins
from sportello.base.settings import PARTNER_BUDGET_MAX

TODAY = dt.date(2026, 11, 23)
ORG = "brillanti"
LIGHT_ROLE = "contact of several clients"
HEAVY_ROLE = "contact of one client"
LIGHT = "{ viewer { kind firstName } }"
ATTACK = "{ " + "__typename " * 1990 + "}"
HEAVY = (
    "{ "
    + " ".join(
        f"a{n}: timesheetEntries(first: 100) {{ edges {{ node {{ id clockIn clockOut "
        "durationMinutes source technician { displayName } site { name address } "
        "client { name } } } }"
        for n in range(25)
    )
    + " }"
)
LOGIN = (
    "mutation($o: String!, $i: String!, $p: String!) "
    "{ login(organization: $o, identifier: $i, password: $p) { token } }"
)


def summary(label: str, values: list[float]) -> str:
    return (
        f"  {label:<44} median {statistics.median(values):8.1f}  "
        f"p95 {percentile(values, 0.95):8.1f}  max {max(values):8.1f}  (n={len(values)})"
    )


@contextlib.contextmanager
def serving(url: str, folder: Path, **env: str) -> Any:
    port = free_port()
    environ = {"DATABASE_URL": url, "SPORTELLO_DATA_DIR": str(folder / "data"), **env}
    command = [sys.executable, "-m", "sportello", "serve", "--port", str(port)]
    server: Server = _start("fairness", command, environ, port)
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.stop()


async def token(client: httpx.AsyncClient, role: str) -> str:
    login = next(x for x in demo_logins() if x.organization == ORG and x.role == role)
    variables = {"o": ORG, "i": login.identifier, "p": DEMO_PASSWORD}
    answer = await client.post("/graphql", json={"query": LOGIN, "variables": variables})
    secret: str = answer.json()["data"]["login"]["token"]
    return secret


async def timed(client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> float:
    started = time.perf_counter()
    answer = await client.request(method, path, **kwargs)
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        raise SystemExit(f"{method} {path} answered {answer.status_code}: {answer.text[:200]}")
    return elapsed


class Probes:
    """/readyz and the light contact's query, one after the other, until told to stop."""

    def __init__(self, client: httpx.AsyncClient, light: str) -> None:
        self.client = client
        self.headers = {"authorization": f"Bearer {light}"}
        self.readyz: list[float] = []
        self.light: list[float] = []

    async def once(self) -> None:
        self.readyz.append(await timed(self.client, "GET", "/readyz"))
        body = {"query": LIGHT}
        self.light.append(
            await timed(self.client, "POST", "/graphql", json=body, headers=self.headers)
        )

    async def until(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.once()


async def probed_load(
    client: httpx.AsyncClient, light: str, *load: str
) -> tuple[Probes, dict[str, int], float]:
    """Probes while a child process runs ``load``; its answers and how long it took."""
    probes = Probes(client, light)
    stop = asyncio.Event()
    task = asyncio.create_task(probes.until(stop))
    started = time.perf_counter()
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.fairness", "--load", *load, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await child.communicate()
    took = time.perf_counter() - started
    stop.set()
    await task
    if child.returncode != 0:
        raise SystemExit(f"the load generator failed with {child.returncode}")
    answers: dict[str, int] = json.loads(output)
    return probes, answers, took


async def anonymous_flood(
    client: httpx.AsyncClient, total: int, at_once: int
) -> collections.Counter[str]:
    answers: collections.Counter[str] = collections.Counter()
    queue = list(range(total))

    async def sender() -> None:
        while queue:
            queue.pop()
            answer = await client.post("/graphql", json={"query": ATTACK})
            code = answer.json()["errors"][0]["extensions"]["code"]
            answers[f"{answer.status_code} {code}"] += 1

    await asyncio.gather(*(sender() for _ in range(at_once)))
    return answers


async def heavy_load(
    client: httpx.AsyncClient, heavy: str, in_flight: int, seconds: float
) -> collections.Counter[str]:
    answers: collections.Counter[str] = collections.Counter()
    deadline = time.monotonic() + seconds
    headers = {"authorization": f"Bearer {heavy}"}

    async def sender() -> None:
        while time.monotonic() < deadline:
            answer = await client.post(
                "/graphql", json={"query": HEAVY}, headers=headers, timeout=120
            )
            body = answer.json()
            code = body["errors"][0]["extensions"]["code"] if "errors" in body else "data"
            # An abusive client: a refusal is not a reason to wait.
            answers[f"{answer.status_code} {code}"] += 1

    await asyncio.gather(*(sender() for _ in range(in_flight)))
    return answers


async def scenario(
    server: tuple[str, Server],
    sessions: tuple[str, str],
    runs: int,
    seconds: float,
    heavy_only: bool,
) -> None:
    base_url, process = server
    light, heavy = sessions
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as probe_client:
        if not heavy_only:
            idle = Probes(probe_client, light)
            for _ in range(3):
                await idle.once()  # warm-up
            idle.readyz.clear()
            idle.light.clear()
            cpu = process.cpu_seconds()
            for _ in range(runs):
                await idle.once()
            # Server CPU per probe (a /readyz and a light query), the machine's other load aside.
            per_probe = (process.cpu_seconds() - cpu) / runs
            cpu = process.cpu_seconds()
            for _ in range(runs):
                await timed(
                    probe_client, "POST", "/graphql", json={"query": LIGHT}, headers=idle.headers
                )
            per_light = (process.cpu_seconds() - cpu) / runs
            print("idle:")
            print(summary("/readyz", idle.readyz))
            print(summary("light contact query", idle.light))

            cpu = process.cpu_seconds()
            flooded, answers, took = await probed_load(probe_client, light, "anonymous", base_url)
            spent = process.cpu_seconds() - cpu - per_probe * len(flooded.light)
            print(f"200 anonymous ~2,000-token documents, 8 at a time ({took:.2f} s):")
            print(
                f"  server CPU: {per_light * 1000:.2f} ms per light query alone, "
                f"{per_probe * 1000:.2f} ms per probe (/readyz and light query), about "
                f"{max(spent, 0) / 200 * 1000:.2f} ms per anonymous document (the flood's CPU "
                "less its probes')"
            )
            print(summary("/readyz", flooded.readyz))
            print(summary("light contact query", flooded.light))
            print(f"  anonymous answers: {answers}")

        beside, answers, _ = await probed_load(
            probe_client, light, "heavy", base_url, heavy, str(seconds)
        )
        label = "budget lifted" if heavy_only else "defaults"
        print(f"light contact beside a heavy one, 20 in flight, {seconds:.0f} s ({label}):")
        print(summary("/readyz", beside.readyz))
        print(summary("light contact query", beside.light))
        print(f"  heavy answers: {answers}")


async def run(scale: int, runs: int, seconds: float) -> None:
    with throwaway_cluster("fairness") as (url, folder):
        await migrate_and_seed(url, scale, TODAY)
        await analyze(url)
        with serving(url, folder / "defaults") as (base_url, process):
            # Logged in first: the flood spends this address's anonymous requests for the
            # minute, in every process (the sessions serve the second server too).
            async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
                sessions = (await token(client, LIGHT_ROLE), await token(client, HEAVY_ROLE))
            await scenario((base_url, process), sessions, runs, seconds, heavy_only=False)
        lifted = {"SPORTELLO_SESSION_COST_PER_MINUTE": str(PARTNER_BUDGET_MAX)}
        with serving(url, folder / "lifted", **lifted) as (base_url, process):
            await scenario((base_url, process), sessions, runs, seconds, heavy_only=True)
        print(
            f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
            f"load average {os.getloadavg()[0]:.1f}"
        )


async def load(kind: str, base_url: str, *arguments: str) -> None:
    """The child process: one load, its answers printed as JSON."""
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
        if kind == "anonymous":
            answers = await anonymous_flood(client, 200, 8)
        else:
            heavy, seconds = arguments
            answers = await heavy_load(client, heavy, 20, float(seconds))
    print(json.dumps(dict(answers)))


def main() -> None:
    if sys.argv[1:2] == ["--load"]:
        asyncio.run(load(*sys.argv[2:]))
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="seed scale")
    parser.add_argument("--runs", type=int, default=50, help="idle probes")
    parser.add_argument("--seconds", type=float, default=20, help="length of the heavy load")
    arguments = parser.parse_args()
    asyncio.run(run(arguments.scale, arguments.runs, arguments.seconds))


if __name__ == "__main__":
    main()
