"""Shared fixtures: a real PostgreSQL for the whole run and a fresh database per test.

Without DATABASE_URL the run starts a throwaway embedded cluster (deleted afterwards); with it,
that server is used and must let the user create databases. The schema is migrated once into
a template database; each test gets its own copy (``CREATE DATABASE ... TEMPLATE``, a few
milliseconds), so tests are isolated without depending on rollbacks.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from starlette.applications import Starlette

from db import embedded, migrate
from db.engine import create_engine, parse_url
from sportello.base.settings import Settings
from tests import factories
from tests.api import Api, Demo
from tests.mailer.smtp import SmtpServer

MakeEngine = Callable[[], Awaitable[AsyncEngine]]
# The anchor day of the demo data used by tests: figures computed from it never drift.
DEMO_DAY = dt.date(2026, 11, 23)
MakeClient = Callable[..., Awaitable[httpx.AsyncClient]]
MakeDemo = Callable[..., Awaitable[Demo]]


class DemoWithFiles(Demo):
    """The demo app storing files under ``root``."""

    def __init__(self, demo: Demo, root: Path) -> None:
        super().__init__(demo.engine, demo.client)
        self.root = root

    def stored_files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*") if p.is_file()) if self.root.exists() else []


def bearer(token: str | None, headers: dict[str, str] | None = None) -> dict[str, str]:
    """``headers`` with the session ``token``, if any, as their authorization."""
    sent = dict(headers or {})
    if token is not None:
        sent["authorization"] = f"Bearer {token}"
    return sent


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[URL]:
    """A superuser-ish URL of the PostgreSQL server the run uses."""
    external = os.environ.get("DATABASE_URL")
    if external:
        yield parse_url(external)
        return
    pgdata = tmp_path_factory.mktemp("pg") / "data"
    url = embedded.start(pgdata)
    try:
        yield parse_url(url)
    finally:
        embedded.stop(pgdata)
        shutil.rmtree(pgdata, ignore_errors=True)


class Databases:
    """Creates and drops the run's databases through an autocommit connection."""

    def __init__(self, server: URL) -> None:
        self.server = server
        self.admin = create_async_engine(server, isolation_level="AUTOCOMMIT", pool_size=1)
        self.prefix = f"sportello_test_{os.getpid()}"

    def url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    async def create(self, template: str | None = None) -> str:
        name = f"{self.prefix}_{uuid.uuid4().hex[:12]}"
        clause = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        async with self.admin.connect() as connection:
            await connection.execute(sa.text(f'CREATE DATABASE "{name}"{clause}'))
        return name

    async def drop(self, name: str) -> None:
        async with self.admin.connect() as connection:
            await connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
async def databases(server_url: URL) -> AsyncIterator[Databases]:
    manager = Databases(server_url)
    yield manager
    await manager.admin.dispose()


@pytest.fixture(scope="session")
async def migrated_template(databases: Databases) -> AsyncIterator[str]:
    """A database at the newest migration, copied for each test."""
    name = await databases.create()
    engine = create_engine(databases.url(name), pool_size=1)
    await migrate.upgrade(engine)
    await engine.dispose()
    yield name
    await databases.drop(name)


@pytest.fixture(scope="session")
async def seeded_template(databases: Databases, migrated_template: str) -> AsyncIterator[str]:
    """A migrated database holding the scale 1 demo data anchored on DEMO_DAY."""
    from db.seed import seed

    name = await databases.create(migrated_template)
    engine = create_engine(databases.url(name), pool_size=1)
    async with engine.begin() as connection:
        await seed(connection, scale=1, today=DEMO_DAY)
    await engine.dispose()
    yield name
    await databases.drop(name)


@pytest.fixture
async def demo_database(databases: Databases, seeded_template: str) -> AsyncIterator[str]:
    """The URL of a fresh copy of the demo data for this test alone."""
    name = await databases.create(seeded_template)
    yield databases.url(name)
    await databases.drop(name)


@pytest.fixture
async def demo_connection(demo_database: str) -> AsyncIterator[AsyncConnection]:
    """A connection to this test's copy of the demo data (what it leaves open is rolled back)."""
    engine = create_engine(demo_database, pool_size=1)
    async with engine.connect() as connection:
        yield connection
    await engine.dispose()


