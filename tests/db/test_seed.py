"""The demo seed: reproducible, refused on a seeded database, working logins, full coverage."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Awaitable, Callable
from enum import StrEnum
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from authz.password_policy import password_problem
from authz.passwords import verify_password
from db import models as m
from db.seed import DEMO_PASSWORD, SeedError, build, demo_logins, seed

TODAY = dt.date(2026, 11, 23)

# Tables the demo fills; every other table (sessions, tokens, outbox, audit, ...) stays empty.
SEEDED_TABLES = frozenset(
    {
        "absence",
        "activity_type",
        "client",
        "contact",
        "contract",
        "department",
        "document",
        "equipment",
        "intervention",
        "invoice",
        "organization",
        "portal_grant",
        "quote",
        "revision",
        "revision_item",
        "site",
        "staff_user",
        "technician_skill",
        "ticket",
        "ticket_comment",
        "timesheet_entry",
        "work_sheet",
        "working_hours",
    }
)


async def checksums(engine: AsyncEngine) -> dict[str, tuple[int, str]]:
    """Row count and md5 of every row's text, in a stable order, for every table."""
    sums: dict[str, tuple[int, str]] = {}
    async with engine.connect() as conn:
        for table in m.metadata.sorted_tables:
            row_text: sa.ColumnClause[str] = sa.literal_column("t::text")
            rows = sa.func.string_agg(row_text, aggregate_order_by(sa.literal("|"), row_text))
            digest = sa.func.md5(sa.func.coalesce(rows, ""))
            query = sa.select(sa.func.count(), digest).select_from(table.alias("t"))
            count, md5 = (await conn.execute(query)).one()
            sums[table.name] = (count, md5)
    return sums


async def seeded(engine: AsyncEngine, files_dir: Path | None = None) -> AsyncEngine:
    async with engine.begin() as conn:
        await seed(conn, scale=1, today=TODAY, files_dir=files_dir)
    return engine


async def values(conn: AsyncConnection, sql: str) -> set[tuple[object, ...]]:
    return {tuple(row) for row in (await conn.execute(sa.text(sql))).all()}


async def test_seeding_twice_gives_identical_tables(
    make_engine: Callable[[], Awaitable[AsyncEngine]],
) -> None:
    first = await checksums(await seeded(await make_engine()))
    second = await checksums(await seeded(await make_engine()))

    assert first == second
    filled = {name for name, (count, _) in first.items() if count}
    assert filled == SEEDED_TABLES


async def test_seeding_a_seeded_database_is_refused_and_changes_nothing(
    engine: AsyncEngine,
) -> None:
    await seeded(engine)
    before = await checksums(engine)

    with pytest.raises(SeedError, match=r"brillanti, ignis.*seed an empty database"):
        await seeded(engine)

    assert await checksums(engine) == before


