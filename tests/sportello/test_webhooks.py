"""Partner webhooks (README "Webhooks"): ADMIN registers an endpoint for a partner token, the
changes of its clients are posted to it signed, retried, DEAD after the last attempt,
replayable; a worker killed mid-delivery leaves it to the next one. The endpoint is a real
HTTP server on loopback; the worker is the real one (in process, or ``sportello worker``)."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import json
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from db.engine import create_engine
from mailer import webhooks
from mailer.worker import run_worker
from schema.kit import ids
from sportello.base.settings import Settings
from tests.api import Demo
from tests.conftest import MakeClient
from tests.partners import partner_token

KEY = "webhooks-test-signing-key-0123456789"
REGISTER = """
mutation Register($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret webhookEndpoint { id url events disabledAt } }
}"""
CANCEL = "mutation Cancel($id: ID!) { cancelAppointment(id: $id) { id status } }"
DELIVERIES = """
query Deliveries($id: ID!) {
  webhookDeliveries(endpointId: $id) { id event status attempts lastError deliveredAt }
}"""
REPLAY = "mutation Replay($id: ID!) { replayWebhookDelivery(id: $id) { id status attempts } }"
DISABLE = "mutation Disable($id: ID!) { disableWebhookEndpoint(id: $id) { id disabledAt } }"
# Appointments the office may still cancel, of the organization, one per client.
OPEN_VISITS = (
    "SELECT DISTINCT ON (x.client_id) x.id, x.client_id FROM intervention x "
    "JOIN organization o ON o.id = x.organization_id WHERE o.slug = :org "
    "AND x.status IN ('REQUESTED', 'PLANNED') ORDER BY x.client_id, x.id"
)


@dataclasses.dataclass(frozen=True)
class Received:
    headers: Message
    body: bytes


class Receiver:
    """A partner's endpoint on loopback: records every POST, answers the statuses queued
    (then 200), after ``delay`` seconds."""

    def __init__(self, answers: Sequence[int] = (), delay: float = 0.0) -> None:
        self.requests: list[Received] = []
        self.answers = list(answers)
        self.delay = delay
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(Received(self.headers, body))
                receiver.arrived.set()
                time.sleep(receiver.delay)
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test reads ``requests``."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def delivery_ids(self) -> list[str]:
        return [each.headers["Sportello-Delivery"] for each in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    made.thread.start()
    yield made
    made.server.shutdown()
    made.server.server_close()


@pytest.fixture
async def office(
    make_client: MakeClient, demo_database: str, tmp_path: Path
) -> AsyncIterator[Demo]:
    """The demo app with a signing key and private addresses allowed (the receiver)."""
    engine = create_engine(demo_database, pool_size=1)
    client = await make_client(
        demo_database, data_dir=tmp_path, file_signing_key=KEY, webhook_allow_private=True
    )
    yield Demo(engine, client)
    await engine.dispose()


@pytest.fixture
def worker_settings(demo_database: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=demo_database,
        data_dir=tmp_path,
        file_signing_key=KEY,
        webhook_allow_private=True,
        webhook_timeout_seconds=1.0,
    )


async def token_id(api: Demo, secret: str) -> uuid.UUID:
    found: uuid.UUID = await api.scalar(
        "SELECT id FROM partner_token WHERE token_hash = :h",
        h=hashlib.sha256(secret.encode()).digest(),
    )
    return found


async def register(
    api: Demo, url: str, token: uuid.UUID, events: Sequence[str] = ("APPOINTMENT_CANCELLED",)
) -> dict[str, Any]:
    admin = await api.staff("ADMIN")
    variables = {
        "partnerTokenId": ids.encode("PartnerToken", token),
        "url": url,
        "events": list(events),
    }
    created: dict[str, Any] = (await api.data(REGISTER, admin, input=variables))[
        "createWebhookEndpoint"
    ]
    return created


async def visits(api: Demo, org: str = "brillanti") -> list[tuple[uuid.UUID, uuid.UUID]]:
    async with api.engine.connect() as db:
        rows = await db.execute(sa.text(OPEN_VISITS), {"org": org})
        return [(row.id, row.client_id) for row in rows]


async def cancel(api: Demo, visit: uuid.UUID) -> None:
    await api.data(CANCEL, await api.staff("ADMIN"), id=ids.encode("Appointment", visit))


async def make_due(api: Demo) -> None:
    """Skip the backoff: the waiting deliveries are due now."""
    await api.execute("UPDATE webhook_delivery SET next_attempt_at = now()")


def verifies(secret: str, received: Received, window: int = 300) -> bool:
    """What a receiver does: recompute the signature, refuse an old timestamp."""
    timestamp = received.headers["Sportello-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + received.body, "sha256")
    fresh = abs(time.time() - int(timestamp)) <= window
    return fresh and hmac.compare_digest(
        received.headers["Sportello-Signature"], "v1=" + expected.hexdigest()
    )


async def test_a_cancellation_is_delivered_once_across_a_receiver_failing_twice(
    office: Demo, receiver: Receiver, worker_settings: Settings
) -> None:
    token = await token_id(office, await partner_token(office))
    created = await register(office, receiver.url, token)
    assert created["secret"].startswith("whsec_")
    visit, _ = (await visits(office))[0]
    receiver.answers = [500, 503]
    await cancel(office, visit)
    for _ in range(3):
        await run_worker(worker_settings, once=True)
        await make_due(office)
    await run_worker(worker_settings, once=True)

    assert len(receiver.requests) == 3
    assert len(set(receiver.delivery_ids())) == 1
    assert all(verifies(created["secret"], each) for each in receiver.requests)
    body = json.loads(receiver.requests[-1].body)
    assert body["event"] == "appointment.cancelled"
    assert body["id"] == receiver.delivery_ids()[0]
    assert body["data"] == {"type": "Appointment", "id": ids.encode("Appointment", visit)}
    admin = await office.staff("ADMIN")
    endpoint = created["webhookEndpoint"]["id"]
    [delivery] = (await office.data(DELIVERIES, admin, id=endpoint))["webhookDeliveries"]
    assert (delivery["status"], delivery["attempts"]) == ("SENT", 3)
    assert delivery["lastError"] == "HTTP 503"


async def test_a_tampered_body_or_an_old_timestamp_does_not_verify(
    office: Demo, receiver: Receiver, worker_settings: Settings
) -> None:
    token = await token_id(office, await partner_token(office))
    created = await register(office, receiver.url, token)
    await cancel(office, (await visits(office))[0][0])
    await run_worker(worker_settings, once=True)
    [sent] = receiver.requests
    assert verifies(created["secret"], sent)
    assert not verifies(created["secret"], Received(sent.headers, sent.body + b" "))
    assert not verifies("whsec_another", sent)
    assert not verifies(created["secret"], sent, window=-1)


async def test_a_worker_killed_mid_delivery_leaves_it_to_the_next(
    office: Demo, worker_settings: Settings, demo_database: str, tmp_path: Path
) -> None:
    slow = Receiver(delay=30.0)
    slow.thread.start()
    try:
        token = await token_id(office, await partner_token(office))
        await register(office, slow.url, token)
        await cancel(office, (await visits(office))[0][0])
        environment = {k: v for k, v in os.environ.items() if not k.startswith("SPORTELLO_")}
        worker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "sportello",
            "worker",
            env=environment
            | {
                "DATABASE_URL": demo_database,
                "SPORTELLO_DATA_DIR": str(tmp_path),
                "SPORTELLO_FILE_SIGNING_KEY": KEY,
                "SPORTELLO_WEBHOOK_ALLOW_PRIVATE": "1",
                "SPORTELLO_WEBHOOK_TIMEOUT_SECONDS": "60",
            },
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        arrived = await asyncio.to_thread(slow.arrived.wait, 60)
        worker.send_signal(signal.SIGKILL)
        await worker.wait()
        assert arrived
        slow.delay = 0.0
        # Killed while the endpoint held the post: nothing was recorded, it waits again.
        waiting = await office.scalar("SELECT status || ':' || attempts FROM webhook_delivery")
        assert waiting == "PENDING:0"
        await run_worker(worker_settings, once=True)
        await run_worker(worker_settings, once=True)
    finally:
        slow.server.shutdown()
        slow.server.server_close()
    # At least once: the receiver saw the post twice, with one delivery id to drop the repeat.
    assert len(slow.requests) == 2
    assert len(set(slow.delivery_ids())) == 1
    assert await office.scalar("SELECT status FROM webhook_delivery") == "SENT"


async def test_a_slow_endpoint_times_out_and_the_last_failure_makes_it_dead(
    office: Demo, worker_settings: Settings
) -> None:
    slow = Receiver(delay=10.0)
    slow.thread.start()
    try:
        token = await token_id(office, await partner_token(office))
        created = await register(office, slow.url, token)
        await cancel(office, (await visits(office))[0][0])
        settings = dataclasses.replace(worker_settings, webhook_max_attempts=1)
        engine = create_engine(str(settings.database_url), pool_size=1)
        started = time.monotonic()
        try:
            assert await webhooks.deliver_due(engine, settings, batch_size=5) == (0, True)
        finally:
            await engine.dispose()
        assert time.monotonic() - started < 5.0
    finally:
        slow.server.shutdown()
        slow.server.server_close()
    admin = await office.staff("ADMIN")
    endpoint = created["webhookEndpoint"]["id"]
    [dead] = (await office.data(DELIVERIES, admin, id=endpoint))["webhookDeliveries"]
    assert (dead["status"], dead["lastError"]) == ("DEAD", "no answer within 1 s")


async def test_staff_replay_a_delivery_with_the_same_id_until_the_endpoint_is_disabled(
    office: Demo, receiver: Receiver, worker_settings: Settings
) -> None:
    token = await token_id(office, await partner_token(office))
    created = await register(office, receiver.url, token)
    endpoint = created["webhookEndpoint"]["id"]
    await cancel(office, (await visits(office))[0][0])
    await run_worker(worker_settings, once=True)
    admin = await office.staff("ADMIN")
    [sent] = (await office.data(DELIVERIES, admin, id=endpoint))["webhookDeliveries"]
    replayed = (await office.data(REPLAY, admin, id=sent["id"]))["replayWebhookDelivery"]
    assert (replayed["status"], replayed["attempts"]) == ("PENDING", 0)
    await run_worker(worker_settings, once=True)
    assert len(receiver.requests) == 2
    assert len(set(receiver.delivery_ids())) == 1
    disabled = (await office.data(DISABLE, admin, id=endpoint))["disableWebhookEndpoint"]
    again = (await office.data(DISABLE, admin, id=endpoint))["disableWebhookEndpoint"]
    assert again["disabledAt"] == disabled["disabledAt"] is not None
    audited = await office.scalar(
        "SELECT string_agg(action || ':' || (details->'after'->>'status' IS NOT NULL)::text, ' ' "
        "ORDER BY created_at) FROM audit_event WHERE action LIKE 'webhook_%'"
    )
    assert audited == (
        "webhook_endpoint_created:false webhook_delivery_replayed:true "
        "webhook_endpoint_disabled:false"
    )
    refused = (await office.gql(REPLAY, admin, id=sent["id"])).json()
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    await cancel(office, (await visits(office))[0][0])
    await run_worker(worker_settings, once=True)
    assert len(receiver.requests) == 2


async def test_only_events_of_the_token_clients_are_sent(
    office: Demo, receiver: Receiver, worker_settings: Settings
) -> None:
    (inside, client), (outside, _) = (await visits(office))[:2]
    token = await token_id(office, await partner_token(office, clients=[client]))
    await register(office, receiver.url, token)
    await cancel(office, outside)
    await cancel(office, inside)
    await run_worker(worker_settings, once=True)
    assert [json.loads(each.body)["data"]["id"] for each in receiver.requests] == [
        ids.encode("Appointment", inside)
    ]


async def test_an_event_not_subscribed_to_is_not_sent(
    office: Demo, receiver: Receiver, worker_settings: Settings
) -> None:
    token = await token_id(office, await partner_token(office))
    await register(office, receiver.url, token, events=["TICKET_OPENED", "INVOICE_CLOSED"])
    await cancel(office, (await visits(office))[0][0])
    await run_worker(worker_settings, once=True)
    assert receiver.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://198.51.100.7/hooks",
        "https://user:pw@198.51.100.7/hooks",
        "http://127.0.0.1:9000/hooks",
        "http://[::1]/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/hooks",
        "http://192.168.1.1/hooks",
        "http://localhost/hooks",
    ],
)
async def test_a_url_not_http_or_of_a_private_address_is_refused(
    make_client: MakeClient, demo_database: str, url: str
) -> None:
    engine = create_engine(demo_database, pool_size=1)
    strict = Demo(engine, await make_client(demo_database, file_signing_key=KEY))
    try:
        token = await token_id(strict, await partner_token(strict))
        admin = await strict.staff("ADMIN")
        variables = {
            "partnerTokenId": ids.encode("PartnerToken", token),
            "url": url,
            "events": ["TICKET_OPENED"],
        }
        answer = (await strict.gql(REGISTER, admin, input=variables)).json()
        assert answer["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "url"}
        assert await strict.scalar("SELECT count(*) FROM webhook_endpoint") == 0
    finally:
        await engine.dispose()


async def test_the_worker_refuses_an_endpoint_that_became_private(
    office: Demo, receiver: Receiver, worker_settings: Settings
) -> None:
    token = await token_id(office, await partner_token(office))
    await register(office, receiver.url, token)
    await cancel(office, (await visits(office))[0][0])
    await run_worker(dataclasses.replace(worker_settings, webhook_allow_private=False), once=True)
    assert receiver.requests == []
    error = await office.scalar("SELECT last_error FROM webhook_delivery")
    assert error == "refused: points to a loopback, link-local or private address"


async def test_another_organizations_ids_answer_as_unknown(
    office: Demo, receiver: Receiver, worker_settings: Settings
) -> None:
    foreign_token = await token_id(office, await partner_token(office, org="ignis"))
    admin = await office.staff("ADMIN")
    variables = {
        "partnerTokenId": ids.encode("PartnerToken", foreign_token),
        "url": receiver.url,
        "events": ["TICKET_OPENED"],
    }
    answer = (await office.gql(REGISTER, admin, input=variables)).json()
    assert answer["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "partnerTokenId",
    }
    # An endpoint and a delivery of ignis, seen by brillanti's admin.
    ignis_admin = await office.staff("ADMIN", org="ignis")
    variables["events"] = ["APPOINTMENT_CANCELLED"]
    created = (await office.data(REGISTER, ignis_admin, input=variables))["createWebhookEndpoint"]
    visit, _ = (await visits(office, org="ignis"))[0]
    await office.data(CANCEL, ignis_admin, id=ids.encode("Appointment", visit))
    await run_worker(worker_settings, once=True)
    endpoint = created["webhookEndpoint"]["id"]
    [delivery] = (await office.data(DELIVERIES, ignis_admin, id=endpoint))["webhookDeliveries"]
    assert (await office.data(DELIVERIES, admin, id=endpoint))["webhookDeliveries"] == []
    for mutation, target in ((DISABLE, endpoint), (REPLAY, delivery["id"])):
        refused = (await office.gql(mutation, admin, id=target)).json()
        assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("who", ["OFFICE", "TECHNICIAN", "contact", "partner"])
async def test_only_an_admin_registers_endpoints(
    office: Demo, receiver: Receiver, who: str
) -> None:
    secret = await partner_token(office, scopes=("lists:read", "reports:read"))
    if who == "partner":
        caller = secret
    elif who == "contact":
        caller = await office.as_("contact of one client")
    else:
        caller = await office.staff(who)
    variables = {
        "partnerTokenId": ids.encode("PartnerToken", await token_id(office, secret)),
        "url": receiver.url,
        "events": ["TICKET_OPENED"],
    }
    answer = (await office.gql(REGISTER, caller, input=variables)).json()
    assert answer.get("errors"), answer
    assert await office.scalar("SELECT count(*) FROM webhook_endpoint") == 0


async def test_ticket_work_sheet_and_invoice_changes_are_queued_as_their_events(
    office: Demo, receiver: Receiver
) -> None:
    token = await token_id(office, await partner_token(office))
    every = ["TICKET_STATUS_CHANGED", "WORK_SHEET_SIGNED", "INVOICE_CLOSED", "TICKET_OPENED"]
    await register(office, receiver.url, token, events=every)
    admin = await office.staff("ADMIN")
    pick = (
        "SELECT x.id FROM {} x JOIN organization o ON o.id = x.organization_id "
        "WHERE o.slug = 'brillanti' AND x.status = :s ORDER BY x.id LIMIT 1"
    )
    ticket = await office.scalar(pick.format("ticket"), s="OPEN")
    sheet = await office.scalar(pick.format("work_sheet"), s="DRAFT")
    invoice = await office.scalar(pick.format("invoice"), s="DRAFT")
    await office.data(
        "mutation T($id: ID!) { setTicketStatus(id: $id, status: IN_PROGRESS) { id } }",
        admin,
        id=ids.encode("Ticket", ticket),
    )
    await office.data(
        'mutation W($id: ID!) { signWorkSheet(id: $id, signedBy: "Anna") { id } }',
        admin,
        id=ids.encode("WorkSheet", sheet),
    )
    await office.data(
        "mutation I($id: ID!) { setInvoiceStatus(id: $id, status: CLOSED) { id } }",
        admin,
        id=ids.encode("Invoice", invoice),
    )
    queued = await office.scalar(
        "SELECT string_agg(event || '=' || (payload->'data'->>'id'), ' ' ORDER BY created_at) "
        "FROM webhook_delivery"
    )
    assert queued == " ".join(
        [
            f"ticket.status_changed={ids.encode('Ticket', ticket)}",
            f"work_sheet.signed={ids.encode('WorkSheet', sheet)}",
            f"invoice.closed={ids.encode('Invoice', invoice)}",
        ]
    )
