"""Deterministic demo data: two organizations full of realistic records.

``seed(conn, scale=N, today=D)`` builds every row in memory from one seeded generator (ids,
names, places, times relative to ``D``, password hashes with seeded salts), then bulk-inserts
them in foreign-key order inside the caller's transaction. The same ``scale`` and ``today``
give byte-identical rows. Scale 1 is the demo; scale N multiplies clients, sites and
technicians by N and lengthens the history (``world.history_months``), so that scale 10 holds
more than 100,000 timesheet entries for benchmarks.

Sessions, account tokens, partner tokens, outbox messages and audit events are not seeded.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import pathlib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.models import metadata
from db.seed.billing import build_invoices, build_quotes
from db.seed.clients import build_clients
from db.seed.contacts import build_contacts
from db.seed.context import SeedContext
from db.seed.contracts import build_contracts
from db.seed.equipment import build_equipment
from db.seed.fieldwork import build_timesheets, build_work_sheets
from db.seed.insert import insert_all
from db.seed.logins import DEMO_PASSWORD, PROFILES, DemoLogin, demo_logins
from db.seed.organizations import build_activity_types, build_departments, build_organization
from db.seed.revisions import build_revisions
from db.seed.routes import build_routes
from db.seed.schedule import build_schedule
from db.seed.staff import build_staff
from db.seed.tickets import build_tickets
from db.seed.world import new_world
from sportello.base.errors import StartupError

__all__ = [
    "DEMO_PASSWORD",
    "DemoLogin",
    "SeedError",
    "SeedReport",
    "build",
    "demo_logins",
    "seed",
]


class SeedError(StartupError):
    """The demo data cannot be seeded here; the message says what to do instead."""


@dataclass(frozen=True)
class SeedReport:
    """Rows inserted per table (in insertion order) and the demo logins to print."""

    rows: dict[str, int]
    logins: list[DemoLogin]


def build(scale: int, today: dt.date, *, keep_files: bool = False) -> SeedContext:
    """Every demo row, in memory, for ``scale`` and the anchor day ``today`` (no database)."""
    if scale < 1:
        raise SeedError(f"scale must be a whole number of at least 1, not {scale}")
    ctx = SeedContext(scale=scale, today=today, keep_files=keep_files)
    for profile in PROFILES:
        world = new_world(profile, ctx.new_id(), today, scale)
        build_organization(ctx, world)
        build_departments(ctx, world)
        build_activity_types(ctx, world)
        build_staff(ctx, world)
        build_clients(ctx, world)
        build_contacts(ctx, world)
        build_equipment(ctx, world)
        build_contracts(ctx, world)
        build_routes(ctx, world)
        build_revisions(ctx, world)
        build_schedule(ctx, world)
        build_tickets(ctx, world)
        build_timesheets(ctx, world)
        build_work_sheets(ctx, world)
        build_invoices(ctx, world, build_quotes(ctx, world))
    return ctx


async def seed(
    conn: AsyncConnection,
    *,
    scale: int = 1,
    today: dt.date | None = None,
    files_dir: pathlib.Path | None = None,
) -> SeedReport:
    """Insert the demo data within the caller's transaction (the caller commits).

    Raises ``SeedError`` when a demo organization already exists: seeding only fills an empty
    database. With ``files_dir``, every document's PDF is written to ``files_dir/storage_key``.
    """
    slugs = [profile.slug for profile in PROFILES]
    organization = metadata.tables["organization"]
    query = (
        sa.select(organization.c.slug)
        .where(organization.c.slug.in_(slugs))
        .order_by(organization.c.slug)
    )
    existing = (await conn.execute(query)).scalars().all()
    if existing:
        raise SeedError(
            f"the database already holds the demo organization(s) {', '.join(existing)}; "
            "seed an empty database (drop and migrate it again, or point DATABASE_URL elsewhere)"
        )
    anchor = today if today is not None else dt.date.today()
    ctx = await asyncio.to_thread(build, scale, anchor, keep_files=files_dir is not None)
    counts = await insert_all(conn, ctx.rows)
    if files_dir is not None:
        await asyncio.to_thread(_write_files, files_dir, ctx.files)
    return SeedReport(rows=counts, logins=demo_logins())


def _write_files(root: pathlib.Path, files: list[tuple[str, bytes]]) -> None:
    for key, data in files:
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
