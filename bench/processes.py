"""The portal page with one and with two server processes (``sportello serve --workers N``).

``.venv/bin/python -m bench.processes [--scale 1] [--seconds 10] [--concurrency 1,16,32]
[--rounds 2]``:
the cluster, data, accounts and the portal page workload of ``make bench`` (bench/run.py),
served by ``sportello serve`` with one process, then two sharing the port, each loaded in
turn at each concurrency (1 then 2 processes, ``--rounds`` times, so that other work on the
machine weighs on both alike); the figures are printed as a table for RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import secrets
from pathlib import Path

from bench import cluster as clusters
from bench import load, servers
from bench.run import bodies, log_in, post, prepare_database
from bench.workloads import Fixture
from bench.workloads import load as load_workloads

WORKLOAD = "portal_site"


def server_cpu_seconds(server: servers.Server) -> float:
    """CPU time of the server's process and of the processes it forked (Linux /proc)."""
    pids = [server.pid]
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    pids += [int(pid) for pid in children.read_text().split()]
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def machine_busy_seconds() -> float:
    """CPU time all cores spent on anything but idling and waiting (Linux /proc/stat)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def measure(
    cluster: clusters.Cluster,
    fixture: Fixture,
    workers: int,
    concurrency: list[int],
    seconds: float,
) -> None:
    """Start ``sportello serve`` with ``workers`` processes, load it, print one row per
    concurrency, stop it."""
    server = servers.start_sportello(
        cluster,
        SPORTELLO_WORKERS=str(workers),
        SPORTELLO_FILE_SIGNING_KEY=secrets.token_urlsafe(32),
    )
    try:
        fixture = log_in(server, fixture)
        workload = next(w for w in load_workloads() if w.name == WORKLOAD)
        body, _ = bodies(workload, fixture)
        auth = f"Bearer {fixture.tokens[workload.principal or '']}"
        post(server.url, body, auth)
        load.run(server.url, body, auth, max(concurrency), min(2.0, seconds))  # warm up
        for c in concurrency:
            asyncio.run(clusters.wait_idle(cluster))
            cpu, busy = server_cpu_seconds(server), machine_busy_seconds()
            measured = load.run(server.url, body, auth, c, seconds)
            cpu = server_cpu_seconds(server) - cpu
            busy = machine_busy_seconds() - busy
            row = (
                f"| {workers} | {c} | {measured.throughput:.1f} | {measured.p50_ms:.2f} "
                f"| {measured.p99_ms:.2f} | {cpu / measured.seconds:.2f} "
                f"| {busy / measured.seconds:.2f} | {measured.failures} |"
            )
            print(row, flush=True)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", default="1,16,32")
    parser.add_argument(
        "--rounds", type=int, default=2, help="1 then 2 processes, this many times (interleaved)"
    )
    args = parser.parse_args()
    concurrency = [int(c) for c in args.concurrency.split(",")]
    cluster = asyncio.run(clusters.prepare(args.scale, reuse=False))
    try:
        fixture = asyncio.run(prepare_database(cluster))
        print(
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.system()} "
            f"{platform.machine()}, {os.cpu_count()} cores, load average "
            f"{os.getloadavg()[0]:.1f}, scale {args.scale}, {args.seconds:g} s per load, "
            f"generator {load.generator()}",
            flush=True,
        )
        print(
            "| processes | connections | req/s | p50 ms | p99 ms | Sportello cores "
            "| machine cores busy | failures |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for _ in range(args.rounds):
            for workers in (1, 2):
                measure(cluster, fixture, workers, concurrency, args.seconds)
    finally:
        clusters.stop(cluster.pgdata)


if __name__ == "__main__":
    main()
