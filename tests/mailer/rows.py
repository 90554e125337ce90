"""The few rows the mail tests need, inserted with sensible defaults, and the outbox they fill."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import models as m
from db.models.base import table_of
from mailer.notifications import queue_scheduled
from mailer.outbox import enqueue
from tests import factories
from tests.factories import insert


async def organization(db: AsyncConnection, **values: Any) -> uuid.UUID:
    defaults = {"name": "Brillanti Servizi", "notification_email": "ufficio@brillanti.example"}
    slug = f"org-{uuid.uuid4().hex[:8]}"
    return await factories.organization(db, slug, **(defaults | values))


async def client(db: AsyncConnection, org: uuid.UUID, **values: Any) -> uuid.UUID:
    code = uuid.uuid4().hex[:8]
    return await factories.client(db, org, code, **({"name": f"Cliente {code}"} | values))


async def contact(
    db: AsyncConnection,
    org: uuid.UUID,
    name: str,
    *,
    client_grant: uuid.UUID | None = None,
    site_grant: uuid.UUID | None = None,
    **values: Any,
) -> uuid.UUID:
    """An ACTIVE contact without a password, with both notification flags, unless ``values``
    say otherwise."""
    defaults: dict[str, Any] = {
        "first_name": name,
        "last_name": "Test",
        "receives_visit_reminders": True,
        "receives_signed_worksheets": True,
    }
    return await factories.contact(
        db,
        org,
        f"{name.lower()}@client.example",
        password=None,
        clients=() if client_grant is None else (client_grant,),
        sites=() if site_grant is None else (site_grant,),
        **(defaults | values),
    )


async def activity_type(db: AsyncConnection, org: uuid.UUID, *, visible: bool = True) -> uuid.UUID:
    return await insert(
        db,
        m.ActivityType,
        organization_id=org,
        name=f"Manutenzione {uuid.uuid4().hex[:6]}",
        kind=m.ActivityKind.MAINTENANCE.value,
        duration_minutes=60,
        portal_visible=visible,
    )


async def intervention(
    db: AsyncConnection,
    org: uuid.UUID,
    client_id: uuid.UUID,
    site_id: uuid.UUID,
    activity: uuid.UUID,
    starts_at: dt.datetime,
    status: m.InterventionStatus = m.InterventionStatus.PLANNED,
) -> uuid.UUID:
    return await insert(
        db,
        m.Intervention,
        organization_id=org,
        client_id=client_id,
        site_id=site_id,
        activity_type_id=activity,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        status=status.value,
        origin=m.InterventionOrigin.STAFF.value,
    )


async def work_sheet(
    db: AsyncConnection,
    org: uuid.UUID,
    client_id: uuid.UUID,
    site_id: uuid.UUID,
    intervention_id: uuid.UUID,
    *,
    signed_at: dt.datetime | None,
) -> uuid.UUID:
    return await insert(
        db,
        m.WorkSheet,
        organization_id=org,
        client_id=client_id,
        site_id=site_id,
        intervention_id=intervention_id,
        number=f"FI-{uuid.uuid4().hex[:6]}",
        work_date=(signed_at or dt.datetime.now(dt.UTC)).date(),
        description="Sostituzione filtri",
        status=(m.WorkSheetStatus.SIGNED if signed_at else m.WorkSheetStatus.DRAFT).value,
        signed_by="Mario Rossi" if signed_at else None,
        signed_at=signed_at,
    )


async def pdf_document(
    db: AsyncConnection,
    org: uuid.UUID,
    client_id: uuid.UUID,
    site_id: uuid.UUID,
    work_sheet_id: uuid.UUID,
    *,
    root: Path,
    content: bytes,
) -> uuid.UUID:
    """A WORK_SHEET_PDF document of the sheet, with its bytes written under ``root``."""
    sha = hashlib.sha256(content).hexdigest()
    key = f"{sha[:2]}/{sha}"
    (root / sha[:2]).mkdir(parents=True, exist_ok=True)
    (root / key).write_bytes(content)
    return await insert(
        db,
        m.Document,
        organization_id=org,
        client_id=client_id,
        site_id=site_id,
        work_sheet_id=work_sheet_id,
        kind=m.DocumentKind.WORK_SHEET_PDF.value,
        file_name="foglio-intervento.pdf",
        mime_type="application/pdf",
        size_bytes=len(content),
        sha256=sha,
        storage_key=key,
        portal_visible=True,
    )


async def contract(
    db: AsyncConnection, org: uuid.UUID, client_id: uuid.UUID, expires_on: dt.date
) -> uuid.UUID:
    return await insert(
        db,
        m.Contract,
        organization_id=org,
        client_id=client_id,
        number=f"C-{uuid.uuid4().hex[:6]}",
        kind="Manutenzione antincendio",
        starts_on=expires_on - dt.timedelta(days=365),
        expires_on=expires_on,
    )


async def message(
    db: AsyncConnection, org: uuid.UUID, to_address: str = "anna@client.example", **values: Any
) -> uuid.UUID:
    """A plain queued message, as any feature would queue it."""
    fields: dict[str, Any] = {
        "kind": "test",
        "locale": "it",
        "subject": "Prova",
        "body_text": "Testo di prova",
        "body_html": "<p>Testo di prova</p>",
    } | values
    queued = await enqueue(db, organization_id=org, to_address=to_address, **fields)
    assert queued is not None
    return queued


async def schedule(engine: AsyncEngine, now: dt.datetime) -> int:
    """Queues what is due at ``now`` (reminders, alerts): how many messages it queued."""
    async with engine.begin() as db:
        return (await queue_scheduled(db, now=now)).total


async def queued(engine: AsyncEngine, kind: str) -> list[sa.Row[Any]]:
    """The outbox messages of ``kind``, by recipient."""
    outbox = table_of(m.OutboxMessage)
    statement = (
        sa.select(outbox)
        .where(outbox.c.kind == kind)
        .order_by(outbox.c.to_address, outbox.c.dedupe_key)
    )
    async with engine.connect() as db:
        return list(await db.execute(statement))
