"""Where Sportello's CPU time goes: py-spy samples the server while wrk loads it.

py-spy ``record --format raw`` writes one line per distinct stack (frames from the root to the
leaf, ``;``-separated) with its sample count; idle time (the event loop waiting on sockets) is
not sampled. Each sample is counted in every phase one of its frames belongs to (inclusive:
SQL inside execution counts in both), and once in the layer of its innermost known frame.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

SPORTELLO = ("schema/", "resolvers/", "authz/", "db/", "sportello/")

# Inclusive phases of one request, recognised by the source file of a frame anywhere in the
# stack (py-spy names files relative to their import root: "sqlalchemy/sql/compiler.py").
PHASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("HTTP: uvicorn and Starlette, request in and response out", ("uvicorn/", "starlette/")),
    (
        "authentication (session lookup, contact grants, RLS bind)",
        ("authz/identity/authenticate.py",),
    ),
    ("parsing (graphql-core parser)", ("graphql/language/parser.py",)),
    ("validation (graphql-core rules, limits, field checks)", ("graphql/validation/",)),
    (
        "execution (a read plan, or graphql-core + Strawberry; resolvers, SQL included)",
        ("schema/kit/reading.py", "graphql/execution/"),
    ),
    ("SQL, all of it (SQLAlchemy + asyncpg)", ("sqlalchemy/", "asyncpg/")),
    ("SQL: SQLAlchemy compiling statements", ("sqlalchemy/sql/compiler.py",)),
    ("SQL: SQLAlchemy cache keys of statements", ("sqlalchemy/sql/cache_key.py",)),
    ("SQL: asyncpg (protocol, decoding rows)", ("asyncpg/",)),
    ("serialization (JSON)", ("json/",)),
)
# Not a file: statements built by Sportello's code before they are executed.
BUILDING = "SQL: SQLAlchemy building statements in Sportello's code (select, where, subquery)"

# Layers by the innermost frame that belongs to one (self time).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("JSON encoding", ("json/",)),
    ("asyncpg", ("asyncpg/",)),
    ("SQLAlchemy", ("sqlalchemy/",)),
    ("graphql-core", ("graphql/",)),
    ("Strawberry", ("strawberry/",)),
    ("Sportello code", SPORTELLO),
    ("Starlette", ("starlette/",)),
    ("uvicorn and httptools/h11", ("uvicorn/", "httptools/", "h11/")),
    ("asyncio event loop", ("asyncio/", "selectors.py")),
)
FRAME = re.compile(r"\(([^()]*):\d+\)$")


@dataclass(frozen=True)
class Profile:
    samples: int
    phases: list[tuple[str, float]]
    layers: list[tuple[str, float]]
    raw: Path


def available() -> bool:
    return shutil.which("py-spy") is not None or (Path(sys.executable).parent / "py-spy").exists()


def record(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    """Start sampling ``pid`` for ``seconds``; wait on the returned process."""
    binary = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    command = [
        binary,
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(int(seconds)),
        "--rate",
        "200",
        "--format",
        "raw",
        "--output",
        str(out),
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


def summarize(raw: Path) -> Profile:
    phases: Counter[str] = Counter()
    layers: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        files = [_file(frame) for frame in stack.split(";")]
        for name, marks in PHASES:
            if any(f.startswith(marks) for f in files):
                phases[name] += count
        if _builds_statements(files):
            phases[BUILDING] += count
        layers[_layer(files)] += count
    share = (lambda n: 100.0 * n / total) if total else (lambda n: 0.0)
    return Profile(
        samples=total,
        phases=[(name, share(phases[name])) for name in [*(n for n, _ in PHASES), BUILDING]],
        layers=[(name, share(count)) for name, count in layers.most_common()],
        raw=raw,
    )


def _file(frame: str) -> str:
    found = FRAME.search(frame)
    return found.group(1) if found else ""


def _builds_statements(files: list[str]) -> bool:
    """Whether Sportello's code called into SQLAlchemy other than to execute a statement."""
    for caller, callee in itertools.pairwise(files):
        if callee.startswith("sqlalchemy/"):
            return caller.startswith(SPORTELLO) and not callee.startswith(
                ("sqlalchemy/ext/asyncio/", "sqlalchemy/engine/")
            )
    return False


def _layer(files: list[str]) -> str:
    for file in reversed(files):
        for name, marks in LAYERS:
            if file.startswith(marks):
                return name
    return "other (interpreter, C code)"
