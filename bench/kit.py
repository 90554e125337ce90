"""What the hand-run benchmarks share: the throwaway database they start from (a temporary
cluster, migrated, seeded, analyzed), a percentile of timings, and the line naming the
machine of a result."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from db import embedded, migrate
from db.engine import create_engine
from db.seed import seed


@contextlib.contextmanager
def throwaway_cluster(name: str) -> Iterator[tuple[str, Path]]:
    """An embedded PostgreSQL in a temporary folder: its URL and the folder, both gone after."""
    folder = Path(tempfile.mkdtemp(prefix=f"sportello-bench-{name}-"))
    pgdata = folder / "pgdata"
    try:
        yield embedded.start(pgdata), folder
    finally:
        embedded.stop(pgdata)
        shutil.rmtree(folder, ignore_errors=True)


async def migrate_and_seed(url: str, scale: int, today: dt.date, *, note: str = "") -> None:
    """Migrate the database at ``url`` and seed the demo data at ``scale``, saying how long."""
    engine = create_engine(url, pool_size=2, statement_timeout_ms=0)
    try:
        await migrate.upgrade(engine)
        started = time.monotonic()
        print(f"seeding at scale {scale}{note}...", flush=True)
        async with engine.begin() as connection:
            report = await seed(connection, scale=scale, today=today)
        rows = sum(report.rows.values())
        print(f"seeded {rows} rows in {time.monotonic() - started:.0f} s", flush=True)
    finally:
        await engine.dispose()


async def analyze(url: str) -> None:
    """Statistics before the first plan: plans made on tables without statistics are kept
    until autovacuum analyzes them, maybe in mid-run."""
    engine = create_engine(url, pool_size=1, statement_timeout_ms=0)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(sa.text("VACUUM ANALYZE"))
    finally:
        await engine.dispose()


def percentile(values: list[float], share: float) -> float:
    """The value ``share`` (0.95 for the 95th percentile) of the way through sorted ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def machine() -> str:
    """The machine, Python and day of a run, for the printed results."""
    return (
        f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, run {dt.date.today().isoformat()}"
    )
