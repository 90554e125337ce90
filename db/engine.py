"""The async engine: SQLAlchemy on asyncpg, PostgreSQL only."""

from __future__ import annotations

import contextlib
import logging
import weakref
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from sportello.base.errors import StartupError
from sportello.base.settings import SettingsError

log = logging.getLogger(__name__)

_SCHEMES = {"postgres", "postgresql", "postgresql+asyncpg"}


class DatabaseUnavailable(StartupError):
    """The database cannot be reached or is not ready; the message says what to check."""


def parse_url(raw: str) -> URL:
    """A ``postgresql+asyncpg`` URL from what a user may write in ``DATABASE_URL``."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise SettingsError(
            "DATABASE_URL is not a database URL; expected "
            "postgresql://user:password@host:port/database"
        ) from None
    if url.drivername not in _SCHEMES:
        raise SettingsError(
            f"DATABASE_URL uses {url.drivername!r}; Sportello runs on PostgreSQL only "
            "(postgresql://user:password@host:port/database)"
        )
    if not url.database:
        raise SettingsError("DATABASE_URL names no database; add /<database> after the host")
    return url.set(drivername="postgresql+asyncpg")


def create_engine(
    url: str, *, pool_size: int = 10, statement_timeout_ms: int = 5000, pooler: str = "none"
) -> AsyncEngine:
    """An engine whose connections stop any statement that runs longer than the timeout.

    JIT is off: Sportello's statements are short, and compiling them costs more than it saves.
    Prepared statements run with their generic plan: Sportello's statements are built once per
    shape and run with parameters, and PostgreSQL's default kept planning some of them again on
    every execution (0.55 ms of planning for a 0.56 ms list of documents under a contact's
    record rules; the site dashboard 9.13 -> 8.44 ms at scale 10, in process, interleaved).

    ``pooler="transaction"``: see ``_POOLED_CONNECTIONS`` below.
    """
    settings = {"statement_timeout": str(statement_timeout_ms), "jit": "off"}
    connect_args: dict[str, Any] = {"timeout": 10}
    if pooler == "transaction":
        connect_args |= _POOLED_CONNECTIONS
    else:
        connect_args["server_settings"] = {
            "application_name": "sportello",
            **settings,
            "plan_cache_mode": "force_generic_plan",
        }
    engine = create_async_engine(
        parse_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        connect_args=connect_args,
    )
    if pooler == "transaction":
        _POOLED.add(engine.sync_engine)
        _set_in_every_transaction(engine, settings)
    return engine


@contextlib.asynccontextmanager
async def committed_alone(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for one statement committed on its own, apart from the request's
    transaction: in autocommit (no BEGIN and COMMIT round trips), or, behind a pooler in
    transaction mode, in a transaction of its own (outside one, the pooler could run the
    statement on another server connection than the one it was prepared on)."""
    async with engine.connect() as db:
        if engine.sync_engine in _POOLED:
            async with db.begin():
                yield db
        else:
            await db.execution_options(isolation_level="AUTOCOMMIT")
            yield db


class _Held:
    """Connections checked out of the engine's pool once and kept between uses, up to
    ``size`` of them; behind a pooler in transaction mode (where a connection must not be held
    between transactions) none is kept. One that was in use when something failed is closed
    for good (:func:`_discard`), and another is opened when needed. Those open count in the
    engine's pool; :meth:`close` closes the idle ones before the engine is disposed."""

    def __init__(self, engine: AsyncEngine, size: int) -> None:
        self.engine = engine
        self.size = size
        self._idle: list[AsyncConnection] = []
        self._open = 0  # idle and busy

    def _at_hand(self) -> bool:
        """Whether a kept connection is idle or may be opened."""
        return bool(self._idle) or (
            self._open < self.size and self.engine.sync_engine not in _POOLED
        )

    async def _take(self) -> AsyncConnection:
        """An idle connection, else a new one (only when :meth:`_at_hand`)."""
        if self._idle:
            return self._idle.pop()
        self._open += 1
        try:
            db = await self.engine.connect()
        except BaseException:
            self._open -= 1
            raise
        try:
            await self._prepare(db)
        except BaseException:
            await self._drop(db)
            raise
        return db

    async def _prepare(self, db: AsyncConnection) -> None:
        """What a connection is set to once, when opened."""

    async def _drop(self, db: AsyncConnection) -> None:
        self._open -= 1
        await _discard(db)

    async def close(self) -> None:
        """Close the idle connections (later uses open others)."""
        idle, self._idle = self._idle, []
        self._open -= len(idle)
        for db in idle:
            await _discard(db)


