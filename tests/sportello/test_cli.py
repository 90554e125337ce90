"""The ``sportello`` command as an operator meets it: real processes, real exit statuses."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from sportello.base.settings import Settings
from sportello.cli import seed_database


def environment(**env: str) -> dict[str, str]:
    """This process's environment without its DATABASE_URL, with ``env`` on top."""
    return {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env


def sportello(
    *args: str, cwd: Path, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sportello", *args],
        cwd=cwd,
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_server(cwd: Path, port: int, **env: str) -> subprocess.Popen[str]:
    """``sportello serve`` on ``port``, running in the background (output kept)."""
    return subprocess.Popen(
        [sys.executable, "-m", "sportello", "serve", "--port", str(port)],
        cwd=cwd,
        env=environment(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def first_readiness(client: httpx.Client, seconds: float) -> httpx.Response:
    """The server's first answer to /readyz, waited for at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return client.get("/readyz")
        except httpx.ConnectError:
            assert time.monotonic() < deadline, f"the server did not start within {seconds:g} s"
            time.sleep(0.1)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://root@localhost/shop", "PostgreSQL only"),
        ("this is not a url", "not a database URL"),
        ("postgresql://me@localhost", "names no database"),
    ],
)
def test_a_malformed_database_url_is_named(tmp_path: Path, url: str, expected: str) -> None:
    assert_one_line_error(sportello("migrate", cwd=tmp_path, DATABASE_URL=url), expected)


def test_an_unreachable_database_is_explained_without_its_password(tmp_path: Path) -> None:
    result = sportello(
        "migrate", cwd=tmp_path, DATABASE_URL="postgresql://me:hunter22@127.0.0.1:9/db"
    )
    assert_one_line_error(result, "does not answer", "DATABASE_URL")
    assert "hunter22" not in result.stderr + result.stdout


def test_a_bad_setting_names_its_variable(tmp_path: Path) -> None:
    result = sportello("db", "status", cwd=tmp_path, SPORTELLO_PORT="eighty")
    assert_one_line_error(result, "SPORTELLO_PORT")


def test_a_data_directory_that_is_not_ours_is_left_alone(tmp_path: Path) -> None:
    foreign = tmp_path / "data" / "pgdata"
    foreign.mkdir(parents=True)
    (foreign / "holiday.jpg").write_bytes(b"not a database")
    result = sportello("db", "start", cwd=tmp_path, SPORTELLO_DATA_DIR=str(tmp_path / "data"))
    assert_one_line_error(result, "not a PostgreSQL data directory")
    assert sorted(p.name for p in foreign.iterdir()) == ["holiday.jpg"]


async def test_a_failed_migration_exits_2_and_changes_nothing(
    tmp_path: Path, empty_database: str
) -> None:
    engine = create_engine(empty_database, pool_size=1)
    async with engine.begin() as connection:
        await connection.execute(sa.text("CREATE TABLE ticket (squatter int)"))
    result = sportello("migrate", cwd=tmp_path, DATABASE_URL=empty_database)
    assert_one_line_error(result, "left as it was")
    async with engine.connect() as connection:
        count = await connection.scalar(
            sa.text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        )
    await engine.dispose()
    assert count == 1


def test_a_port_in_use_is_named(tmp_path: Path, database_url: str, free_port: int) -> None:
    url = database_url
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", free_port))
        squatter.listen()
        result = sportello("serve", cwd=tmp_path, DATABASE_URL=url, SPORTELLO_PORT=str(free_port))
    assert_one_line_error(result, f"127.0.0.1:{free_port} is already in use")


def test_serve_answers_over_real_http(tmp_path: Path, database_url: str, free_port: int) -> None:
    server = start_server(tmp_path, free_port, DATABASE_URL=database_url)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{free_port}") as client:
            assert first_readiness(client, 30).status_code == 200
            answer = client.post("/graphql", json={"query": "{ __typename }"})
            assert answer.json() == {"data": {"__typename": "Query"}}
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert "Traceback" not in output


def test_serve_refuses_an_unmigrated_database(tmp_path: Path, empty_database: str) -> None:
    result = sportello("serve", cwd=tmp_path, DATABASE_URL=empty_database, SPORTELLO_PORT="0")
    assert_one_line_error(result, "sportello migrate")


def test_the_embedded_database_lifecycle(tmp_path: Path) -> None:
    status = sportello("db", "status", cwd=tmp_path)
    assert "not created yet" in status.stdout
    try:
        assert sportello("db", "start", cwd=tmp_path).returncode == 0
        url = sportello("db", "url", cwd=tmp_path)
        assert url.stdout.startswith("postgresql+asyncpg://")
        migrated = sportello("migrate", cwd=tmp_path)
        assert migrated.returncode == 0
        assert "database at migration" in migrated.stdout
        assert "running" in sportello("db", "status", cwd=tmp_path).stdout
    finally:
        assert sportello("db", "stop", cwd=tmp_path).stdout.strip() == "stopped"
    assert "stopped" in sportello("db", "status", cwd=tmp_path).stdout
    assert (tmp_path / ".sportello" / "pgdata" / "PG_VERSION").is_file()


async def test_the_worker_drains_the_outbox_into_eml_files_without_smtp(
    tmp_path: Path, database_url: str
) -> None:
    engine = create_engine(database_url, pool_size=1)
    async with engine.begin() as connection:
        org = await connection.scalar(
            sa.text(
                "INSERT INTO organization (id, created_at, slug, name, notification_email, "
                "locale, timezone, portal_enabled, portal_fee_cents, currency, vat_rate_percent, "
                "reminder_offsets_days, contract_alert_days, travel_average_speed_kmh, "
                "travel_road_factor, travel_buffer_minutes, booking_min_lead_hours, "
                "booking_horizon_days, ticket_counter, portal_info_text) VALUES "
                "(gen_random_uuid(), now(), 'acme', 'Acme', 'office@acme.example', 'it', "
                "'Europe/Rome', true, 200, 'EUR', 22, '{30,7}', 30, 40, 1.3, 10, 24, 60, 0, '') "
                "RETURNING id"
            )
        )
        await connection.execute(
            sa.text(
                "INSERT INTO outbox_message (id, created_at, organization_id, kind, to_address, "
                "locale, subject, body_text, payload, status, attempts, next_attempt_at) VALUES "
                "(gen_random_uuid(), now(), :org, 'test', 'someone@acme.example', 'it', 'Ciao', "
                "'Un messaggio', '{}', 'PENDING', 0, now())"
            ),
            {"org": org},
        )
    await engine.dispose()
    result = sportello(
        "worker",
        "--once",
        cwd=tmp_path,
        DATABASE_URL=database_url,
        SPORTELLO_DATA_DIR=str(tmp_path / "data"),
    )
    assert result.returncode == 0, result.stderr
    assert "sent 1 messages" in result.stdout
    files = list((tmp_path / "data" / "mail").glob("*.eml"))
    assert len(files) == 1
    assert "Subject: Ciao" in files[0].read_text()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_terminated_server_stops_the_embedded_database_it_started(
    tmp_path: Path, free_port: int, signum: signal.Signals
) -> None:
    """``kill`` (SIGTERM) or the terminal closed (SIGHUP) ends ``sportello serve`` as Ctrl-C
    does: the server shuts down and the embedded cluster it started is stopped, not left
    running in the background."""
    try:
        assert sportello("migrate", cwd=tmp_path).returncode == 0
        server = start_server(tmp_path, free_port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{free_port}") as client:
                first_readiness(client, 60)
                assert "running" in sportello("db", "status", cwd=tmp_path).stdout
        finally:
            server.send_signal(signum)
            output, _ = server.communicate(timeout=60)
        assert server.returncode == 128 + signum, output
        assert "Traceback" not in output
        assert "Shutting down" in output, output
        assert "stopped" in sportello("db", "status", cwd=tmp_path).stdout
    finally:
        sportello("db", "stop", cwd=tmp_path)


async def test_seeding_leaves_the_planners_statistics(tmp_path: Path, engine: AsyncEngine) -> None:
    """``sportello seed`` (and ``make run``'s demo) analyzes what it wrote: the server's first
    plans are made knowing the tables' sizes, not before autovacuum gets to them."""
    settings = Settings(data_dir=tmp_path)
    assert await seed_database(engine, settings, scale=1, if_empty=True, today=None)
    async with engine.connect() as connection:
        unanalyzed = (
            await connection.execute(
                sa.text(
                    "SELECT relname FROM pg_class JOIN pg_namespace"
                    " ON pg_namespace.oid = relnamespace"
                    " WHERE nspname = 'public' AND relkind = 'r' AND reltuples < 0"
                )
            )
        ).scalars()
        assert list(unanalyzed) == []
