"""The webhook tests' kit: the mutations, a partner's endpoint on loopback (a real HTTP
server) and what a receiver does to verify a delivery."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import threading
import time
import uuid
from collections.abc import Sequence
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import sqlalchemy as sa

from schema.kit import ids
from tests.api import Demo

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
