"""How long ``sportello import`` takes at scale 10: about 100,000 rows into an empty organization.

Generates clients, sites, equipment and contracts as CSV files (5,000 + 20,000 + 65,000 +
10,000 rows, Italian-looking and deterministic) in ``bench/.work/import-scale-10/``, starts a
throwaway embedded PostgreSQL in ``bench/.work/pg-import`` (deleted first), migrates it,
creates one empty organization, then imports the files twice through the command's own code
(sportello/importing.py, one transaction per file): the first run creates every record, the
second must change nothing. Prints a Markdown table per run (seconds per file and rows per
second) for bench/RESULTS.md.

    .venv/bin/python -m bench.import_bench [--scale 10]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import shutil
import time
from pathlib import Path

from db import embedded, migrate
from db.engine import create_engine
from sportello.importing import import_files, planned
from tests import factories

WORK = Path(__file__).resolve().parent / ".work"
CITIES = (
    ("Milano", "MI", "20121", 45.4642, 9.19),
    ("Torino", "TO", "10121", 45.0703, 7.6869),
    ("Bologna", "BO", "40121", 44.4949, 11.3426),
    ("Roma", "RM", "00184", 41.9028, 12.4964),
    ("Napoli", "NA", "80133", 40.8518, 14.2681),
    ("Firenze", "FI", "50122", 43.7696, 11.2558),
)
KINDS = ("Estintore a polvere", "Porta tagliafuoco", "Caldaia a condensazione", "Idrante UNI 45")
STREETS = ("Via Roma", "Via Garibaldi", "Corso Italia", "Via Mazzini", "Viale Europa")


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def generate(folder: Path, scale: int) -> list[Path]:
    """The four files of ``scale`` (10: 100,000 rows), the same at every run."""
    rng = random.Random(scale)  # noqa: S311 (made-up coordinates, not secrets)
    folder.mkdir(parents=True, exist_ok=True)
    clients = 500 * scale
    sites = 4 * clients
    write_csv(
        folder / "clients.csv",
        ["externalRef", "code", "name", "taxId", "email", "phone"],
        [
            [f"C{n:06d}", f"CLI{n:06d}", f"Cliente {n} S.r.l.", f"IT{n:011d}",
             f"amministrazione{n}@cliente.example", f"+39 02 {n:07d}"]
            for n in range(clients)
        ],
    )  # fmt: skip
    site_rows = []
    for n in range(sites):
        city, province, postal, lat, lng = CITIES[n % len(CITIES)]
        site_rows.append(
            [f"S{n:07d}", f"C{n % clients:06d}", f"Sede {n}", f"{STREETS[n % 5]} {n % 200 + 1}",
             postal, city, province, "IT", f"{lat + rng.uniform(-0.1, 0.1):.6f}",
             f"{lng + rng.uniform(-0.1, 0.1):.6f}"]
        )  # fmt: skip
    header = ["externalRef", "clientRef", "name", "address", "postalCode", "city", "province"]
    write_csv(folder / "sites.csv", [*header, "country", "lat", "lng"], site_rows)
    write_csv(
        folder / "equipment.csv",
        ["externalRef", "siteRef", "kind", "model", "serialNumber", "location", "installedOn"],
        [
            [f"E{n:07d}", f"S{n % sites:07d}", KINDS[n % len(KINDS)], f"M-{n % 37}",
             f"SN{n:09d}", f"Piano {n % 5}", f"20{10 + n % 15}-0{1 + n % 9}-1{n % 9}"]
            for n in range(6_500 * scale)
        ],
    )  # fmt: skip
    write_csv(
        folder / "contracts.csv",
        ["externalRef", "clientRef", "siteRef", "number", "kind", "startsOn", "expiresOn"],
        [
            [f"K{n:07d}", f"C{n % clients:06d}", f"S{n % sites:07d}" if n % 2 else "",
             f"CTR-{n:07d}", "Manutenzione", "2026-01-01", "2026-12-31"]
            for n in range(1_000 * scale)
        ],
    )  # fmt: skip
    return [folder / f"{name}.csv" for name in ("clients", "sites", "equipment", "contracts")]


async def timed_imports(url: str, paths: list[Path]) -> list[tuple[str, int, float, str]]:
    """Import each file in turn; (file, rows, seconds, summary) per file."""
    engine = create_engine(url, pool_size=2)
    results = []
    try:
        for path in paths:
            out = io.StringIO()
            started = time.perf_counter()
            await import_files(engine, "bench", planned([path], None), dry_run=False, out=out)
            seconds = time.perf_counter() - started
            rows = len(out.getvalue().splitlines()) - 1
            results.append((path.name, rows, seconds, out.getvalue().splitlines()[-1]))
    finally:
        await engine.dispose()
    return results


async def prepare(url: str) -> None:
    engine = create_engine(url, pool_size=1)
    try:
        await migrate.upgrade(engine)
        await factories.organization(engine, "bench")
    finally:
        await engine.dispose()


def table(title: str, results: list[tuple[str, int, float, str]]) -> str:
    lines = [
        f"{title}:",
        "",
        "| file | rows | seconds | rows/s | report |",
        "|---|---:|---:|---:|---|",
    ]
    for name, rows, seconds, summary in results:
        report = summary.split(": ", 1)[1]
        lines.append(f"| {name} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | {report} |")
    rows = sum(r[1] for r in results)
    seconds = sum(r[2] for r in results)
    lines.append(f"| **all** | **{rows:,}** | **{seconds:.1f}** | {rows / seconds:,.0f} | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    args = parser.parse_args()
    paths = generate(WORK / f"import-scale-{args.scale}", args.scale)
    pgdata = WORK / "pg-import"
    shutil.rmtree(pgdata, ignore_errors=True)
    with embedded.running(pgdata) as url:
        asyncio.run(prepare(url))
        first = asyncio.run(timed_imports(url, paths))
        again = asyncio.run(timed_imports(url, paths))
    print(table("Into an empty organization", first))
    print()
    print(table("The same files again", again))


if __name__ == "__main__":
    main()
