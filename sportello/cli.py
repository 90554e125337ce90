"""The ``sportello`` command.

Every command that needs the database uses ``DATABASE_URL`` when set, otherwise the embedded
cluster under ``.sportello/`` (started for the command and stopped after it, unless it was
already running: ``sportello db start`` keeps it up between commands), also when the command
is ended by SIGTERM or SIGHUP (its terminal closed) as by Ctrl-C. Anything the operator must
fix ends the command with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import gc
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from types import FrameType
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from db import embedded, migrate
from db.engine import DatabaseUnavailable, create_engine, describe_connection_error, parse_url
from sportello.errors import StartupError
from sportello.settings import Settings

if TYPE_CHECKING:
    import uvicorn

T = TypeVar("T")

EXIT_OPERATOR_ERROR = 2


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
    here, SIGHUP: :func:`_server`) while it serves and raises the signal again once it has
    shut down; the signal's default action then ended the process before those blocks could
    run."""

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
        engine = create_engine(settings.database_url, pool_size=2)
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


def ensure_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise StartupError(
                f"{host}:{port} is already in use; stop what listens there or set SPORTELLO_PORT"
            ) from None


# --- commands -------------------------------------------------------------------------------


def cmd_migrate(settings: Settings, _: argparse.Namespace) -> int:
    with database(settings) as resolved:
        reached = with_engine(resolved, migrate.upgrade)
    print(f"database at migration {reached}")
    return 0


async def seed_database(
    engine: AsyncEngine, settings: Settings, scale: int, if_empty: bool, today: dt.date | None
) -> bool:
    """Seed demo data; False when ``if_empty`` and the database already holds organizations."""
    from db.seed import seed

    await require_current(engine)
    async with engine.begin() as connection:
        if if_empty:
            count = await connection.scalar(sa.text("SELECT count(*) FROM organization"))
            if count:
                return False
        report = await seed(connection, scale=scale, today=today, files_dir=settings.document_root)
    # The planner's statistics of the new rows now, not when autovacuum gets to them: the
    # server's first plans would otherwise be made on tables it believes empty.
    async with engine.begin() as connection:
        await connection.execute(sa.text("ANALYZE"))
    total = sum(report.rows.values())
    print(f"seeded {total} rows at scale {scale}")
    return True


def cmd_seed(settings: Settings, args: argparse.Namespace) -> int:
    with database(settings) as resolved:
        seeded = with_engine(
            resolved,
            lambda engine: seed_database(engine, resolved, args.scale, args.if_empty, args.today),
        )
    if not seeded:
        print("the database already holds data; not seeding")
    else:
        print_logins()
    return 0


def demo_organization() -> str:
    """The slug of the demo's first organization, whose portal the printed link opens."""
    from db.seed import demo_logins

    return demo_logins()[0].organization


def print_logins() -> None:
    from db.seed import DEMO_PASSWORD, demo_logins

    print(f"Demo logins (password {DEMO_PASSWORD}):")
    for login in demo_logins():
        print(f"  {login.role:<28} organization {login.organization:<12} {login.identifier}")


# Tracked objects allocated (net of those freed) between two passes of the youngest generation
# of the garbage collector; Python's default is 700.
YOUNG_GENERATION_THRESHOLD = 10_000


def prepare_collector() -> None:
    """The garbage collector set for serving, once everything long-lived is built.

    Everything built so far (modules, schema views, SQLAlchemy metadata) lives as long as the
    process: frozen out of the collector's reach, full collections stop walking it on every
    pass, which showed as latency spikes under load (bench/RESULTS.md). A request leaves no
    reference cycles behind (tests/resolvers/test_dashboard.py): its objects are freed when it
    ends, and a pass of the youngest generation during a request only walks what the request
    still holds, finding nothing to free (two passes per dashboard, 0.2 ms, with Python's
    default of one pass per 700 objects). With one per 10,000 a request runs without any;
    cycles left by unusual paths (an error's traceback) are still collected, later.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:])


def _server(config: uvicorn.Config) -> uvicorn.Server:
    """uvicorn's server, which also shuts down gracefully on SIGHUP (uvicorn handles SIGINT
    and SIGTERM only; SIGHUP's default action ended the process at once)."""
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            with super().capture_signals():
                # Restored before uvicorn raises the signals it caught again, on the way out.
                previous = signal.signal(signal.SIGHUP, self.handle_exit)
                try:
                    yield
                finally:
                    signal.signal(signal.SIGHUP, previous)

    return Server(config)