class StandingConnections(_Held):
    """Connections kept open in autocommit for the one-statement writes every request commits
    on its own (the per-minute budgets' upserts, sportello/rate_limit.py and
    sportello/admission.py).

    :func:`committed_alone` checks a connection out of the pool, sets autocommit and sets it
    back on the way in again: about 120 microseconds of CPU around a statement that costs 60
    (bench/RESULTS.md, 2026-12-07). These stay in autocommit, up to ``size`` of them (the
    process's concurrent GraphQL requests, each charging its budget once): a statement takes
    an idle one, else opens one; asked while ``size`` are busy, or behind a pooler in
    transaction mode, it goes through :func:`committed_alone` as before. A statement that
    failed or was cancelled on one closes it (whatever state its server connection is in).

    Their commits do not wait for the write-ahead log to reach the disk (``synchronous_commit
    = off``, for these connections only): a budget's count is worth less than a flush of the
    disk per request (0.07 ms of CPU and 0.22 ms of waiting for each, measured here on
    2026-12-08), and a crash of PostgreSQL loses at most the last fraction of a second of
    counts (``wal_writer_delay``), never a record. Every other statement commits as durably
    as PostgreSQL's own setting says. So they are never given back to the pool either.
    """

    @contextlib.asynccontextmanager
    async def alone(self) -> AsyncIterator[AsyncConnection]:
        """A connection for one statement committed on its own: a standing one when one is
        idle or may be opened."""
        if not self._at_hand():
            async with committed_alone(self.engine) as db:
                yield db
            return
        db = await self._take()
        try:
            yield db
        except BaseException:
            await self._drop(db)
            raise
        self._idle.append(db)

    async def _prepare(self, db: AsyncConnection) -> None:
        await db.execution_options(isolation_level="AUTOCOMMIT")
        # On the driver, as part of opening the connection: not a statement of the request
        # that happened to open it (the statement events and counts leave it out).
        driver = (await db.get_raw_connection()).driver_connection
        assert driver is not None  # open: just connected
        await driver.execute(_ASYNCHRONOUS)


class RequestConnections(_Held):
    """The connections requests open their transaction on (sportello/opening.py), kept
    between requests, up to ``size`` of them (the process's concurrent GraphQL requests).

    Checking a connection out of SQLAlchemy's pool and back in costs about 75 microseconds of
    CPU per request (a new ``Connection`` object, the checkout and checkin events, the reset),
    measured here on 2026-12-08 against a kept one: a tenth of the cheapest request. A request
    takes an idle kept connection, else opens one while fewer than ``size`` are open, else
    takes one of the pool's as before. Given back after a request that ended cleanly (whatever
    it answered), its transaction is rolled back if still open and it waits for the next
    request; after a failure (an exception other than the route's answer, a cancellation), or
    when anything in rolling back fails, it is closed for good, since a statement may still
    be running on it. Every setting a request makes is local to its transaction
    (db/tenancy.py), so nothing passes to the next request but the connection itself.
    """

    def __init__(self, engine: AsyncEngine, size: int) -> None:
        super().__init__(engine, size)
        self._kept: set[AsyncConnection] = set()

    async def take(self) -> AsyncConnection:
        """A connection for one request, given back with :meth:`give_back`."""
        if not self._at_hand():
            return await self.engine.connect()
        db = await self._take()
        self._kept.add(db)
        return db

    async def give_back(self, db: AsyncConnection, *, clean: bool) -> None:
        """``db`` done with: kept for the next request when ``clean`` (the request ended
        without a failure) and it rolls back; else closed (one of the pool's goes back to it,
        a kept one is closed for good)."""
        if db not in self._kept:
            await db.close()
            return
        reusable = False  # also when cancelled while rolling back
        try:
            reusable = clean and await _rolled_back(db)
        finally:
            if reusable:
                self._idle.append(db)
            else:
                self._kept.discard(db)
                await self._drop(db)

    async def close(self) -> None:
        self._kept.difference_update(self._idle)
        await super().close()


