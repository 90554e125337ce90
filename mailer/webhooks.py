"""Partner webhooks: the signing secret, the address check against SSRF, and the delivery the
worker runs beside the mail (README "Webhooks").

Secret. An endpoint stores a random seed; its secret is ``whsec_`` + HMAC-SHA256 of the seed
keyed with ``settings.file_signing_key``, so the API (showing it once at registration) and the
worker (signing) derive the same secret while a copy of the database alone cannot sign.
Webhooks therefore need that key set (registration refuses without it).

Signature. Each POST carries ``Sportello-Timestamp`` (Unix seconds, at the attempt) and
``Sportello-Signature: v1=<hex HMAC-SHA256 of "<timestamp>." + body, keyed with the secret>``.
A receiver recomputes it and refuses a timestamp older than its replay window (five minutes
is advised). ``Sportello-Delivery`` is the delivery's id, the same on every attempt and replay
(also the body's ``id``): delivery is *at least once* (a worker killed after the endpoint
answered sends it again), and receivers drop a repeated id.

Claiming, retries and DEAD are those of the mail outbox (mailer/retry.py): one delivery per
transaction, ``FOR UPDATE SKIP LOCKED``, exponential backoff, DEAD after
``settings.webhook_max_attempts`` with the last reason. Each attempt is bounded by
``settings.webhook_timeout_seconds`` as a whole, so a slow endpoint cannot hold a worker.
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import ipaddress
import json
import logging
import secrets as random_bytes
import socket
import time
from urllib.parse import urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from authz.identity import file_links
from db.queries import outbox
from db.queries import webhooks as queries
from mailer.retry import drain, retry_in
from sportello.base.settings import Settings

log = logging.getLogger("sportello.webhooks")

PREFIX = "whsec_"
SIGNATURE_HEADER = "Sportello-Signature"
TIMESTAMP_HEADER = "Sportello-Timestamp"
DELIVERY_HEADER = "Sportello-Delivery"
EVENT_HEADER = "Sportello-Event"
_SEED_BYTES = 32


class SigningKeyMissing(Exception):
    """Webhooks need ``SPORTELLO_FILE_SIGNING_KEY``: API and worker must derive one secret."""


def new_seed() -> bytes:
    return random_bytes.token_bytes(_SEED_BYTES)


def secret(settings: Settings, seed: bytes) -> str:
    """The signing secret of the endpoint with ``seed``."""
    if not settings.file_signing_key:
        raise SigningKeyMissing("set SPORTELLO_FILE_SIGNING_KEY to use webhooks")
    mac = hmac.digest(file_links.signing_key(settings), b"webhook:" + seed, "sha256")
    return PREFIX + base64.urlsafe_b64encode(mac).decode().rstrip("=")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Sportello-Signature`` value a receiver recomputes to trust ``body``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, "sha256")
    return "v1=" + mac.hexdigest()


def scheme_problem(url: str) -> str | None:
    """Why ``url`` cannot be an endpoint on its face (not resolving it), or None."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "must be an http(s) URL with a host"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials"
    return None


async def address_problem(url: str, *, allow_private: bool) -> str | None:
    """Why posting to ``url`` is refused (SSRF), or None: every address the host resolves to
    must be public unless private ranges are allowed. Checked at registration and before
    each attempt (a name may resolve elsewhere later)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return "its host does not resolve"
    if allow_private:
        return None
    for *_, address in found:
        ip = ipaddress.ip_address(address[0])
        if not ip.is_global or ip.is_multicast:
            return "points to a loopback, link-local or private address"
    return None


def body(delivery: queries.ClaimedDelivery) -> bytes:
    """The JSON posted, the same on every attempt of the delivery."""
    document = {
        "id": str(delivery.id),
        "event": delivery.event,
        "occurredAt": delivery.payload.get("occurredAt"),
        "data": delivery.payload.get("data", {}),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


async def _post(
    client: httpx.AsyncClient, settings: Settings, delivery: queries.ClaimedDelivery
) -> str | None:
    """Post one delivery; None when the endpoint took it, else why not."""
    problem = await address_problem(delivery.url, allow_private=settings.webhook_allow_private)
    if problem is not None:
        return f"refused: {problem}"
    content = body(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret(settings, delivery.seed), timestamp, content),
        DELIVERY_HEADER: str(delivery.id),
        EVENT_HEADER: delivery.event,
    }
    try:
        async with asyncio.timeout(settings.webhook_timeout_seconds):
            response = await client.post(delivery.url, content=content, headers=headers)
    except TimeoutError:
        return f"no answer within {settings.webhook_timeout_seconds:g} s"
    except httpx.HTTPError as error:
        return f"{type(error).__name__}"
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}"


async def _deliver_one(
    db: AsyncConnection,
    client: httpx.AsyncClient,
    settings: Settings,
    delivery: queries.ClaimedDelivery,
) -> bool:
    if delivery.disabled:
        await outbox.mark_cancelled(
            db, delivery.id, reason="endpoint disabled", table=queries.DELIVERY
        )
        return False
    try:
        failure = await _post(client, settings, delivery)
    except SigningKeyMissing as error:
        failure = str(error)
    if failure is None:
        await queries.mark_sent(db, delivery.id)
        log.info("webhook %s (%s) delivered", delivery.id, delivery.event)
        return True
    attempts = delivery.attempts + 1
    dead = attempts >= settings.webhook_max_attempts
    await outbox.mark_failed(
        db,
        delivery.id,
        reason=failure,
        retry_in=retry_in(attempts, dead=dead),
        table=queries.DELIVERY,
    )
    log.warning(
        "webhook %s (%s) attempt %d failed%s: %s",
        delivery.id,
        delivery.event,
        attempts,
        ", now DEAD" if dead else "",
        failure,
    )
    return False


async def deliver_due(
    engine: AsyncEngine, settings: Settings, *, batch_size: int
) -> tuple[int, bool]:
    """Post up to ``batch_size`` due deliveries; return (delivered, whether none is left due)."""
    async with (
        httpx.AsyncClient(follow_redirects=False, trust_env=False) as client,
        engine.connect() as db,
    ):

        async def deliver(delivery: queries.ClaimedDelivery) -> bool:
            return await _deliver_one(db, client, settings, delivery)

        return await drain(db, batch_size, queries.claim_next, deliver)
