"""Scheduled notifications reach exactly the right people, once, at the right time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import models as m
from mailer.notifications import queue_signed_worksheet_copies
from tests import factories
from tests.mailer import rows

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAY = dt.timedelta(days=1)


@dataclasses.dataclass
class World:
    org: uuid.UUID
    client: uuid.UUID
    north: uuid.UUID
    south: uuid.UUID
    activity: uuid.UUID
    contacts: dict[str, uuid.UUID]


async def build_world(db: AsyncConnection) -> World:
    """Client Acme with sites North and South, and contacts with every kind of access.

    - anna: grant on the whole client, Spanish; bruno: grant on North; carla: grant on South
    - dario: whole client, no notification flags; elena: disabled; fabio: deleted
    - gino: whole client of Beta, whose portal is off
    """
    org = await rows.organization(db)
    acme = await rows.client(db, org)
    beta = await rows.client(db, org, portal_enabled=False)
    north = await factories.site(db, org, acme, "Nord")
    south = await factories.site(db, org, acme, "Sud")
    await factories.site(db, org, beta, "Beta")
    contacts = {
        "anna": await rows.contact(db, org, "Anna", client_grant=acme, locale="es"),
        "bruno": await rows.contact(db, org, "Bruno", site_grant=north),
        "carla": await rows.contact(db, org, "Carla", site_grant=south, locale="en"),
        "dario": await rows.contact(
            db,
            org,
            "Dario",
            client_grant=acme,
            receives_visit_reminders=False,
            receives_signed_worksheets=False,
        ),
        "elena": await rows.contact(
            db, org, "Elena", client_grant=acme, state=m.ContactState.DISABLED
        ),
        "fabio": await rows.contact(db, org, "Fabio", client_grant=acme, deleted_at=NOW - DAY),
        "gino": await rows.contact(db, org, "Gino", client_grant=beta),
    }
    activity = await rows.activity_type(db, org)
    return World(org, acme, north, south, activity, contacts)


async def test_visit_reminders_reach_flagged_contacts_covering_the_site_once(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as db:
        w = await build_world(db)
        soon = await rows.intervention(db, w.org, w.client, w.north, w.activity, NOW + 5 * DAY)
        later = await rows.intervention(
            db,
            w.org,
            w.client,
            w.south,
            w.activity,
            NOW + 20 * DAY,
            status=m.InterventionStatus.REQUESTED,
        )
        hidden = await rows.activity_type(db, w.org, visible=False)
        # None of these gets a reminder now: too far, past, cancelled, not shown on the portal.
        far = await rows.intervention(db, w.org, w.client, w.north, w.activity, NOW + 40 * DAY)
        await rows.intervention(db, w.org, w.client, w.north, w.activity, NOW - DAY)
        await rows.intervention(
            db,
            w.org,
            w.client,
            w.north,
            w.activity,
            NOW + 3 * DAY,
            status=m.InterventionStatus.CANCELLED,
        )
        await rows.intervention(db, w.org, w.client, w.north, hidden, NOW + 3 * DAY)

    assert await rows.schedule(engine, NOW) == 4
    assert await rows.schedule(engine, NOW) == 0
    reminders = await rows.queued(engine, "visit_reminder")
    assert sorted((r.to_address, r.dedupe_key) for r in reminders) == sorted(
        [
            ("anna@client.example", f"visit_reminder:{soon}:{w.contacts['anna']}:7"),
            ("anna@client.example", f"visit_reminder:{later}:{w.contacts['anna']}:30"),
            ("bruno@client.example", f"visit_reminder:{soon}:{w.contacts['bruno']}:7"),
            ("carla@client.example", f"visit_reminder:{later}:{w.contacts['carla']}:30"),
        ]
    )
    # Each in the recipient's language, the organization's (Italian) when the contact has none.
    assert [(r.locale, r.subject.split(":")[1].split()[0]) for r in reminders] == [
        ("es", "recordatorio"),
        ("es", "recordatorio"),
        ("it", "promemoria"),
        ("en", "reminder"),
    ]

    # Two weeks on, the 20-day visit is 6 days away and the 40-day one 26: the 7-day and the
    # 30-day reminders of those are due, once; the visit that took place gets nothing more.
    before = {r.dedupe_key for r in reminders}
    assert await rows.schedule(engine, NOW + 14 * DAY) == 4
    assert await rows.schedule(engine, NOW + 14 * DAY) == 0
    keys = {r.dedupe_key for r in await rows.queued(engine, "visit_reminder")} - before
    assert keys == {
        f"visit_reminder:{later}:{w.contacts['anna']}:7",
        f"visit_reminder:{later}:{w.contacts['carla']}:7",
        f"visit_reminder:{far}:{w.contacts['anna']}:30",
        f"visit_reminder:{far}:{w.contacts['bruno']}:30",
    }


async def test_a_visit_booked_a_few_days_ahead_gets_only_the_nearest_reminder(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as db:
        w = await build_world(db)
        visit = await rows.intervention(db, w.org, w.client, w.north, w.activity, NOW + 2 * DAY)
    assert await rows.schedule(engine, NOW) == 2
    keys = [r.dedupe_key for r in await rows.queued(engine, "visit_reminder")]
    assert all(key.startswith(f"visit_reminder:{visit}:") and key.endswith(":7") for key in keys)


async def test_no_reminders_when_the_organizations_portal_is_off(engine: AsyncEngine) -> None:
    async with engine.begin() as db:
        w = await build_world(db)
        await rows.intervention(db, w.org, w.client, w.north, w.activity, NOW + 2 * DAY)
        await db.execute(sa.text("UPDATE organization SET portal_enabled = false"))
    assert await rows.schedule(engine, NOW) == 0


async def test_contract_expiry_alerts_go_to_the_organization_once(engine: AsyncEngine) -> None:
    today = NOW.date()
    async with engine.begin() as db:
        w = await build_world(db)
        expiring = await rows.contract(db, w.org, w.client, today + 10 * DAY)
        await rows.contract(db, w.org, w.client, today + 60 * DAY)
        await rows.contract(db, w.org, w.client, today - 2 * DAY)
    assert await rows.schedule(engine, NOW) == 1
    assert await rows.schedule(engine, NOW) == 0
    [alert] = await rows.queued(engine, "contract_expiry")
    assert alert.to_address == "ufficio@brillanti.example"
    assert alert.locale == "it"
    assert alert.payload == {"contract_id": str(expiring)}


async def test_signed_work_sheet_copies_carry_the_pdf_and_go_out_once(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with engine.begin() as db:
        w = await build_world(db)
        visit = await rows.intervention(db, w.org, w.client, w.north, w.activity, NOW - DAY)
        sheet = await rows.work_sheet(
            db, w.org, w.client, w.north, visit, signed_at=NOW - dt.timedelta(hours=1)
        )
        pdf = await rows.pdf_document(
            db, w.org, w.client, w.north, sheet, root=tmp_path, content=b"%PDF-1.4 sheet"
        )
        old = await rows.work_sheet(db, w.org, w.client, w.south, visit, signed_at=NOW - 9 * DAY)
        await rows.work_sheet(db, w.org, w.client, w.north, visit, signed_at=None)

    assert await rows.schedule(engine, NOW) == 2
    assert await rows.schedule(engine, NOW) == 0
    copies = await rows.queued(engine, "signed_worksheet")
    assert [(c.to_address, c.payload["document_ids"]) for c in copies] == [
        ("anna@client.example", [str(pdf)]),
        ("bruno@client.example", [str(pdf)]),
    ]

    # The sign mutation queues its copies in its own transaction, whenever the sheet was signed.
    async with engine.begin() as db:
        assert await queue_signed_worksheet_copies(db, w.org, old) == 2
        assert await queue_signed_worksheet_copies(db, w.org, old) == 0
        assert await queue_signed_worksheet_copies(db, w.org, sheet) == 0
    addresses = sorted(c.to_address for c in await rows.queued(engine, "signed_worksheet"))
    assert addresses == [
        "anna@client.example",
        "anna@client.example",
        "bruno@client.example",
        "carla@client.example",
    ]


async def test_copies_for_a_sheet_of_another_organization_are_not_queued(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as db:
        w = await build_world(db)
        other = await rows.organization(db)
        visit = await rows.intervention(db, w.org, w.client, w.north, w.activity, NOW - DAY)
        sheet = await rows.work_sheet(db, w.org, w.client, w.north, visit, signed_at=NOW)
        assert await queue_signed_worksheet_copies(db, other, sheet) == 0
        assert await queue_signed_worksheet_copies(db, w.org, sheet) == 2
