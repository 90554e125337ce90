"""The database a command works on: ``DATABASE_URL`` when set, otherwise the embedded cluster
under ``.sportello/``, started for the command and stopped after it (also when SIGTERM or
SIGHUP ends the command); connection failures and a schema behind the code become one line
for the operator."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import signal
from collections.abc import Awaitable, Callable, Iterator
from types import FrameType
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from db import embedded, migrate
from db.engine import DatabaseUnavailable, create_engine, describe_connection_error, parse_url
from sportello.base.errors import StartupError
from sportello.base.settings import Settings

T = TypeVar("T")


@contextlib.contextmanager
def database(settings: Settings) -> Iterator[Settings]:
    """``settings`` with a database URL: DATABASE_URL, or the embedded cluster's."""
    if settings.database_url is not None:
        parse_url(settings.database_url)
        yield settings
        return
    with embedded.running(settings.embedded_data_dir) as url, _terminated_like_interrupted():
        yield dataclasses.replace(settings, database_url=url)


# Signals that end a command as Ctrl-C does: ``kill`` or a process manager (SIGTERM), the
# terminal it runs in closed (SIGHUP).
ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def _terminated_like_interrupted() -> Iterator[None]:
    """SIGTERM and SIGHUP unwind the command as Ctrl-C does, so the blocks around it end: the
    embedded cluster it started is stopped, not left running. uvicorn handles SIGTERM (and,
    here, SIGHUP: sportello/serving.py) while it serves and raises the signal again once it
    has shut down; the signal's default action then ended the process before those blocks
    could run."""

    def unwind(signum: int, _: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = {signum: signal.signal(signum, unwind) for signum in ENDING_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def with_engine(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run ``work`` on an engine for ``settings``, turning connection failures into one line."""

    async def run() -> T:
        assert settings.database_url is not None
        engine = create_engine(settings.database_url, pool_size=2, pooler=settings.database_pooler)
        try:
            async with engine.connect() as connection:
                await connection.execute(sa.text("SELECT 1"))
            return await work(engine)
        except DBAPIError as error:
            raise DatabaseUnavailable(describe_connection_error(error.orig or error)) from None
        except (OSError, TimeoutError) as error:
            raise DatabaseUnavailable(describe_connection_error(error)) from None
        finally:
            await engine.dispose()

    return asyncio.run(run())


async def require_current(engine: AsyncEngine) -> None:
    current = await migrate.current_revision(engine)
    head = migrate.head_revision()
    if current != head:
        raise StartupError(
            f"the database is at migration {current or 'none'} but this code needs {head}; "
            "run `sportello migrate`"
        )
