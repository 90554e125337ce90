"""CPU per request of two checkouts of Sportello, taking turns on one database.

Run by hand, never from the tests:
``.venv/bin/python -m bench.turns OTHER_CHECKOUT [--rounds N] [--workloads api,portal,timesheet]``
(make a checkout to compare with ``git worktree add /tmp/base <commit>``).

On a machine whose speed drifts by a third within minutes (this one, 2026-12-07), two runs of
``make bench`` do not tell a 10% change from the noise. Here one throwaway embedded PostgreSQL
is seeded once (scale 1, anchored on 2026-11-23), then each round runs, for each workload,
this checkout and the other one after the other (in alternating order), each in a process of
its own importing its own code: the ASGI app called in process (bench/fields.py
:class:`~bench.fields.Direct`: authentication, checks, plan, SQL, JSON; no socket), 60
requests to warm up, then 400 requests, 8 at a time, and the process's CPU time divided by
400; and the CPU the database's processes spent meanwhile (every ``postgres`` process of the
machine, read from /proc: the throwaway cluster is the only one running) divided by 400, so
that fewer or cheaper statements show too. The medians over the rounds and their ratios are
printed, with every round's figure, and the median of each round's ratio of the two (the
figure to trust when the machine drifts between rounds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import uvloop

from bench.fields import TODAY, UNLIMITED, Direct, first_site, log_in, post
from bench.kit import analyze, migrate_and_seed, throwaway_cluster

HERE = Path(__file__).resolve().parent.parent
WORKLOADS = {
    "api": "{ apiVersion }",
    "portal": (HERE / "bench/workloads/portal_site.graphql").read_text(encoding="utf-8"),
    "timesheet": (HERE / "bench/workloads/timesheet_page.graphql").read_text(encoding="utf-8"),
}
REQUESTS, AT_ONCE, WARM_UP = 400, 8, 60


def _database_cpu() -> float:
    """Seconds of CPU the machine's ``postgres`` processes have used (Linux /proc)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended meanwhile
            continue
        name, _, rest = text.partition(") ")
        if name.endswith("(postgres"):
            fields = rest.split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


async def _measure(
    url: str, query: str, token: str, variables: dict[str, Any]
) -> tuple[float, float]:
    """CPU milliseconds per request of this process's code and of the database (the child's
    side)."""
    from sportello.app import create_app
    from sportello.base.settings import Settings
    from sportello.serving import prepare_collector

    app = create_app(Settings(database_url=url, session_cost_per_minute=UNLIMITED))
    prepare_collector()
    client = Direct(app)
    for _ in range(WARM_UP):
        await post(client, query, token, **variables)

    async def one_at_a_time(count: int) -> None:
        for _ in range(count):
            await post(client, query, token, **variables)

    started, database = time.process_time(), _database_cpu()
    await asyncio.gather(*(one_at_a_time(REQUESTS // AT_ONCE) for _ in range(AT_ONCE)))
    spent, database = time.process_time() - started, _database_cpu() - database
    await _close(app)
    return spent / REQUESTS * 1000, database / REQUESTS * 1000


async def _close(app: Any) -> None:
    """The app's connections closed; a checkout from before the standing connection
    (sportello/state.py) has only its engine to dispose."""
    state = app.state.sportello
    await (state.close() if hasattr(state, "close") else state.engine.dispose())


async def _prepare(url: str) -> dict[str, Any]:
    """Seeds the database; the tokens and the site the workloads use."""
    from sportello.app import create_app
    from sportello.base.settings import Settings

    await migrate_and_seed(url, 1, TODAY)
    await analyze(url)
    app = create_app(Settings(database_url=url, session_cost_per_minute=UNLIMITED))
    client = Direct(app)
    contact = await log_in(client, "contact of one client")
    staff = await log_in(client, "staff admin")
    site = await first_site(client, contact)
    await _close(app)
    return {"contact": contact, "staff": staff, "site": site}


def _run_in(checkout: Path, url: str, workload: str, found: dict[str, Any]) -> tuple[float, float]:
    token = found["staff"] if workload == "timesheet" else found["contact"]
    variables = {"site": found["site"]} if workload == "portal" else {}
    python = checkout / ".venv/bin/python"
    request = json.dumps([url, WORKLOADS[workload], token, variables])
    # This file run by the checkout's own interpreter, importing the checkout's code (an older
    # checkout may not have this file).
    done = subprocess.run(  # noqa: S603
        [str(python if python.exists() else sys.executable), __file__, "--child"],
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
        input=request,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{checkout}: {done.stderr[-2000:]}")
    app, database = done.stdout.strip().splitlines()[-1].split()
    return float(app), float(database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other", nargs="?", type=Path, help="the checkout to compare with")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        url, query, token, variables = json.loads(sys.stdin.read())
        print(*uvloop.run(_measure(url, query, token, variables)))
        return
    if arguments.other is None:
        parser.error("name the checkout to compare with")
    workloads = arguments.workloads.split(",")
    checkouts = (HERE, arguments.other.resolve())
    if checkouts[1] == HERE:
        parser.error("name another checkout than this one")
    figures: dict[tuple[Path, str], list[tuple[float, float]]] = {
        (c, w): [] for c in checkouts for w in workloads
    }
    with throwaway_cluster("turns") as (url, _):
        found = uvloop.run(_prepare(url))
        for round_ in range(arguments.rounds):
            for workload in workloads:
                for checkout in checkouts if round_ % 2 == 0 else checkouts[::-1]:
                    figures[checkout, workload].append(_run_in(checkout, url, workload, found))
    print(
        f"CPU ms per request, median of {arguments.rounds} rounds: this checkout / {checkouts[1]}"
    )
    for workload in workloads:
        for part, name in ((0, "app"), (1, "database")):
            mine, theirs = ([f[part] for f in figures[c, workload]] for c in checkouts)
            ratio = statistics.median(mine) / statistics.median(theirs)
            # Each round's own ratio: the two checkouts ran side by side in it, so the
            # machine's drift between rounds cancels out.
            paired = statistics.median(m / o for m, o in zip(mine, theirs, strict=True))
            print(
                f"{workload:10} {name:8} {statistics.median(mine):6.3f} /"
                f" {statistics.median(theirs):6.3f} = {ratio:.3f}, per round {paired:.3f}"
                f"   rounds: {' '.join(f'{x:.2f}' for x in mine)}"
                f" / {' '.join(f'{x:.2f}' for x in theirs)}"
            )


if __name__ == "__main__":
    main()
