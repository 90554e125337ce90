"""Queueing belongs to the caller's transaction; staff page through the outbox and retry."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from authz.principals import Audience
from authz.scope import RowScope
from db import models as m
from db.pagination import PageRequest
from db.queries import outbox as queries
from mailer.outbox import enqueue
from tests.mailer import rows

# A message as enqueue takes it, but for its organization.
PLAIN: dict[str, Any] = {
    "kind": "test",
    "to_address": "bruno@client.example",
    "locale": "it",
    "subject": "Prova",
    "body_text": "Testo",
    "body_html": None,
}


async def count(engine: AsyncEngine) -> int:
    async with engine.connect() as db:
        return int(await db.scalar(sa.text("SELECT count(*) FROM outbox_message")) or 0)


async def test_a_rolled_back_transaction_queues_nothing(engine: AsyncEngine) -> None:
    async with engine.begin() as db:
        org = await rows.organization(db)
    async with engine.connect() as db:
        transaction = await db.begin()
        await rows.message(db, org)
        await transaction.rollback()
    assert await count(engine) == 0

    async with AsyncSession(engine) as session:
        await rows.message(await session.connection(), org)
        await enqueue(session, organization_id=org, **PLAIN)
        await session.rollback()
    assert await count(engine) == 0

    async with AsyncSession(engine) as session:
        await enqueue(session, organization_id=org, **PLAIN)
        await session.commit()
    assert await count(engine) == 1


async def test_a_dedupe_key_queues_a_message_once_per_organization(engine: AsyncEngine) -> None:
    async with engine.begin() as db:
        org = await rows.organization(db)
        other = await rows.organization(db)
        first = await rows.message(db, org, dedupe_key="reminder:1")
        again = await enqueue(
            db,
            organization_id=org,
            **(PLAIN | {"to_address": "anna@client.example"}),
            dedupe_key="reminder:1",
        )
        elsewhere = await rows.message(db, other, dedupe_key="reminder:1")
    assert first != elsewhere
    assert again is None
    assert await count(engine) == 2


async def test_staff_page_through_their_organizations_messages_newest_first(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as db:
        org = await rows.organization(db)
        other = await rows.organization(db)
        await rows.message(db, other)
    ids = []
    for number in range(5):
        async with engine.begin() as db:
            ids.append(await rows.message(db, org, subject=f"n{number}"))
    async with engine.begin() as db:
        await db.execute(
            sa.text("UPDATE outbox_message SET status = 'DEAD', last_error = 'gone' WHERE id = :i"),
            {"i": ids[1]},
        )
    scope = RowScope(org, Audience.STAFF)
    async with engine.connect() as db:
        first = await queries.outbox_page(db, scope, PageRequest(first=2), None)
        assert [row.id for row in first.rows] == [ids[4], ids[3]]
        assert first.has_next
        second = await queries.outbox_page(
            db, scope, PageRequest(first=2, after=first.cursor(-1)), None
        )
        assert [row.id for row in second.rows] == [ids[2], ids[1]]
        third = await queries.outbox_page(
            db, scope, PageRequest(first=2, after=second.cursor(-1)), None
        )
        assert [row.id for row in third.rows] == [ids[0]]
        assert not third.has_next
        dead = await queries.outbox_page(db, scope, PageRequest(), m.OutboxStatus.DEAD)
        assert [(row.id, row.status, row.last_error) for row in dead.rows] == [
            (ids[1], m.OutboxStatus.DEAD, "gone")
        ]
        assert await queries.outbox_count(db, scope, None) == 5
        assert await queries.outbox_count(db, scope, m.OutboxStatus.PENDING) == 4


async def test_only_a_dead_message_of_the_organization_can_be_retried(engine: AsyncEngine) -> None:
    async with engine.begin() as db:
        org = await rows.organization(db)
        other = await rows.organization(db)
        dead = await rows.message(db, org)
        pending = await rows.message(db, org)
        await db.execute(
            sa.text(
                "UPDATE outbox_message SET status = 'DEAD', attempts = 8, last_error = 'x', "
                "next_attempt_at = now() + interval '1 day' WHERE id = :i"
            ),
            {"i": dead},
        )
    async with engine.begin() as db:
        assert not await queries.retry_dead(db, other, dead)
        assert not await queries.retry_dead(db, org, pending)
        assert await queries.retry_dead(db, org, dead)
    async with engine.connect() as db:
        row = (
            await db.execute(
                sa.text(
                    "SELECT status, attempts, next_attempt_at <= now() AS due "
                    "FROM outbox_message WHERE id = :i"
                ),
                {"i": dead},
            )
        ).one()
    assert tuple(row) == ("PENDING", 0, True)
