"""Rules the database itself enforces, whatever the code above it does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from db import models as m

NINE = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


class World:
    """One organization with a technician, a client, a site and an activity type."""

    def __init__(self) -> None:
        self.org = m.Organization(slug="acme", name="Acme", notification_email="ops@acme.example")
        self.technician = m.StaffUser(
            organization_id=self.org.id,
            first_name="Tina",
            last_name="Tecnica",
            email="tina@acme.example",
            role=m.StaffRole.TECHNICIAN,
        )
        self.client = m.Client(organization_id=self.org.id, code="C1", name="Cliente Uno")
        self.site = m.Site(
            organization_id=self.org.id,
            client_id=self.client.id,
            name="Sede",
            address="Via Roma 1",
            city="Milano",
            postal_code="20121",
            lat=Decimal("45.46"),
            lng=Decimal("9.19"),
        )
        self.activity = m.ActivityType(
            organization_id=self.org.id,
            name="Manutenzione",
            kind=m.ActivityKind.MAINTENANCE,
            duration_minutes=60,
        )

    def rows(self) -> list[SQLModel]:
        return [self.org, self.technician, self.client, self.site, self.activity]

    def visit(self, start: dt.datetime, hours: float, **changes: object) -> m.Intervention:
        values: dict[str, object] = {
            "organization_id": self.org.id,
            "client_id": self.client.id,
            "site_id": self.site.id,
            "activity_type_id": self.activity.id,
            "technician_id": self.technician.id,
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=hours),
            "status": m.InterventionStatus.PLANNED,
            "origin": m.InterventionOrigin.STAFF,
        }
        values.update(changes)
        return m.Intervention.model_validate(values)


async def store(engine: AsyncEngine, *rows: SQLModel) -> None:
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        for row in rows:
            session.add(row)
            await session.flush()


@pytest.fixture
async def world(engine: AsyncEngine) -> World:
    built = World()
    await store(engine, *built.rows())
    return built


async def test_a_technician_cannot_hold_two_overlapping_appointments(
    engine: AsyncEngine, world: World
) -> None:
    await store(engine, world.visit(NINE, 2))
    with pytest.raises(IntegrityError, match="ex_intervention_technician_overlap"):
        await store(engine, world.visit(NINE + dt.timedelta(hours=1), 2))


async def test_back_to_back_and_cancelled_appointments_are_allowed(
    engine: AsyncEngine, world: World
) -> None:
    await store(engine, world.visit(NINE, 2))
    await store(engine, world.visit(NINE + dt.timedelta(hours=2), 1))
    await store(engine, world.visit(NINE, 2, status=m.InterventionStatus.CANCELLED))


async def test_an_appointment_cannot_end_before_it_starts(
    engine: AsyncEngine, world: World
) -> None:
    with pytest.raises(IntegrityError, match="ck_intervention"):
        await store(engine, world.visit(NINE, -1))


async def test_a_clock_out_before_the_clock_in_is_refused(
    engine: AsyncEngine, world: World
) -> None:
    entry = m.TimesheetEntry(
        organization_id=world.org.id,
        client_id=world.client.id,
        site_id=world.site.id,
        technician_id=world.technician.id,
        clock_in=NINE,
        clock_out=NINE - dt.timedelta(minutes=5),
        source=m.ClockSource.APP,
    )
    with pytest.raises(IntegrityError, match="ck_timesheet_entry"):
        await store(engine, entry)


async def test_a_site_of_another_client_cannot_be_referenced(
    engine: AsyncEngine, world: World
) -> None:
    other = m.Client(organization_id=world.org.id, code="C2", name="Cliente Due")
    await store(engine, other)
    with pytest.raises(IntegrityError, match="fk_intervention_site_client"):
        await store(engine, world.visit(NINE, 1, client_id=other.id))


async def test_organization_slugs_are_unique(engine: AsyncEngine, world: World) -> None:
    twin = m.Organization(slug="acme", name="Acme bis", notification_email="x@acme.example")
    with pytest.raises(IntegrityError, match="slug"):
        await store(engine, twin)


# Unique and exclusion constraints, unique indexes and composite foreign keys of tables that
# have an organization_id, whose columns leave it out. Primary keys stay (id) and single-column
# references stay as they are (docs/scaling.md: what distributing the tables by organization
# would still change).
WITHOUT_ORGANIZATION = sa.text("""
WITH tenant AS (
    SELECT attrelid AS relid, attnum FROM pg_attribute
    WHERE attname = 'organization_id' AND NOT attisdropped
)
SELECT format('%s %s', c.conrelid::regclass, pg_get_constraintdef(c.oid))
FROM pg_constraint c JOIN tenant t ON t.relid = c.conrelid
WHERE (c.contype IN ('u', 'x') OR (c.contype = 'f' AND cardinality(c.conkey) > 1))
  AND NOT t.attnum = ANY (c.conkey)
UNION ALL
SELECT pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN tenant t ON t.relid = i.indrelid
WHERE i.indisunique AND NOT i.indisprimary AND NOT t.attnum = ANY (i.indkey)
  AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1
""")


async def test_every_key_of_a_tenant_table_includes_the_organization(engine: AsyncEngine) -> None:
    """What a database distributed by organization (Citus) needs to enforce the schema's
    uniqueness, its double-booking exclusion and its composite keys on each node."""
    async with engine.connect() as connection:
        missing = (await connection.scalars(WITHOUT_ORGANIZATION)).all()
    assert missing == []


async def test_the_check_finds_a_unique_key_without_the_organization(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(sa.text("CREATE UNIQUE INDEX ix_probe ON client (name)"))
        missing = (await connection.scalars(WITHOUT_ORGANIZATION)).all()
        await connection.rollback()
    assert missing == ["CREATE UNIQUE INDEX ix_probe ON public.client USING btree (name)"]