async def test_demo_logins_exist_with_the_demo_password(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        report = await seed(conn, scale=1, today=TODAY)
    assert report.logins == demo_logins()
    assert password_problem(DEMO_PASSWORD) is None
    assert {login.organization for login in report.logins} == {"brillanti", "ignis"}

    async with engine.connect() as conn:
        for login in report.logins:
            assert login.password == DEMO_PASSWORD
            params = {"slug": login.organization, "email": login.identifier}
            if login.role == "staff admin":
                stored = (
                    await conn.execute(
                        sa.text(
                            "SELECT s.password_hash FROM staff_user s JOIN organization o "
                            "ON o.id = s.organization_id WHERE o.slug = :slug "
                            "AND s.email = :email AND s.role = 'ADMIN' AND s.active"
                        ),
                        params,
                    )
                ).scalar_one()
            else:
                contact_id, stored, client_grants, site_grants = (
                    await conn.execute(
                        sa.text(
                            "SELECT c.id, c.password_hash, count(g.client_id), count(g.site_id) "
                            "FROM contact c JOIN organization o ON o.id = c.organization_id "
                            "JOIN portal_grant g ON g.contact_id = c.id "
                            "WHERE o.slug = :slug AND c.email = :email AND c.state = 'ACTIVE' "
                            "AND c.portal_access AND c.deleted_at IS NULL GROUP BY c.id"
                        ),
                        params,
                    )
                ).one()
                expected = {
                    "contact of one client": (1, 0),
                    "contact limited to one site": (0, 1),
                }.get(login.role)
                if expected is None:
                    assert login.role == "contact of several clients"
                    assert client_grants >= 2, contact_id
                    assert site_grants == 0, contact_id
                else:
                    assert (client_grants, site_grants) == expected, contact_id
            assert verify_password(stored, DEMO_PASSWORD), login
            assert not verify_password(stored, DEMO_PASSWORD + "x")


async def test_demo_data_covers_every_state_the_portal_shows(engine: AsyncEngine) -> None:
    await seeded(engine)
    async with engine.connect() as conn:
        orgs = {slug for (slug,) in await values(conn, "SELECT slug FROM organization")}
        assert orgs == {"brillanti", "ignis"}

        async def assert_every(table: str, column: str, enum: type[StrEnum]) -> None:
            records = m.metadata.tables[table]
            organizations = m.metadata.tables["organization"]
            query = sa.select(organizations.c.slug, records.c[column]).join_from(
                records, organizations, organizations.c.id == records.c.organization_id
            )
            found = {tuple(row) for row in (await conn.execute(query)).all()}
            expected = {(slug, member.value) for slug in orgs for member in enum}
            assert expected <= found, f"{table}.{column} lacks {sorted(expected - found)}"

        await assert_every("ticket", "status", m.TicketStatus)
        await assert_every("ticket", "urgency", m.Urgency)
        await assert_every("quote", "status", m.QuoteStatus)
        await assert_every("invoice", "status", m.InvoiceStatus)
        await assert_every("intervention", "status", m.InterventionStatus)
        await assert_every("intervention", "origin", m.InterventionOrigin)
        await assert_every("work_sheet", "status", m.WorkSheetStatus)
        await assert_every("contact", "state", m.ContactState)
        await assert_every("revision_item", "outcome", m.ItemOutcome)
        await assert_every("revision", "result", m.RevisionResult)

        counters = await values(
            conn,
            "SELECT o.slug, o.ticket_counter, count(t.id), min(t.number), max(t.number) "
            "FROM organization o JOIN ticket t ON t.organization_id = o.id GROUP BY o.id",
        )
        assert all(n == count == last and first == 1 for _, n, count, first, last in counters)

        expiring = await values(
            conn,
            "SELECT DISTINCT o.slug FROM contract c "
            "JOIN organization o ON o.id = c.organization_id "
            "WHERE c.expires_on BETWEEN DATE '2026-11-24' AND DATE '2026-12-23'",
        )
        assert expiring == {("brillanti",), ("ignis",)}

        future = await values(
            conn,
            "SELECT DISTINCT o.slug FROM intervention i JOIN organization o "
            "ON o.id = i.organization_id WHERE i.starts_at > '2026-11-24' AND i.status = 'PLANNED'",
        )
        assert future == {("brillanti",), ("ignis",)}
        planned_revisions = await values(
            conn,
            "SELECT DISTINCT organization_id FROM revision "
            "WHERE planned_date > '2026-11-23' AND performed_at IS NULL",
        )
        assert len(planned_revisions) == 2
        visible = await values(conn, "SELECT DISTINCT portal_visible FROM document")
        assert visible == {(True,), (False,)}
        bookable = await values(
            conn, "SELECT DISTINCT portal_visible, portal_bookable FROM activity_type"
        )
        assert {(True, True), (True, False), (False, False)} <= bookable


async def test_files_dir_receives_every_document_under_its_storage_key(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await seeded(engine, files_dir=tmp_path)
    async with engine.connect() as conn:
        documents = (
            await conn.execute(sa.text("SELECT storage_key, sha256, size_bytes FROM document"))
        ).all()
    assert documents
    for key, sha, size in documents:
        data = (tmp_path / key).read_bytes()
        assert data.startswith(b"%PDF-1.4")
        assert data.endswith(b"%%EOF\n")
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (sha, size)
        assert key == f"{sha[:2]}/{sha}"


def test_scale_multiplies_the_demo_into_a_benchmark() -> None:
    demo = build(1, TODAY)
    large = build(10, TODAY)

    assert 2_000 <= len(demo.rows["timesheet_entry"]) < 10_000
    assert len(demo.rows["client"]) < 100
    assert len(large.rows["timesheet_entry"]) >= 100_000
    assert len(large.rows["client"]) == 10 * len(demo.rows["client"])