def serve(
    settings: Settings, banner: Callable[[], None] | None = None, *, with_worker: bool = False
) -> None:
    """Serve until interrupted; with ``with_worker``, the mail worker runs in the same loop
    and stops when the server does."""
    import uvicorn
    import uvloop

    from mailer.worker import run_worker
    from sportello.app import create_app

    ensure_port_free(settings.host, settings.port)
    with_engine(settings, require_current)
    app = create_app(settings)
    if banner is not None:
        banner()
    # httptools parses HTTP and uvloop runs the event loop (the loop is ours: see below).
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        proxy_headers=False,
        http="httptools",
    )
    server = _server(config)
    prepare_collector()

    async def run() -> None:
        stop = asyncio.Event()
        worker = asyncio.create_task(run_worker(settings, stop=stop)) if with_worker else None
        try:
            await server.serve()
        finally:
            stop.set()
            if worker is not None:
                await worker

    uvloop.run(run())


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    """Send queued mail and queue the scheduled notifications; --once drains and exits."""
    import logging

    from mailer.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with database(settings) as resolved:

        async def run() -> int:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, *ENDING_SIGNALS):
                loop.add_signal_handler(signum, stop.set)
            return await run_worker(resolved, once=args.once, stop=stop)

        sent = asyncio.run(run())
    print(f"sent {sent} messages")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    settings = dataclasses.replace(
        settings, host=args.host or settings.host, port=args.port or settings.port
    )
    with database(settings) as resolved:
        serve(resolved)
    return 0


def cmd_run(settings: Settings, _: argparse.Namespace) -> int:
    """What `make run` does: migrate, seed an empty database, serve, say where to go.

    It serves in development mode: GraphiQL for staff at /graphql in a browser.
    """
    settings = dataclasses.replace(settings, development=True)
    ensure_port_free(settings.host, settings.port)
    with database(settings) as resolved:
        with_engine(resolved, migrate.upgrade)
        seeded = with_engine(
            resolved, lambda engine: seed_database(engine, resolved, 1, True, None)
        )
        if not seeded:
            print("the database already holds data; keeping it")

        def banner() -> None:
            print()
            print(f"Sportello is running: {settings.public_url}/graphql")
            print("  open it in a browser and log in as staff for GraphiQL")
            portal = f"{settings.public_url}/?org={demo_organization()}"
            print(f"  client portal {portal} (log in as a contact)")
            print(f"  health {settings.public_url}/healthz, readiness {settings.public_url}/readyz")
            print_logins()
            print(f"  mail goes to {describe_mail(settings)} (a worker runs beside the server)")
            print("Stop with Ctrl-C.")
            print()

        serve(resolved, banner, with_worker=True)
    return 0


def describe_mail(settings: Settings) -> str:
    if settings.smtp_host:
        return f"{settings.smtp_host}:{settings.smtp_port}"
    return f"{settings.mail_dir}/ as .eml files"


def cmd_db(settings: Settings, args: argparse.Namespace) -> int:
    if settings.database_url is not None:
        raise StartupError(
            "DATABASE_URL is set, so the embedded database is not used; unset it to manage it"
        )
    pgdata = settings.embedded_data_dir
    if args.action == "start":
        print(f"embedded PostgreSQL running: {embedded.start(pgdata)}")
    elif args.action == "stop":
        print("stopped" if embedded.stop(pgdata) else "not running")
    elif args.action == "url":
        current = embedded.status(pgdata)
        if current.url is None:
            raise StartupError("the embedded database is not running; `sportello db start`")
        print(current.url)
    else:
        current = embedded.status(pgdata)
        state = "running" if current.running else "stopped"
        if not current.initialised:
            state = "not created yet"
        print(f"embedded PostgreSQL in {pgdata}: {state}")
    return 0


def parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-23") from None


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sportello", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="migrate, seed an empty database and serve")
    run.set_defaults(handler=cmd_run)

    serve_parser = commands.add_parser("serve", help="serve the API over HTTP")
    serve_parser.add_argument("--host", help="interface to listen on (SPORTELLO_HOST)")
    serve_parser.add_argument("--port", type=positive, help="port (SPORTELLO_PORT)")
    serve_parser.set_defaults(handler=cmd_serve)

    migrate_parser = commands.add_parser("migrate", help="bring the schema to the newest version")
    migrate_parser.set_defaults(handler=cmd_migrate)

    seed_parser = commands.add_parser("seed", help="load deterministic demo data")
    seed_parser.add_argument("--scale", type=positive, default=1, help="1 is the demo")
    seed_parser.add_argument("--if-empty", action="store_true", help="skip a non-empty database")
    seed_parser.add_argument(
        "--today", type=parse_day, default=None, help="anchor date of the data (default today)"
    )
    seed_parser.set_defaults(handler=cmd_seed)

    worker_parser = commands.add_parser("worker", help="send mail from the outbox")
    worker_parser.add_argument("--once", action="store_true", help="send what is due, then exit")
    worker_parser.set_defaults(handler=cmd_worker)

    db_parser = commands.add_parser("db", help="manage the embedded PostgreSQL")
    db_parser.add_argument("action", choices=["start", "stop", "status", "url"])
    db_parser.set_defaults(handler=cmd_db)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        handler: Callable[[Settings, argparse.Namespace], int] = args.handler
        return handler(settings, args)
    except StartupError as error:
        print(f"sportello: {error}", file=sys.stderr)
        return EXIT_OPERATOR_ERROR
    except KeyboardInterrupt:
        return 130
