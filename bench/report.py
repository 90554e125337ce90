"""The side-by-side tables: rendered as Markdown and kept in bench/RESULTS.md between markers.

Only the text between ``BEGIN`` and ``END`` below is replaced in RESULTS.md; every other
section of that file (the analysis, the partner reports) is left as it is.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import platform
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

from bench import cluster as clusters
from bench.compare import Verdict
from bench.load import Figures
from bench.profile import Profile
from bench.workloads import Workload

BEGIN = "<!-- bench/run.py: side-by-side tables begin -->"
END = "<!-- bench/run.py: side-by-side tables end -->"
TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "START", "END", "SAVEPOINT", "RELEASE")


@dataclass(frozen=True)
class Statements:
    """SQL statements per request, from pg_stat_statements' call counts."""

    total: float
    transaction_control: float

    @classmethod
    def of(cls, calls: dict[str, int], requests: int) -> Statements:
        control = sum(n for q, n in calls.items() if q.lstrip().upper().startswith(TRANSACTION))
        return cls(sum(calls.values()) / requests, control / requests)

    def __str__(self) -> str:
        queries = self.total - self.transaction_control
        return f"{self.total:g} ({queries:g} + {self.transaction_control:g} BEGIN/COMMIT)"


@dataclass(frozen=True)
class ServerResult:
    server: str
    figures: list[Figures]
    statements: Statements | None
    # CPU milliseconds the server process used per request, per concurrency (its own
    # process only: PostgreSQL's backends are not counted).
    cpu_ms: list[float]


@dataclass(frozen=True)
class WorkloadResult:
    workload: Workload
    floor: Verdict
    postgraphile: Verdict | None
    servers: list[ServerResult]
    profile: Profile | None = None

    def of(self, server: str) -> ServerResult | None:
        return next((s for s in self.servers if s.server == server), None)


@dataclass(frozen=True)
class Machine:
    cores: int
    memory_gib: float
    cpu: str
    date: str
    versions: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def machine(cluster: clusters.Cluster, seconds: float, generator: str) -> Machine:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    total_kib = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    postgres, sites, entries = asyncio.run(_database_facts(cluster))
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()  # noqa: S607
    return Machine(
        cores=os.cpu_count() or 0,
        memory_gib=total_kib / 1024 / 1024,
        cpu=cpu,
        date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        versions={"Python": platform.python_version(), "PostgreSQL": postgres, "Node": node},
        notes=[
            f"seed scale {cluster.scale}: {sites} sites, {entries} timesheet entries",
            f"load generator: {generator}, one thread, {seconds:g} s per run after a warm-up, "
            "on loopback; servers and generator share the same cores",
        ],
    )


async def _database_facts(cluster: clusters.Cluster) -> tuple[str, int, int]:
    connection = await asyncpg.connect(cluster.dsn())
    try:
        return (
            await connection.fetchval("SHOW server_version"),
            await connection.fetchval("SELECT count(*) FROM site"),
            await connection.fetchval("SELECT count(*) FROM timesheet_entry"),
        )
    finally:
        await connection.close()


def _ratio(a: float, b: float) -> str:
    return f"{100 * a / b:.0f}%" if b else "n/a"


def render(results: list[WorkloadResult], meta: Machine) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in meta.versions.items())
    lines = [
        BEGIN,
        f"Measured {meta.date} on {meta.cores} cores ({meta.cpu}), "
        f"{meta.memory_gib:.1f} GiB memory; {versions}.",
        *(f"- {note}" for note in meta.notes),
        "",
    ]
    for result in results:
        lines += _workload(result)
    lines.append(END)
    return "\n".join(lines) + "\n"


