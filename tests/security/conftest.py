"""A real ``sportello serve`` process on a loopback port, attacked over HTTP.

Each test module gets its own server on its own copy of the demo data (scale 1, anchored on
DEMO_DAY), so what one module's attacks leave behind (throttled accounts, ended sessions)
never changes what another observes. Tests that need other settings (a short statement
timeout, a server that may be wedged on purpose) start a dedicated one with ``dedicated``.

The server is configured as an operator would run it: not in development mode, its public
URL the loopback address it listens on, no trusted proxy.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from authz.identity.authenticate import COOKIE
from db.engine import create_engine
from db.seed import DEMO_PASSWORD, demo_logins
from tests.conftest import Databases
from tests.partners import partner_token

if TYPE_CHECKING:
    from tests.security.tenancy import Actors

LOGIN = """mutation($org: String!, $id: String!, $pw: String!) {
  login(organization: $org, identifier: $id, password: $pw) { token expiresAt accountKind }
}"""
RESET = """mutation($org: String!, $id: String!) {
  requestPasswordReset(organization: $org, identifier: $id) }"""
# Where the demo data lives: "brillanti" is the victim or the attacker, "ignis" the other.
HOME = "brillanti"
OTHER = "ignis"
STARTUP_SECONDS = 60
PARTNER_SCOPES = ("reports:read", "lists:read", "exports:read")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def demo_identifier(role: str, org: str = HOME) -> str:
    """The login of a demo account, e.g. ``demo_identifier("staff admin", "ignis")``."""
    return next(
        login.identifier
        for login in demo_logins()
        if login.role == role and login.organization == org
    )


def without_request_ids(value: Any) -> Any:
    """A response body with its request ids taken out, so two answers can be compared."""
    if isinstance(value, dict):
        return {k: without_request_ids(v) for k, v in value.items() if k != "requestId"}
    if isinstance(value, list):
        return [without_request_ids(v) for v in value]
    return value


@dataclasses.dataclass
class Live:
    """A running server, an HTTP client that keeps no cookies, and SQL on its database."""

    base_url: str
    public_url: str
    database_url: str
    log_path: Path
    process: subprocess.Popen[bytes]
    client: httpx.AsyncClient
    engine: AsyncEngine
    tokens: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def origin(self) -> str:
        return self.public_url

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; cookies the server sets are not kept (each test sends its own)."""
        try:
            return await self.client.request(method, path, **kwargs)
        finally:
            self.client.cookies.clear()

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        cookie: str | None = None,
        origin: str | None = "",
        headers: dict[str, str] | None = None,
        operation_name: str | None = None,
        seconds: float | None = None,
    ) -> httpx.Response:
        """POST /graphql as JSON; ``origin`` defaults to the server's own, None sends none."""
        sent: dict[str, str] = {}
        if origin is not None:
            sent["origin"] = origin or self.origin
        if token is not None:
            sent["authorization"] = f"Bearer {token}"
        if cookie is not None:
            sent["cookie"] = f"{COOKIE}={cookie}"
        sent |= headers or {}
        body: dict[str, Any] = {"query": query, "variables": variables or {}}
        if operation_name is not None:
            body["operationName"] = operation_name
        extra: dict[str, Any] = {} if seconds is None else {"timeout": seconds}
        return await self.request("POST", "/graphql", json=body, headers=sent, **extra)

    async def login(
        self,
        identifier: str,
        password: str = DEMO_PASSWORD,
        org: str = HOME,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return await self.gql(
            LOGIN, {"org": org, "id": identifier, "pw": password}, headers=headers
        )

    async def fresh_token(self, role: str, org: str = HOME) -> str:
        """A new session of a demo account, for tests that end it."""
        response = await self.login(demo_identifier(role, org), org=org)
        body = response.json()
        assert body.get("data"), body
        token: str = body["data"]["login"]["token"]
        return token

    async def token(self, role: str, org: str = HOME) -> str:
        """A session of a demo account, shared by the module's tests (never ended)."""
        key = f"{org}/{role}"
        if key not in self.tokens:
            self.tokens[key] = await self.fresh_token(role, org)
        return self.tokens[key]

    async def data(self, query: str, token: str, **variables: Any) -> Any:
        response = await self.gql(query, variables, token=token)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body
        return body["data"]

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.engine.connect() as connection:
            return await connection.scalar(sa.text(sql), params)

    async def rows(self, sql: str, **params: Any) -> list[sa.Row[Any]]:
        async with self.engine.connect() as connection:
            return list((await connection.execute(sa.text(sql), params)).all())

    async def execute(self, sql: str, **params: Any) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(sa.text(sql), params)

    async def partner_token(self, org: str = HOME, clients: Sequence[uuid.UUID] = ()) -> str:
        """A partner token of ``org`` with every scope, restricted to ``clients`` if any,
        inserted as an admin's createPartnerToken would store it (only its hash)."""
        return await partner_token(self, org, PARTNER_SCOPES, clients)

    def log(self) -> str:
        """What the server has written to its console so far."""
        return _read(self.log_path)


def _read(path: Path) -> str:
    return path.read_text(errors="replace")


def _spawn(port: int, workdir: Path, environ: dict[str, str], log_path: Path) -> Any:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "sportello", "serve", "--port", str(port)],
            cwd=workdir,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            # A server wedged by an attack does not get back to its signal handler.
            process.kill()
            process.wait(timeout=10)


