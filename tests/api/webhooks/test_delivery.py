"""Partner webhooks (README "Webhooks"): ADMIN registers an endpoint for a partner token, the
changes of its clients are posted to it signed, retried, DEAD after the last attempt,
replayable; a worker killed mid-delivery leaves it to the next one. The endpoint is a real
HTTP server on loopback; the worker is the real one (in process, or ``sportello worker``).
Which endpoints may be registered and which events they get: test_endpoints.py."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import sys
import time
from pathlib import Path

from db.engine import create_engine
from mailer import webhooks
from mailer.worker import run_worker
from schema.kit import ids
from sportello.base.settings import Settings
from tests.api import Demo
from tests.api.webhooks.kit import (
    DELIVERIES,
    DISABLE,
    KEY,
    REPLAY,
    Received,
    Receiver,
    cancel,
    make_due,
    register,
    token_id,
    verifies,
    visits,
)
from tests.partners import partner_token


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