def _workload(result: WorkloadResult) -> list[str]:
    workload = result.workload
    concurrency = [f.concurrency for f in result.servers[0].figures]
    header = "| server | " + " | ".join(
        f"c={c} req/s | c={c} p50 ms | c={c} p99 ms" for c in concurrency
    )
    lines = [
        f"### {workload.title}",
        "",
        f"`bench/workloads/{workload.name}.graphql`. Floor: {result.floor.detail}. "
        + (
            f"PostGraphile: {result.postgraphile.detail} (compared by value, names aside)."
            if result.postgraphile is not None
            else f"PostGraphile: not run; {workload.no_postgraphile}."
        ),
        "",
        header + f" | server CPU ms / request (c={concurrency[-1]}) | SQL statements / request |",
        "|---" * (3 + 3 * len(concurrency)) + "|",
    ]
    for server in result.servers:
        cells = []
        for f in server.figures:
            failed = f" ({f.failures} failed)" if f.failures else ""
            cells.append(f"{f.throughput:.1f}{failed} | {f.p50_ms:.2f} | {f.p99_ms:.2f}")
        statements = str(server.statements) if server.statements else "n/a"
        cpu = f"{server.cpu_ms[-1]:.2f}"
        lines.append(f"| {server.server} | " + " | ".join(cells) + f" | {cpu} | {statements} |")
    ours = result.of("Sportello")
    assert ours is not None
    for peer in ("floor", "PostGraphile"):
        theirs = result.of(peer)
        if theirs is None:
            continue
        cells = [
            f"{_ratio(a.throughput, b.throughput)} | {_ratio(a.p50_ms, b.p50_ms)} | "
            f"{_ratio(a.p99_ms, b.p99_ms)}"
            for a, b in zip(ours.figures, theirs.figures, strict=True)
        ]
        cpu = _ratio(ours.cpu_ms[-1], theirs.cpu_ms[-1])
        lines.append(f"| Sportello / {peer} | " + " | ".join(cells) + f" | {cpu} | |")
    lines += ["", *_goals(result), ""]
    if result.profile is not None:
        lines += _profile(result.profile)
    return lines


def _goals(result: WorkloadResult) -> list[str]:
    """Issue 9's goals, checked at the highest concurrency."""
    ours, floor, peer = result.of("Sportello"), result.of("floor"), result.of("PostGraphile")
    assert ours is not None
    last = ours.figures[-1]
    goals = [
        f"- p99 at c={last.concurrency} at most twice the p50: "
        f"{last.p99_ms:.2f} / {last.p50_ms:.2f} ms, "
        + ("met" if last.p99_ms <= 2 * last.p50_ms else "not met")
    ]
    if result.workload.name != "portal_site":
        return goals
    if peer is not None:
        share = last.throughput / peer.figures[-1].throughput
        goals.append(
            f"- throughput at least 35% of PostGraphile's: {share:.0%}, "
            + ("met" if share >= 0.35 else "not met")
        )
    if floor is not None:
        share = last.throughput / floor.figures[-1].throughput
        goals.append(
            f"- throughput at least 15% of the floor's: {share:.0%}, "
            + ("met" if share >= 0.15 else "not met")
        )
    if peer is not None and ours.statements and peer.statements:
        allowed = peer.statements.total + result.workload.relation_edges
        goals.append(
            f"- SQL statements at most PostGraphile's + {result.workload.relation_edges} "
            f"relation edges = {allowed:g}: {ours.statements.total:g}, "
            + ("met" if ours.statements.total <= allowed else "not met")
        )
    return goals


def _profile(found: Profile) -> list[str]:
    lines = [
        f"Profile of Sportello under this workload at c=16 (py-spy, {found.samples} samples "
        "of CPU time; idle time is not sampled):",
        "",
        "| phase (inclusive: a sample counts in every phase on its stack) | share |",
        "|---|---|",
        *(f"| {name} | {share:.0f}% |" for name, share in found.phases),
        "",
        "| layer (self: the innermost known frame of each sample) | share |",
        "|---|---|",
        *(f"| {name} | {share:.0f}% |" for name, share in found.layers),
        "",
    ]
    return lines


def update_results(path: Path, block: str) -> None:
    """Replace the marked block of RESULTS.md, or add a "Side by side" section holding it."""
    text = path.read_text() if path.is_file() else "# Benchmark results\n"
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        path.write_text(head + block.rstrip("\n") + tail)
        return
    path.write_text(text.rstrip("\n") + "\n\n## Side by side\n\n" + block)
