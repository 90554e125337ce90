"""GET /metrics: Prometheus figures for an operator's scraper, and JSON log lines."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import signal
import uuid
from pathlib import Path

import httpx
import pytest

from db.seed import DEMO_PASSWORD
from sportello import logs
from tests.api import Demo
from tests.conftest import MakeClient, MakeDemo
from tests.sportello.test_cli import first_readiness, free_port, start_server

__all__ = ["free_port"]  # a fixture of test_cli's, used here

TOKEN = "scraper-secret-0123456789"
SCRAPER = {"authorization": f"Bearer {TOKEN}"}


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in the exposition text (0 when it is not there yet)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        series, _, value = line.rpartition(" ")
        found_name, _, found_labels = series.partition("{")
        found = ",".join(sorted(found_labels.rstrip("}").split(","))) if found_labels else ""
        if found_name == name and found == wanted:
            return float(value)
    return 0.0


@pytest.fixture
async def demo(make_demo: MakeDemo, tmp_path: Path) -> Demo:
    return await make_demo(data_dir=tmp_path, metrics_token=TOKEN)


async def test_metrics_are_hidden_without_the_token(
    demo: Demo, make_client: MakeClient, demo_database: str
) -> None:
    for headers in ({}, {"authorization": "Bearer wrong-secret-0123456789"}):
        response = await demo.client.get("/metrics", headers=headers)
        assert response.status_code == 404
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    switched_off = await make_client(demo_database)
    response = await switched_off.get("/metrics", headers=SCRAPER)
    assert response.status_code == 404


async def test_requests_logins_statements_and_the_outbox_are_counted(demo: Demo) -> None:
    before = (await demo.client.get("/metrics", headers=SCRAPER)).text
    token = await demo.staff("ADMIN")
    query = "query ClientsPage { clients(first: 2) { totalCount } }"
    response = await demo.gql(query, token, operation_name="ClientsPage")
    assert "errors" not in response.json()
    failed = await demo.login("nobody@example.com", "wrong password 1234", org="brillanti")
    assert failed.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await demo.client.post(
        "/graphql",
        json={"query": "query X { nothing }", "operationName": "not a name!"},
        headers={"origin": "http://127.0.0.1:8000", "authorization": f"Bearer {token}"},
    )
    # One message waiting for an hour and one given up on, in the outbox.
    for status, age in (("PENDING", dt.timedelta(hours=1)), ("DEAD", dt.timedelta(0))):
        await demo.execute(
            "INSERT INTO outbox_message (id, created_at, organization_id, kind, to_address,"
            " subject, body_text, status, next_attempt_at, payload, locale, attempts) "
            "SELECT :i, :created, id, 'test', 'x@example.com', 's', 'b',"
            " :status, now(), '{}', 'it', 0 FROM organization WHERE slug = 'brillanti'",
            i=uuid.uuid4(),
            created=dt.datetime.now(dt.UTC) - age,
            status=status,
        )
    after = (await demo.client.get("/metrics", headers=SCRAPER)).text

    def grew(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    ok = {"operation": "ClientsPage", "audience": "staff", "outcome": "ok"}
    assert grew("sportello_graphql_requests_total", **ok) == 1
    assert grew("sportello_login_failures_total") == 1
    login = {"operation": "anonymous", "audience": "public", "outcome": "UNAUTHENTICATED"}
    assert grew("sportello_graphql_requests_total", **login) >= 1
    invalid = {
        "operation": "invalid",
        "audience": "staff",
        "outcome": "GRAPHQL_VALIDATION_FAILED",
    }
    assert grew("sportello_graphql_requests_total", **invalid) == 1
    assert grew("sportello_sql_statements_per_request_count") >= 4
    assert grew("sportello_sql_statements_per_request_sum") >= 4
    assert grew("sportello_graphql_request_duration_seconds_count", audience="staff") >= 2
    assert sample(after, "sportello_outbox_dead") >= 1
    assert sample(after, "sportello_outbox_pending") >= 1
    assert sample(after, "sportello_outbox_oldest_pending_age_seconds") >= 3590
    assert TOKEN not in after
    assert DEMO_PASSWORD not in after


def test_json_log_lines_carry_the_request_and_no_more() -> None:
    formatter = logs.JsonFormatter()
    with logs.request_facts("abc123") as facts:
        facts.organization_id = "00000000-0000-0000-0000-000000000001"
        facts.principal = "staff"
        record = logging.LogRecord(
            "sportello.test", logging.ERROR, __file__, 1, "failed %s", ("x",), None
        )
        line = json.loads(formatter.format(record))
    assert "request_id" not in json.loads(formatter.format(record))
    assert line["message"] == "failed x"
    assert (line["request_id"], line["organization_id"], line["principal"]) == (
        "abc123",
        "00000000-0000-0000-0000-000000000001",
        "staff",
    )
    assert line["level"] == "ERROR"
    assert line["logger"] == "sportello.test"
    assert re.match(r"\d{4}-\d\d-\d\dT", line["time"])


def test_a_server_logs_json_lines(tmp_path: Path, database_url: str, free_port: int) -> None:
    server = start_server(
        tmp_path, free_port, DATABASE_URL=database_url, SPORTELLO_LOG_FORMAT="json"
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{free_port}") as client:
            assert first_readiness(client, 60).status_code == 200
            client.post("/graphql", json={"query": "{ viewer { kind } }"})
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    loggers = {line["logger"] for line in lines}
    assert {"uvicorn.error", "uvicorn.access"} <= loggers
    assert all({"time", "level", "message"} <= set(line) for line in lines)
