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
import dataclasses
import datetime as dt
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db import embedded, migrate
from sportello import logs
from sportello.base.errors import StartupError
from sportello.base.settings import Settings
from sportello.command_database import ENDING_SIGNALS, database, require_current, with_engine
from sportello.serving import ensure_port_free, require_store, serve, storage_ops

EXIT_OPERATOR_ERROR = 2


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


def cmd_create_organization(settings: Settings, args: argparse.Namespace) -> int:
    from db.queries.organizations import NewOrganization
    from sportello.bootstrap import Created, create_organization

    new = NewOrganization(
        slug=args.slug,
        name=args.name,
        notification_email=args.notification_email or args.admin_email,
        locale=args.locale,
        timezone=args.time_zone,
        admin_first_name=args.admin_first_name,
        admin_last_name=args.admin_last_name,
        admin_email=args.admin_email,
    )

    async def create(engine: AsyncEngine) -> Created:
        await require_current(engine)
        return await create_organization(engine, settings, new)

    with database(settings) as resolved:
        created = with_engine(resolved, create)
    print(
        f"organization {created.organization} created; its administrator is {created.admin_email}"
    )
    print(f"set the administrator's password once, before {created.expires_at:%Y-%m-%d %H:%M} UTC:")
    print(f"  {created.link}")
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


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    """Send queued mail and queue the scheduled notifications; --once drains and exits."""
    from mailer.worker import run_worker

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
        return serve(resolved, workers=args.workers or settings.workers)


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

        return serve(resolved, banner, with_worker=True)


def describe_mail(settings: Settings) -> str:
    if settings.smtp_host:
        return f"{settings.smtp_host}:{settings.smtp_port}"
    return f"{settings.mail_dir}/ as .eml files"


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    """Import files of records by external reference; exit status 1 when a row is refused."""
    from pathlib import Path

    from sportello.importing import import_files, planned

    files = planned([Path(name) for name in args.files], args.entity)

    async def work(engine: AsyncEngine) -> bool:
        await require_current(engine)
        return await import_files(
            engine, args.organization, files, dry_run=args.dry_run, out=sys.stdout
        )

    with database(settings) as resolved:
        accepted = with_engine(resolved, work)
    return 0 if accepted else 1


def cmd_storage(settings: Settings, args: argparse.Namespace) -> int:
    """Copy the local document folder (or --from) to --to, verifying every file's hash."""
    require_store(settings, args.to)
    source = str(args.source or settings.document_root)
    endpoint = settings.storage_endpoint or ""
    return storage_ops("copy", source, args.to, endpoint, capture=False).returncode


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
    serve_parser.add_argument(
        "--workers", type=positive, help="server processes sharing the port (SPORTELLO_WORKERS)"
    )
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

    organization = commands.add_parser(
        "create-organization", help="a new organization and its first administrator"
    )
    organization.add_argument("--slug", required=True, help="login name in links (?org=...)")
    organization.add_argument("--name", required=True, help="display name")
    organization.add_argument("--admin-email", required=True)
    organization.add_argument("--admin-first-name", required=True)
    organization.add_argument("--admin-last-name", required=True)
    organization.add_argument("--notification-email", help="default: the admin's email")
    organization.add_argument("--locale", default="it", help="it, es or en (default it)")
    organization.add_argument("--time-zone", default="Europe/Rome", help="IANA name")
    organization.set_defaults(handler=cmd_create_organization)

    worker_parser = commands.add_parser("worker", help="send mail from the outbox")
    worker_parser.add_argument("--once", action="store_true", help="send what is due, then exit")
    worker_parser.set_defaults(handler=cmd_worker)

    import_parser = commands.add_parser("import", help="create or update records from files")
    import_parser.add_argument("files", nargs="+", metavar="FILE", help=".csv or .jsonl")
    import_parser.add_argument("--organization", required=True, help="the organization's slug")
    import_parser.add_argument("--entity", help="what the files hold (default: their names)")
    import_parser.add_argument("--dry-run", action="store_true", help="check and report only")
    import_parser.set_defaults(handler=cmd_import)

    db_parser = commands.add_parser("db", help="manage the embedded PostgreSQL")
    db_parser.add_argument("action", choices=["start", "stop", "status", "url"])
    db_parser.set_defaults(handler=cmd_db)

    storage_parser = commands.add_parser("storage", help="manage the document store")
    storage_actions = storage_parser.add_subparsers(dest="action", required=True)
    copy_parser = storage_actions.add_parser(
        "copy", help="copy the local document folder to a bucket, verifying every hash"
    )
    copy_parser.add_argument("--to", required=True, help="s3://bucket/prefix")
    copy_parser.add_argument(
        "--from", dest="source", type=Path, help="folder (default: the document root)"
    )
    copy_parser.set_defaults(handler=cmd_storage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        logs.configure(settings)
        handler: Callable[[Settings, argparse.Namespace], int] = args.handler
        return handler(settings, args)
    except StartupError as error:
        print(f"sportello: {error}", file=sys.stderr)
        return EXIT_OPERATOR_ERROR
    except KeyboardInterrupt:
        return 130
