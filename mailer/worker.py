"""The mail worker (``sportello worker``): answer password reset requests, queue the scheduled
notifications, drain the outbox.

Claiming. Each message is claimed and sent in its own transaction: ``SELECT ... FOR UPDATE SKIP
LOCKED`` locks one due PENDING row, the worker sends it while the transaction (and so the row
lock) stays open, then marks it SENT or failed and commits. Other workers skip the locked row,
so two workers never send the same message at the same time, and no lease column is needed.

A worker killed mid-send (process killed, task cancelled, connection lost) never commits: the
database rolls the transaction back when the connection ends, the row is PENDING again with its
attempt count unchanged, and the next worker sends it. Delivery is therefore *at least once*: if
the SMTP server accepted the message just before the worker died, it is sent a second time,
with the same Message-ID (derived from the row id) so mail clients can tell. Committing per
message keeps that window to one message.

Stale messages. Just before sending, in the transaction that holds the message, the worker asks
whether it is still wanted (mailer.stale_mail.reason_not_to_send): a reminder of a
visit cancelled or moved meanwhile, an invitation or reset link of an access deleted or
disabled meanwhile, is marked CANCELLED with the reason and never sent. The reason names no
token, and neither does the log line.

Retries. A temporary failure (no connection, 4xx) counts an attempt, keeps a short reason and
sets the next attempt after an exponential backoff with jitter: 30 s x 2^(attempts - 1), capped
at one hour, times a random factor between 0.5 and 1. After ``settings.mail_max_attempts``
attempts, or at once on a permanent failure (5xx refusing the recipient or the content), the
message is DEAD with its last error; staff can put it back in the queue.

Tenancy. The worker serves every organization: it connects as the database owner role, which
row-level security does not bind. A message's attachments are looked up only among the
documents of the message's own organization.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from authz.identity import login
from db.engine import create_engine
from db.queries import accounts, privacy
from db.queries import outbox as queries
from mailer import notifications, sender, stale_mail, webhooks
from mailer.links import link_mailer
from mailer.retry import drain, retry_in
from sportello.base.errors import StartupError
from sportello.base.settings import Settings

log = logging.getLogger("sportello.mailer")

# How often a running worker looks for due messages when the queue is empty,
# and how often it computes the scheduled notifications.
POLL_SECONDS = 5.0
SCHEDULE_EVERY = dt.timedelta(minutes=1)
# How often it applies the retention settings (purge_expired): a scan of old rows, hourly.
PURGE_EVERY = dt.timedelta(hours=1)


class WorkerSetupError(StartupError):
    """The worker cannot start; the message says what to configure."""


async def _outgoing(
    db: AsyncConnection, settings: Settings, message: queries.ClaimedMessage
) -> sender.Outgoing:
    raw_ids = message.payload.get("document_ids") or []
    try:
        document_ids = [uuid.UUID(str(each)) for each in raw_ids]
    except ValueError:
        raise sender.PermanentDeliveryError("payload names an invalid document id") from None
    files = await queries.stored_files(db, message.organization_id, document_ids)
    if len(files) != len(document_ids):
        raise sender.PermanentDeliveryError("an attached document no longer exists")
    attachments = [
        await sender.read_attachment(settings, each.storage_key, each.file_name, each.mime_type)
        for each in files
    ]
    return sender.Outgoing(
        id=message.id,
        to_address=message.to_address,
        locale=message.locale,
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
        attachments=tuple(attachments),
    )


async def _deliver_one(
    db: AsyncConnection,
    settings: Settings,
    transport: sender.Transport,
    message: queries.ClaimedMessage,
) -> bool:
    reason = await stale_mail.reason_not_to_send(db, message.kind, message.payload)
    if reason is not None:
        await queries.mark_cancelled(db, message.id, reason=reason)
        log.info("message %s (%s) %s", message.id, message.kind, reason)
        return False
    try:
        outgoing = await _outgoing(db, settings, message)
        await transport.send(sender.build_email(outgoing, settings))
    except sender.DeliveryError as error:
        failure = error
    except Exception as error:
        # A bug or bad data in one message must not block the queue: count it as an attempt.
        log.exception("message %s: unexpected error while preparing it", message.id)
        failure = sender.TemporaryDeliveryError(f"unexpected {type(error).__name__}")
    else:
        await queries.mark_sent(db, message.id)
        # Each send is in the outbox (status SENT, sent_at); the log keeps failures and
        # summaries, so a first start's hundreds of demo reminders do not bury the banner.
        log.debug("message %s (%s) sent", message.id, message.kind)
        return True
    attempts = message.attempts + 1
    dead = failure.permanent or attempts >= settings.mail_max_attempts
    await queries.mark_failed(
        db, message.id, reason=failure.reason, retry_in=retry_in(attempts, dead=dead)
    )
    log.warning(
        "message %s (%s) attempt %d failed%s: %s",
        message.id,
        message.kind,
        attempts,
        ", now DEAD" if dead else "",
        failure.reason,
    )
    return False


async def deliver_due(
    engine: AsyncEngine, settings: Settings, *, batch_size: int
) -> tuple[int, bool]:
    """Send up to ``batch_size`` due messages; return (sent, whether the queue ran dry)."""
    transport = sender.transport_for(settings)
    try:
        async with engine.connect() as db:

            async def deliver(message: queries.ClaimedMessage) -> bool:
                return await _deliver_one(db, settings, transport, message)

            sent, drained = await drain(db, batch_size, queries.claim_next, deliver)
    except BaseException:
        # Stopped or failed mid-batch: drop the connection without waiting for a goodbye.
        transport.abort()
        raise
    await transport.close()
    return sent, drained


async def answer_reset_requests(engine: AsyncEngine, settings: Settings, *, batch_size: int) -> int:
    """Turn up to ``batch_size`` waiting password reset requests into link mails; return how
    many were taken off the queue.

    ``requestPasswordReset`` only records what was asked (the same work for every account, so
    its time tells nothing); here the account is looked up and its link queued
    (authz/identity/login.py). Each request is taken off the queue (``FOR UPDATE SKIP
    LOCKED``, so two workers never answer the same one) and answered in one transaction with
    the link and its mail in the outbox: a worker that dies before committing leaves the
    request to the next, and no request is answered twice. A request whose answering fails
    for another reason than the database (a bug, bad data) is logged and taken off the queue
    all the same, so that it cannot hold up the requests behind it.
    """
    mail = link_mailer(settings.public_url)
    taken = 0
    async with engine.connect() as db:
        for _ in range(batch_size):
            async with db.begin():
                request = await accounts.claim_reset_request(db)
                if request is None:
                    break
                try:
                    async with db.begin_nested():
                        await login.answer_reset_request(db, settings, request, mail)
                except DBAPIError:
                    raise
                except Exception:
                    # Only the answer's savepoint is undone: the request leaves the queue.
                    log.exception("password reset request %s could not be answered", request.id)
            taken += 1
    return taken


async def schedule(engine: AsyncEngine, *, strict: bool) -> None:
    """Queue the visit reminders, signed work sheet copies and contract alerts now due.

    Unless ``strict``, a failure is logged and swallowed: it must not stop delivery.
    """
    try:
        async with engine.begin() as db:
            report = await notifications.queue_scheduled(db, now=dt.datetime.now(dt.UTC))
    except DBAPIError as error:
        if strict:
            raise
        log.warning("scheduled notifications failed (%s); next try later", type(error).__name__)
        return
    if report.total:
        log.info("queued %s", report)


def prune_eml(folder: Path, before: dt.datetime) -> int:
    """Remove the development .eml files last written before ``before``; return how many."""
    removed = 0
    for path in folder.glob("*.eml") if folder.is_dir() else ():
        if dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC) < before:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


async def purge_expired(engine: AsyncEngine, settings: Settings, *, strict: bool) -> None:
    """Apply the retention settings: old audit events, old mail bodies, old .eml files.

    Unless ``strict``, a failure is logged and swallowed, like the schedule's.
    """
    now = dt.datetime.now(dt.UTC)
    try:
        async with engine.begin() as db:
            audits, bodies = await privacy.purge(
                db,
                now,
                audit_days=settings.audit_retention_days,
                mail_days=settings.mail_retention_days,
            )
    except DBAPIError as error:
        if strict:
            raise
        log.warning("retention purge failed (%s); next try later", type(error).__name__)
        return
    files = await asyncio.to_thread(
        prune_eml, settings.mail_dir, now - dt.timedelta(days=settings.mail_retention_days)
    )
    if audits or bodies or files:
        log.info("purged %s audit events, %s mail bodies, %s .eml files", audits, bodies, files)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def run_worker(
    settings: Settings,
    *,
    once: bool = False,
    batch_size: int = 20,
    stop: asyncio.Event | None = None,
) -> int:
    """Run passes until ``stop`` is set (or, with ``once``, until nothing is due); return sent.

    Each pass queues the scheduled notifications (at most once a minute), answers waiting
    password reset requests, sends due messages and posts due webhooks (mailer/webhooks.py).
    Hourly, it applies the retention settings (purge_expired).
    A database that goes away is waited for, except with ``once``.
    """
    if settings.database_url is None:
        raise WorkerSetupError("the worker needs a database URL; set DATABASE_URL")
    stop = stop or asyncio.Event()
    engine = create_engine(
        settings.database_url,
        pool_size=2,
        statement_timeout_ms=settings.statement_timeout_ms,
        pooler=settings.database_pooler,
    )
    sent = 0
    last_schedule: dt.datetime | None = None
    last_purge: dt.datetime | None = None
    try:
        while not stop.is_set():
            try:
                now = dt.datetime.now(dt.UTC)
                if last_schedule is None or now - last_schedule >= SCHEDULE_EVERY:
                    last_schedule = now
                    await schedule(engine, strict=once)
                if last_purge is None or now - last_purge >= PURGE_EVERY:
                    last_purge = now
                    await purge_expired(engine, settings, strict=once)
                answered = await answer_reset_requests(engine, settings, batch_size=batch_size)
                delivered, drained = await deliver_due(engine, settings, batch_size=batch_size)
                _, posted_all = await webhooks.deliver_due(engine, settings, batch_size=batch_size)
                drained = drained and posted_all and answered < batch_size
            except (DBAPIError, OSError) as error:
                if once:
                    raise
                log.warning("database unavailable (%s); retrying", type(error).__name__)
                await _pause(stop, POLL_SECONDS)
                continue
            sent += delivered
            if drained:
                if once:
                    break
                await _pause(stop, POLL_SECONDS)
    finally:
        await engine.dispose()
    return sent