async def _wait_ready(
    client: httpx.AsyncClient, process: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"sportello serve exited with {process.returncode}:\n{_read(log)}")
        try:
            ready = await client.get("/readyz")
            if ready.status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    pytest.fail(f"sportello serve was not ready within {STARTUP_SECONDS} s:\n{_read(log)}")


@contextlib.asynccontextmanager
async def serving(database_url: str, workdir: Path, **env: str) -> AsyncIterator[Live]:
    """``python -m sportello serve`` on a free loopback port against ``database_url``."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    environ = {
        k: v
        for k, v in os.environ.items()
        if k != "DATABASE_URL" and not k.startswith("SPORTELLO_")
    }
    environ |= {
        "DATABASE_URL": database_url,
        "SPORTELLO_PUBLIC_URL": base_url,
        "SPORTELLO_DATA_DIR": str(workdir / "data"),
        # Every test's requests come from 127.0.0.1 and a few accounts, standing for many
        # users: the limit of anonymous requests per address and the accounts' cost budgets
        # would stop a module's logins and exports (tests/security/test_admission.py sets low
        # ones on servers of its own).
        "SPORTELLO_ANONYMOUS_REQUESTS_PER_MINUTE": "1000000",
        "SPORTELLO_SESSION_COST_PER_MINUTE": "1000000000",
    }
    environ |= env
    log_path = workdir / "server.log"
    process: subprocess.Popen[bytes] = _spawn(port, workdir, environ, log_path)
    engine = create_engine(database_url, pool_size=2)
    client = httpx.AsyncClient(base_url=base_url, timeout=30)
    try:
        await _wait_ready(client, process, log_path)
        yield Live(base_url, base_url, database_url, log_path, process, client, engine)
    finally:
        await client.aclose()
        await engine.dispose()
        _stop(process)


@contextlib.asynccontextmanager
async def demo_copy(databases: Databases, template: str) -> AsyncIterator[str]:
    """The URL of a fresh copy of the demo data, dropped afterwards."""
    name = await databases.create(template)
    try:
        yield databases.url(name)
    finally:
        await databases.drop(name)


@pytest.fixture(scope="module")
async def live(
    request: pytest.FixtureRequest,
    databases: Databases,
    seeded_template: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Live]:
    """The module's server on its own copy of the demo data, with the module's
    ``SERVER_ENVIRONMENT`` if it has one."""
    environment: dict[str, str] = getattr(request.module, "SERVER_ENVIRONMENT", {})
    async with (
        demo_copy(databases, seeded_template) as url,
        serving(url, tmp_path_factory.mktemp("live"), **environment) as server,
    ):
        yield server


@pytest.fixture(scope="module")
async def actors(live: Live) -> Actors:
    """The principals of the module's cross-tenant attacks (tests/security/tenancy.py)."""
    from tests.security.tenancy import Actors  # the kit imports this module

    return Actors(live)


Dedicated = Callable[..., contextlib.AbstractAsyncContextManager[Live]]


@pytest.fixture
def dedicated(
    databases: Databases, seeded_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Dedicated:
    """Starts a server of the test's own, with extra environment (``SPORTELLO_...``)."""

    @contextlib.asynccontextmanager
    async def start(**env: str) -> AsyncIterator[Live]:
        async with (
            demo_copy(databases, seeded_template) as url,
            serving(url, tmp_path_factory.mktemp("dedicated"), **env) as server,
        ):
            yield server

    return start


@pytest.fixture
async def fresh_throttle(live: Live) -> AsyncIterator[None]:
    """Failed-login counters start and end empty, so throttling tests see only their own."""
    await live.execute("DELETE FROM login_throttle")
    yield
    await live.execute("DELETE FROM login_throttle")
