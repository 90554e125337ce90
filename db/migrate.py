"""Schema migrations run from code: ``sportello migrate``, ``make run``, tests and readiness."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from sportello.base.errors import StartupError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


# The advisory lock every migration holds for its transaction (any number, the same in every
# process of every release): processes that start together migrate one after the other.
MIGRATION_LOCK = 0x5350_4D49_4752  # "SPMIGR"


class MigrationError(StartupError):
    """A migration failed; the database was left as it was before the upgrade."""


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest revision in db/migrations."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "db/migrations holds no revision"
    return head


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> str:
    """Bring the database to ``revision`` in one transaction; return the revision reached.

    PostgreSQL runs DDL in transactions, so a failing step rolls back every step before it.
    The transaction first takes an advisory lock, so two processes starting at once (a deploy
    of several) never migrate together: the second waits for the first's commit, then finds
    the database at the revision and does nothing.
    """
    config = alembic_config()

    def run(connection: Connection) -> str | None:
        # However long the other process migrates; the steps keep the statement timeout.
        connection.execute(text("SET LOCAL statement_timeout = 0"))
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        connection.execute(text("RESET statement_timeout"))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        return _current(connection)

    try:
        async with engine.begin() as connection:
            reached = await connection.run_sync(run)
    except DBAPIError as error:
        cause = error.orig.__class__.__name__ if error.orig is not None else "database error"
        raise MigrationError(
            f"a migration failed ({cause}: {str(error.orig).splitlines()[0]}); "
            "the database was left as it was; fix the cause and run `sportello migrate` again"
        ) from None
    return reached or ""
