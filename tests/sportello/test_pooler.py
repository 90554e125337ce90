"""Behind PgBouncer in transaction mode (Debian's package), with SPORTELLO_DATABASE_POOLER.

Two server processes share two server connections through the pooler, so each transaction
may run on a connection another process used last: what asyncpg prepares must not collide,
and settings must not be left on connections. Skipped where pgbouncer is not installed,
except in CI, where it must run (`make pgbouncer` installs it as root).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from db.engine import create_engine
from tests.conftest import Databases
from tests.security.conftest import Live, demo_copy, free_port, serving
from tests.sportello.test_cli import assert_one_line_error, sportello

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
MY_SITES = "{ sites(first: 3) { edges { node { id } } } }"
EXAMPLES = Path(__file__).resolve().parents[2] / "graphql_examples"
DASHBOARD = (EXAMPLES / "portal" / "site_dashboard.graphql").read_text()
# Each process opens at most twice its pool size; a request may hold two connections at
# once (its transaction, and its budget charged apart), so the pooler gets as many server
# connections as the processes may open (docs/scaling.md), and they take turns on them.
POOL_SIZE = 2
SERVER_CONNECTIONS = 2 * 2 * POOL_SIZE
PROCESS = {"SPORTELLO_DATABASE_POOLER": "transaction", "SPORTELLO_DB_POOL_SIZE": str(POOL_SIZE)}


def pgbouncer_or_skip() -> None:
    if Path(PGBOUNCER).exists():
        return
    if os.environ.get("CI"):
        pytest.fail("pgbouncer is not installed; as root: make pgbouncer")
    pytest.skip("pgbouncer is not installed (Debian: apt-get install pgbouncer, or make pgbouncer)")


@contextlib.contextmanager
def pgbouncer(database_url: str, folder: Path) -> Iterator[str]:
    """PgBouncer in transaction mode in front of ``database_url``; yields the URL through it."""
    url = make_url(database_url)
    socket_dir = url.query.get("host")
    server = (
        f"host={socket_dir}"
        if isinstance(socket_dir, str)
        else f"host={url.host} port={url.port or 5432}"
    )
    password = f" password={url.password}" if url.password else ""
    port = free_port()
    folder.mkdir(mode=0o755)
    (folder / "users.txt").write_text(f'"{url.username}" ""\n')
    config = folder / "pgbouncer.ini"
    config.write_text(
        f"[databases]\n{url.database} = {server} dbname={url.database} user={url.username}"
        f"{password}\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n"
        f"unix_socket_dir =\nauth_type = trust\nauth_file = {folder / 'users.txt'}\n"
        f"pool_mode = transaction\ndefault_pool_size = {SERVER_CONNECTIONS}\n"
        "max_client_conn = 200\n"
    )
    for path in folder.iterdir():
        path.chmod(0o644)
    command = [PGBOUNCER, str(config)]
    if os.geteuid() == 0:  # pgbouncer does not run as root: as the database's socket owner
        owner = os.stat(socket_dir).st_uid if isinstance(socket_dir, str) else None
        command[1:1] = ["-u", pwd.getpwuid(owner).pw_name if owner is not None else "nobody"]
    log = (folder / "pgbouncer.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while not listening(port):
            assert process.poll() is None, (folder / "pgbouncer.log").read_text()
            assert time.monotonic() < deadline, "pgbouncer did not listen within 10 s"
            time.sleep(0.05)
        yield url.set(
            drivername="postgresql", host="127.0.0.1", port=port, query={}
        ).render_as_string(hide_password=False)
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
async def pooled(
    databases: Databases, seeded_template: str, tmp_path: Path
) -> AsyncIterator[tuple[str, str]]:
    """A copy of the demo data: its direct URL and its URL through PgBouncer."""
    pgbouncer_or_skip()
    async with demo_copy(databases, seeded_template) as direct:
        with pgbouncer(direct, tmp_path / "pgbouncer") as through:
            yield direct, through


async def test_two_processes_behind_pgbouncer_in_transaction_mode(
    pooled: tuple[str, str], tmp_path: Path
) -> None:
    """Logins and the portal's site dashboard (the driver's kept statements, prepared on first
    use) on both processes at once, through server connections they take turns on."""
    _, through = pooled
    folders = [tmp_path / "first", tmp_path / "second"]
    for folder in folders:
        folder.mkdir()
    async with (
        serving(through, folders[0], **PROCESS) as first,
        serving(through, folders[1], **PROCESS) as second,
    ):
        tokens = [await server.fresh_token("contact of one client") for server in (first, second)]
        site = (await first.data(MY_SITES, tokens[0]))["sites"]["edges"][0]["node"]["id"]

        async def dashboard(server: Live, token: str) -> None:
            body = (await server.gql(DASHBOARD, {"site": site}, token=token)).json()
            assert "errors" not in body, body
            assert body["data"]["site"]["id"] == site

        for _ in range(3):
            await asyncio.gather(
                *(dashboard(s, t) for s, t in zip((first, second) * 5, tokens * 5, strict=True))
            )


async def test_each_transaction_gets_the_settings_of_a_direct_connection(
    pooled: tuple[str, str],
) -> None:
    """The statement timeout and JIT off hold in every transaction through the pooler, so a
    runaway statement is still stopped."""
    _, through = pooled
    engine = create_engine(through, pool_size=2, statement_timeout_ms=200, pooler="transaction")
    try:
        for _ in range(3):
            async with engine.begin() as connection:
                found = await connection.execute(
                    sa.text("SELECT current_setting('statement_timeout'), current_setting('jit')")
                )
                assert tuple(found.one()) == ("200ms", "off")
        with pytest.raises(DBAPIError, match="statement timeout"):
            async with engine.begin() as connection:
                await connection.execute(sa.text("SELECT pg_sleep(2)"))
    finally:
        await engine.dispose()


def test_without_the_setting_the_pooler_is_named(pooled: tuple[str, str], tmp_path: Path) -> None:
    """PgBouncer refuses the settings Sportello sends at connection start; the operator reads
    which setting to add."""
    _, through = pooled
    result = sportello("migrate", cwd=tmp_path, DATABASE_URL=through)
    assert_one_line_error(result, "SPORTELLO_DATABASE_POOLER=transaction")
    migrated = sportello(
        "migrate", cwd=tmp_path, DATABASE_URL=through, SPORTELLO_DATABASE_POOLER="transaction"
    )
    assert migrated.returncode == 0, migrated.stderr
    assert "database at migration" in migrated.stdout
