"""Row-level security: with the organization filter forgotten, PostgreSQL still hides the rest."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from db import tenancy
from db.models import metadata
from tests import factories


@pytest.fixture
async def two_orgs(engine: AsyncEngine) -> tuple[uuid.UUID, uuid.UUID]:
    first = await factories.organization(engine, "first")
    second = await factories.organization(engine, "second")
    for org, codes in ((first, ("A1", "A2")), (second, ("B1", "B2", "B3"))):
        for code in codes:
            await factories.client(engine, org, code)
        await factories.staff(engine, org, f"boss@{org}.example", password=None)
    return first, second


async def test_a_query_without_its_organization_filter_sees_one_organization(
    engine: AsyncEngine, two_orgs: tuple[uuid.UUID, uuid.UUID]
) -> None:
    first, second = two_orgs
    async with engine.begin() as db:
        assert await db.scalar(sa.text("SELECT count(*) FROM client")) == 5  # the owner, unbound
    for org, expected in ((first, ["A1", "A2"]), (second, ["B1", "B2", "B3"])):
        async with engine.begin() as db:
            await tenancy.bind(db, org)
            codes = await db.scalars(sa.text("SELECT code FROM client ORDER BY code"))
            assert list(codes) == expected
            assert await db.scalar(sa.text("SELECT count(*) FROM organization")) == 1
            assert await db.scalar(sa.text("SELECT count(*) FROM staff_user")) == 1


async def test_a_row_of_another_organization_cannot_be_written(
    engine: AsyncEngine, two_orgs: tuple[uuid.UUID, uuid.UUID]
) -> None:
    first, second = two_orgs

    async def insert_into_second_while_bound_to_first() -> None:
        async with engine.begin() as db:
            await tenancy.bind(db, first)
            await db.execute(
                sa.text(
                    "INSERT INTO client (id, created_at, organization_id, code, name, "
                    "portal_enabled) VALUES (gen_random_uuid(), now(), :org, 'X', 'X', true)"
                ),
                {"org": second},
            )

    with pytest.raises(DBAPIError, match="row-level security"):
        await insert_into_second_while_bound_to_first()
    async with engine.begin() as db:
        await tenancy.bind(db, first)
        changed = await db.execute(sa.text("UPDATE client SET name = 'mine now'"))
        assert changed.rowcount == 2
    async with engine.begin() as db:
        names = await db.scalars(sa.text("SELECT DISTINCT name FROM client WHERE code LIKE 'B%'"))
        assert list(names) == ["Client B1", "Client B2", "Client B3"] or "mine now" not in set(
            names
        )


async def test_the_binding_ends_with_the_transaction(
    engine: AsyncEngine, two_orgs: tuple[uuid.UUID, uuid.UUID]
) -> None:
    async with engine.connect() as db:
        async with db.begin():
            await tenancy.bind(db, two_orgs[0])
        async with db.begin():
            assert await db.scalar(sa.text("SELECT current_user")) != tenancy.APP_ROLE
            assert await db.scalar(sa.text("SELECT count(*) FROM client")) == 5


async def test_every_tenant_table_is_protected(engine: AsyncEngine) -> None:
    tenant_tables = {t.name for t in metadata.sorted_tables if "organization_id" in t.c}
    async with engine.connect() as db:
        protected = set(
            await db.scalars(
                sa.text(
                    "SELECT c.relname FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid "
                    "WHERE c.relrowsecurity AND p.polname = 'tenant'"
                )
            )
        )
    assert tenant_tables | {"organization"} <= protected
