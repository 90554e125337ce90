"""Writing work sheets: staff and technicians draft and edit them; signing stores their PDF.

Numbers follow a per-organization sequence per year, ``<prefix>-<year>-<6 digits>`` like the
demo seed's (``FI-2026-000123``); the prefix follows the organization's locale. The next number
is one past the highest of that prefix and year, taken while the organization row is locked,
so two drafts created at once take turns and never share a number (the unique constraint on
(organization_id, number) is the last word).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, restrict
from db import models as m
from db.models.base import table_of

SHEET = table_of(m.WorkSheet)
VISIT = table_of(m.Intervention)
SITE = table_of(m.Site)
STAFF = table_of(m.StaffUser)
ORGANIZATION = table_of(m.Organization)

# Work sheet number prefixes by organization locale (the demo seed's: FI in Italy, PT in Spain).
PREFIXES = {"it": "FI", "es": "PT"}
DEFAULT_PREFIX = "WS"
SEQUENCE_DIGITS = 6


async def intervention_for_sheet(
    db: AsyncConnection, scope: RowScope, intervention_id: uuid.UUID
) -> sa.Row[Any] | None:
    """The intervention a new work sheet records (client, site, technician, start); None
    when the caller cannot see it."""
    statement: sa.Select[Any] = restrict(
        sa.select(
            VISIT.c.id,
            VISIT.c.client_id,
            VISIT.c.site_id,
            VISIT.c.technician_id,
            VISIT.c.starts_at,
            VISIT.c.status,
        ),
        m.Intervention,
        scope,
    ).where(VISIT.c.id == intervention_id)
    row: sa.Row[Any] | None = (await db.execute(statement)).first()
    return row


async def next_number(db: AsyncConnection, organization_id: uuid.UUID, year: int) -> str:
    """The organization's next work sheet number for ``year``; locks the organization row
    until the transaction ends (see the module docstring)."""
    locale = await db.scalar(
        sa.select(ORGANIZATION.c.locale)
        .where(ORGANIZATION.c.id == organization_id)
        .with_for_update()
    )
    prefix = f"{PREFIXES.get(str(locale), DEFAULT_PREFIX)}-{year}-"
    numbers = await db.scalars(
        sa.select(SHEET.c.number).where(
            SHEET.c.organization_id == organization_id, SHEET.c.number.startswith(prefix)
        )
    )
    pattern = re.compile(re.escape(prefix) + r"(\d+)")
    highest = max(
        (int(found.group(1)) for n in numbers if (found := pattern.fullmatch(n))), default=0
    )
    return f"{prefix}{highest + 1:0{SEQUENCE_DIGITS}d}"


async def insert_work_sheet(db: AsyncConnection, values: dict[str, Any]) -> uuid.UUID:
    """Insert a DRAFT work sheet in the caller's transaction; return its id."""
    sheet_id = uuid.uuid4()
    await db.execute(SHEET.insert().values(id=sheet_id, created_at=sa.func.now(), **values))
    return sheet_id


async def work_sheet_for_update(
    db: AsyncConnection, scope: RowScope, sheet_id: uuid.UUID
) -> sa.Row[Any] | None:
    """The work sheet with its intervention's technician, locked until the transaction ends;
    None when the caller cannot see it."""
    statement = (
        restrict(
            sa.select(SHEET, VISIT.c.technician_id).join(
                VISIT, VISIT.c.id == SHEET.c.intervention_id
            ),
            m.WorkSheet,
            scope,
        )
        .where(SHEET.c.id == sheet_id)
        .with_for_update(of=SHEET)
    )
    row: sa.Row[Any] | None = (await db.execute(statement)).first()
    return row


async def update_work_sheet(
    db: AsyncConnection, sheet_id: uuid.UUID, values: dict[str, Any]
) -> None:
    """Write ``values`` (column name to value) to a work sheet."""
    await db.execute(SHEET.update().where(SHEET.c.id == sheet_id).values(values))


async def signed_sheet_facts(
    db: AsyncConnection, organization_id: uuid.UUID, sheet_id: uuid.UUID
) -> sa.Row[Any]:
    """What a signed work sheet's PDF prints: the sheet, its site, its technician and the
    organization's name, locale, time zone and stored logo."""
    statement: sa.Select[Any] = (
        sa.select(
            SHEET.c.id,
            SHEET.c.client_id,
            SHEET.c.site_id,
            SHEET.c.number,
            SHEET.c.work_date,
            SHEET.c.description,
            SHEET.c.materials,
            SHEET.c.signed_by,
            SHEET.c.signed_at,
            SITE.c.name.label("site_name"),
            SITE.c.address,
            SITE.c.postal_code,
            SITE.c.city,
            STAFF.c.first_name,
            STAFF.c.last_name,
            ORGANIZATION.c.name.label("organization_name"),
            ORGANIZATION.c.locale,
            ORGANIZATION.c.timezone,
            ORGANIZATION.c.logo_sha256,
        )
        .join(SITE, SITE.c.id == SHEET.c.site_id)
        .join(VISIT, VISIT.c.id == SHEET.c.intervention_id)
        .join(ORGANIZATION, ORGANIZATION.c.id == SHEET.c.organization_id)
        .outerjoin(STAFF, STAFF.c.id == VISIT.c.technician_id)
        .where(SHEET.c.id == sheet_id, SHEET.c.organization_id == organization_id)
    )
    row: sa.Row[Any] = (await db.execute(statement)).one()
    return row