@pytest.fixture
async def make_database(
    databases: Databases, migrated_template: str
) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """A factory of fresh, migrated, empty databases; returns each one's URL."""
    created: list[str] = []

    async def make() -> str:
        name = await databases.create(migrated_template)
        created.append(name)
        return databases.url(name)

    yield make
    for name in created:
        await databases.drop(name)


@pytest.fixture
async def make_engine(make_database: Callable[[], Awaitable[str]]) -> AsyncIterator[MakeEngine]:
    """A factory of engines on fresh, migrated, empty databases."""
    engines: list[AsyncEngine] = []

    async def make() -> AsyncEngine:
        engine = create_engine(await make_database(), pool_size=2)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.dispose()


@pytest.fixture
async def engine(make_engine: MakeEngine) -> AsyncEngine:
    """An engine on a fresh, migrated, empty database of this test alone."""
    return await make_engine()


@pytest.fixture
async def database_url(make_database: Callable[[], Awaitable[str]]) -> str:
    """The URL of a fresh, migrated, empty database of this test alone."""
    return await make_database()


@pytest.fixture
async def empty_database(databases: Databases) -> AsyncIterator[str]:
    """The URL of a database with nothing in it, not even migrations."""
    name = await databases.create()
    yield databases.url(name)
    await databases.drop(name)


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    """A running SMTP server that records every message it accepts."""
    server = SmtpServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    """HTTP clients talking to an app on a given database URL, in process."""
    apps: list[Starlette] = []
    clients: list[httpx.AsyncClient] = []

    from sportello.app import create_app  # tests of the database alone do not need the app

    async def make(database_url: str, **settings: Any) -> httpx.AsyncClient:
        # Every in-process request comes from one address standing for many users: the limit
        # of anonymous requests per address (sportello/admission.py) is lifted unless a test
        # sets its own.
        settings = {"anonymous_requests_per_minute": 1_000_000_000} | settings
        app = create_app(Settings(database_url=database_url, **settings))
        apps.append(app)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
    for app in apps:
        await app.state.sportello.close()


MakeAcme = Callable[..., Awaitable[tuple[Api, uuid.UUID]]]


@pytest.fixture
async def make_acme(
    make_client: MakeClient, make_database: Callable[[], Awaitable[str]]
) -> AsyncIterator[MakeAcme]:
    """Apps on fresh databases holding organization acme and its ADMIN: each call takes the
    admin's email (and columns), the app's ``settings``, and answers an :class:`Api` on the
    app and acme's id."""
    engines: list[AsyncEngine] = []

    async def make(
        admin: str = "admin@acme.example",
        *,
        settings: dict[str, Any] | None = None,
        **admin_values: Any,
    ) -> tuple[Api, uuid.UUID]:
        url = await make_database()
        engine = create_engine(url, pool_size=2)
        engines.append(engine)
        org = await factories.organization(engine, "acme")
        await factories.staff(engine, org, admin, **admin_values)
        return Api(engine, await make_client(url, **(settings or {}))), org

    yield make
    for engine in engines:
        await engine.dispose()


@pytest.fixture
async def client(
    make_client: MakeClient, make_database: Callable[[], Awaitable[str]]
) -> httpx.AsyncClient:
    """A client of an app on a fresh, migrated, empty database."""
    return await make_client(await make_database())


@pytest.fixture
async def make_demo(make_client: MakeClient, demo_database: str) -> AsyncIterator[MakeDemo]:
    """Apps on a fresh copy of the demo data (scale 1, anchored on DEMO_DAY), each with the
    settings it is given."""
    engines: list[AsyncEngine] = []

    async def make(**settings: Any) -> Demo:
        engine = create_engine(demo_database, pool_size=1)
        engines.append(engine)
        return Demo(engine, await make_client(demo_database, **settings))

    yield make
    for engine in engines:
        await engine.dispose()


@pytest.fixture
async def demo(make_demo: MakeDemo, tmp_path: Path) -> Demo:
    """The app on a fresh copy of the demo data; the files it writes (a signed work sheet's
    PDF) go under the test's ``tmp_path``."""
    return await make_demo(data_dir=tmp_path)