async def _rolled_back(db: AsyncConnection) -> bool:
    """Whether ``db`` is open with no transaction left (rolled back if one was)."""
    if db.closed or db.invalidated:
        return False
    try:
        if db.in_transaction():
            await db.rollback()
    except Exception:  # its server connection is busy or broken: not to be used again
        log.debug("rolling back a request's connection failed", exc_info=True)
        return False
    return True


# The standing connections' own setting, for the life of each.
_ASYNCHRONOUS = "SET synchronous_commit = off"


async def _discard(db: AsyncConnection) -> None:
    """Close ``db`` for good: its server connection may be mid-statement (cancelled) or broken,
    so it is not given back to the pool."""
    try:
        await db.invalidate()
        await db.close()
    except Exception:  # already broken: closing it is all that was asked
        log.debug("closing a failed standing connection failed", exc_info=True)


# Behind a pooler in transaction mode, each transaction may run on another server connection,
# and between two transactions (or two round trips outside one) the pooler may hand ours to
# another client. So statements are prepared unnamed and not cached: within a transaction
# (every statement runs in one: see :func:`committed_alone`) the statement is prepared and run
# on the same server connection, and nothing is left on it for the next client (a named one
# would stay there until the pooler closes the connection, and another process's equal name
# would collide with it). The settings go into every transaction instead of the startup
# packet: a pooler refuses startup parameters it does not know. Plans are left to PostgreSQL,
# since a statement prepared afresh each time gains nothing from a generic plan.
_POOLED_CONNECTIONS: dict[str, Any] = {
    "statement_cache_size": 0,
    "prepared_statement_cache_size": 0,
    "prepared_statement_name_func": lambda: "",
    "server_settings": {"application_name": "sportello"},
}
# The engines made for a pooler in transaction mode.
_POOLED: weakref.WeakSet[Engine] = weakref.WeakSet()


def _set_in_every_transaction(engine: AsyncEngine, settings: dict[str, str]) -> None:
    """``set_config(..., true)`` at the start of each transaction (one more round trip): a
    session-wide SET would stay on the server connection for whoever gets it next."""
    apply = "SELECT " + ", ".join(
        f"set_config('{name}', '{value}', true)" for name, value in settings.items()
    )

    @event.listens_for(engine.sync_engine, "begin")
    def _settings_of_the_transaction(connection: Connection) -> None:
        connection.exec_driver_sql(apply)


def describe_connection_error(error: BaseException) -> str:
    """One line for an operator, without the password or a stack trace."""
    name = type(error).__name__
    if isinstance(error, OSError) or "Connect" in name or "Timeout" in name:
        return "the database server does not answer; check the host and port in DATABASE_URL"
    if "InvalidPassword" in name or "InvalidAuthorization" in name:
        return "the database refused the login; check the user and password in DATABASE_URL"
    if "InvalidCatalogName" in name:
        return "the database in DATABASE_URL does not exist; create it or fix the name"
    if "unsupported startup parameter" in str(error):
        # PgBouncer's answer to the settings sent at connection start.
        return (
            "the database server refused a connection setting; behind a pooler such as "
            "PgBouncer in transaction mode, set SPORTELLO_DATABASE_POOLER=transaction"
        )
    return f"cannot use the database ({name}); check DATABASE_URL"
