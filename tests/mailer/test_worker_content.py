"""What the worker sends besides plain queued messages: scheduled reminders, attachments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from mailer.notifications import queue_signed_worksheet_copies
from mailer.worker import run_worker
from tests import factories
from tests.mailer import rows
from tests.mailer.conftest import mail_settings
from tests.mailer.smtp import SmtpServer
from tests.mailer.test_worker import state

NOW = dt.datetime.now(dt.UTC)


async def test_the_worker_queues_due_reminders_and_delivers_them_in_one_pass(
    db: AsyncEngine, database_url: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    async with db.begin() as connection:
        org = await rows.organization(connection, name="Brillanti <Servizi>")
        client = await rows.client(connection, org)
        site = await factories.site(connection, org, client, "Nord")
        await rows.contact(connection, org, "Anna", client_grant=client, locale="es")
        activity = await rows.activity_type(connection, org)
        await rows.intervention(connection, org, client, site, activity, NOW + dt.timedelta(days=3))
    settings = mail_settings(database_url, tmp_path, smtp.port)
    assert await run_worker(settings, once=True) == 1
    assert await run_worker(settings, once=True) == 0
    [received] = smtp.recorder.messages
    assert received["To"] == "anna@client.example"
    # A long subject is folded onto the next line; unfolded it starts with a space.
    assert str(received["Subject"]).strip().startswith("Brillanti <Servizi>: recordatorio")
    html = received.get_body(("html",))
    assert html is not None
    assert "Brillanti &lt;Servizi&gt;" in html.get_content()
    async with db.connect() as connection:
        statuses = await connection.scalars(sa.text("SELECT status FROM outbox_message"))
        assert list(statuses) == ["SENT"]


async def test_a_signed_work_sheet_copy_arrives_with_its_pdf(
    db: AsyncEngine, database_url: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    settings = mail_settings(database_url, tmp_path, smtp.port)
    pdf = b"%PDF-1.4\n% signed work sheet\n"
    async with db.begin() as connection:
        org = await rows.organization(connection)
        client = await rows.client(connection, org)
        site = await factories.site(connection, org, client, "Nord")
        await rows.contact(connection, org, "Anna", site_grant=site, locale="en")
        activity = await rows.activity_type(connection, org)
        visit = await rows.intervention(connection, org, client, site, activity, NOW)
        sheet = await rows.work_sheet(connection, org, client, site, visit, signed_at=NOW)
        await rows.pdf_document(
            connection, org, client, site, sheet, root=settings.document_root, content=pdf
        )
        assert await queue_signed_worksheet_copies(connection, org, sheet) == 1

    assert await run_worker(settings, once=True) == 1
    [received] = smtp.recorder.messages
    assert "signed work sheet" in str(received["Subject"])
    [attachment] = received.iter_attachments()
    assert attachment.get_filename() == "foglio-intervento.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == pdf


async def test_a_missing_attachment_file_is_retried_not_sent_without_it(
    db: AsyncEngine, database_url: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    settings = mail_settings(database_url, tmp_path, smtp.port)
    async with db.begin() as connection:
        org = await rows.organization(connection)
        client = await rows.client(connection, org)
        site = await factories.site(connection, org, client, "Nord")
        activity = await rows.activity_type(connection, org)
        visit = await rows.intervention(connection, org, client, site, activity, NOW)
        sheet = await rows.work_sheet(connection, org, client, site, visit, signed_at=NOW)
        document = await rows.pdf_document(
            connection, org, client, site, sheet, root=tmp_path / "elsewhere", content=b"%PDF"
        )
        message_id = await rows.message(connection, org, payload={"document_ids": [str(document)]})
    assert await run_worker(settings, once=True) == 0
    row = await state(db, message_id)
    assert (row.status, row.attempts, row.waiting) == ("PENDING", 1, True)
    assert "not in storage" in row.last_error
    assert smtp.recorder.messages == []
