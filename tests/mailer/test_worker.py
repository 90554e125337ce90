"""The worker delivers every message once, against a real SMTP server, whatever goes wrong."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from mailer.retry import backoff
from mailer.worker import run_worker
from tests.mailer import rows
from tests.mailer.conftest import mail_settings
from tests.mailer.smtp import SmtpServer, free_port

NOW = dt.datetime.now(dt.UTC)


async def state(db: AsyncEngine, message_id: uuid.UUID) -> sa.Row[tuple[object, ...]]:
    async with db.connect() as connection:
        result = await connection.execute(
            sa.text(
                "SELECT status, attempts, last_error, sent_at, "
                "next_attempt_at > now() AS waiting FROM outbox_message WHERE id = :i"
            ),
            {"i": message_id},
        )
        return result.one()


async def time_passes(db: AsyncEngine) -> None:
    """Make every waiting message due, as if its backoff had elapsed."""
    async with db.begin() as connection:
        await connection.execute(sa.text("UPDATE outbox_message SET next_attempt_at = now()"))


async def queue(db: AsyncEngine, count: int = 1, **values: str) -> list[uuid.UUID]:
    async with db.begin() as connection:
        org = await rows.organization(connection)
        return [await rows.message(connection, org, **values) for _ in range(count)]


def expected_id(message_id: uuid.UUID) -> str:
    return f"<{message_id}@brillanti.example>"


async def test_a_message_is_delivered_by_smtp_and_marked_sent(
    db: AsyncEngine, database_url: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    [message_id] = await queue(db, subject="Promemoria")
    settings = mail_settings(database_url, tmp_path, smtp.port)
    assert await run_worker(settings, once=True) == 1
    [received] = smtp.recorder.messages
    assert received["Message-ID"] == expected_id(message_id)
    assert received["Subject"] == "Promemoria"
    assert received["To"] == "anna@client.example"
    body = received.get_body(("html",))
    assert body is not None
    assert "<p>Testo di prova</p>" in body.get_content()
    row = await state(db, message_id)
    assert (row.status, row.attempts, row.sent_at is not None) == ("SENT", 1, True)
    assert await run_worker(settings, once=True) == 0
    assert len(smtp.recorder.messages) == 1


async def test_the_worker_logs_in_and_never_records_the_password(
    db: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    [first] = await queue(db)
    server = SmtpServer(login=("mailer", "s3cret-pw"))
    await server.start()
    try:
        wrong = mail_settings(
            database_url, tmp_path, server.port, smtp_username="mailer", smtp_password="wr0ng-pw"
        )
        assert await run_worker(wrong, once=True) == 0
        row = await state(db, first)
        assert (row.status, row.attempts, row.waiting) == ("PENDING", 1, True)
        assert "535" in row.last_error
        assert "wr0ng-pw" not in row.last_error

        await time_passes(db)
        right = mail_settings(
            database_url, tmp_path, server.port, smtp_username="mailer", smtp_password="s3cret-pw"
        )
        assert await run_worker(right, once=True) == 1
        assert server.recorder.message_ids() == [expected_id(first)]
        assert server.recorder.authenticated == [True]
    finally:
        await server.stop()


async def test_messages_wait_while_the_server_is_down_and_arrive_once_when_it_is_back(
    db: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    ids = await queue(db, 3)
    server = SmtpServer(free_port())
    settings = mail_settings(database_url, tmp_path, server.port)

    assert await run_worker(settings, once=True) == 0
    for message_id in ids:
        row = await state(db, message_id)
        assert (row.status, row.attempts, row.waiting) == ("PENDING", 1, True)
        assert "connect" in row.last_error.lower()
    # Not due yet: another pass does not try again.
    assert await run_worker(settings, once=True) == 0
    assert (await state(db, ids[0])).attempts == 1

    await server.start()
    try:
        await time_passes(db)
        assert await run_worker(settings, once=True) == 3
        assert await run_worker(settings, once=True) == 0
        assert sorted(server.recorder.message_ids()) == sorted(map(expected_id, ids))
    finally:
        await server.stop()
    assert {(await state(db, each)).status for each in ids} == {"SENT"}


async def test_a_recipient_refused_for_good_is_dead_at_once_with_the_reason(
    db: AsyncEngine, database_url: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    smtp.recorder.refuse["gone@client.example"] = "550 5.1.1 no such user"
    [refused] = await queue(db, to_address="gone@client.example")
    [fine] = await queue(db)
    assert await run_worker(mail_settings(database_url, tmp_path, smtp.port), once=True) == 1
    row = await state(db, refused)
    assert (row.status, row.attempts) == ("DEAD", 1)
    assert "550" in row.last_error
    assert "no such user" in row.last_error
    assert smtp.recorder.message_ids() == [expected_id(fine)]


async def test_a_message_deferred_every_time_is_dead_after_the_maximum_attempts(
    db: AsyncEngine, database_url: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    smtp.recorder.refuse["busy@client.example"] = "451 4.2.1 mailbox busy"
    [message_id] = await queue(db, to_address="busy@client.example")
    settings = mail_settings(database_url, tmp_path, smtp.port, mail_max_attempts=3)
    for attempt in (1, 2):
        assert await run_worker(settings, once=True) == 0
        row = await state(db, message_id)
        assert (row.status, row.attempts, row.waiting) == ("PENDING", attempt, True)
        await time_passes(db)
    assert await run_worker(settings, once=True) == 0
    row = await state(db, message_id)
    assert (row.status, row.attempts) == ("DEAD", 3)
    assert "451" in row.last_error
    assert smtp.recorder.messages == []


async def test_two_workers_draining_one_outbox_deliver_each_message_once(
    db: AsyncEngine, database_url: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    ids = await queue(db, 30)
    settings = mail_settings(database_url, tmp_path, smtp.port)
    sent = await asyncio.gather(
        run_worker(settings, once=True, batch_size=4),
        run_worker(settings, once=True, batch_size=4),
    )
    assert sum(sent) == 30
    assert sorted(smtp.recorder.message_ids()) == sorted(map(expected_id, ids))
    assert {(await state(db, each)).attempts for each in ids} == {1}


async def test_a_worker_stopped_mid_send_leaves_the_message_for_the_next_one(
    db: AsyncEngine, database_url: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    [message_id] = await queue(db)
    settings = mail_settings(database_url, tmp_path, smtp.port)
    smtp.recorder.hold_next = True
    worker = asyncio.create_task(run_worker(settings, once=True))
    assert await asyncio.to_thread(smtp.recorder.held.wait, 10)

    # Mid-send the message is claimed: another worker would skip it.
    async with db.connect() as connection:
        claimable = await connection.scalar(
            sa.text("SELECT count(*) FROM (SELECT id FROM outbox_message FOR UPDATE SKIP LOCKED) x")
        )
    assert claimable == 0

    worker.cancel()
    with pytest.raises(asyncio.CancelledError):
        await worker
    smtp.recorder.release.set()
    row = await state(db, message_id)
    assert (row.status, row.attempts, row.waiting) == ("PENDING", 0, False)

    assert await run_worker(settings, once=True) == 1
    assert smtp.recorder.message_ids() == [expected_id(message_id)]
    assert (await state(db, message_id)).status == "SENT"


async def test_a_running_worker_stops_when_asked(
    db: AsyncEngine, database_url: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    [message_id] = await queue(db)
    stop = asyncio.Event()
    worker = asyncio.create_task(
        run_worker(mail_settings(database_url, tmp_path, smtp.port), stop=stop)
    )
    assert await asyncio.to_thread(smtp.recorder.received.wait, 10)
    stop.set()
    assert await asyncio.wait_for(worker, timeout=10) == 1
    assert (await state(db, message_id)).status == "SENT"


async def test_without_smtp_settings_messages_become_eml_files(
    db: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    [message_id] = await queue(db, subject="Promemoria è qui")
    settings = mail_settings(database_url, tmp_path, None)
    assert await run_worker(settings, once=True) == 1
    path = settings.mail_dir / f"{message_id}.eml"
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == "Promemoria è qui"
    assert parsed["Message-ID"] == expected_id(message_id)
    plain = parsed.get_body(("plain",))
    assert plain is not None
    assert plain.get_content().strip() == "Testo di prova"
    assert [p.name for p in settings.mail_dir.iterdir()] == [path.name]


def test_backoff_doubles_from_thirty_seconds_up_to_an_hour_with_jitter() -> None:
    assert backoff(1, 1.0) == dt.timedelta(seconds=30)
    assert backoff(1, 0.0) == dt.timedelta(seconds=15)
    assert backoff(4, 1.0) == dt.timedelta(seconds=240)
    assert backoff(30, 1.0) == dt.timedelta(hours=1)
