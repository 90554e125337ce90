"""Reading and writing an organization's settings (its own row of ``organization``).

Query functions never commit: the request's one transaction does, or rolls everything back
when the resolver refuses. The row is read ``FOR UPDATE`` before a change, so two changes run
one after the other and each audit event's "before" is what it replaced. Nothing here is
cached: every reader (branding, viewer, mail worker, planning, billing) reads the row anew.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import models as m
from db.models.base import table_of
from db.queries.organization_logo import logo_address

ORGANIZATION = table_of(m.Organization)

# The columns staff read and an ADMIN changes (slug and currency are read only).
COLUMNS = (
    "slug",
    "name",
    "logo_url",
    "logo_sha256",
    "portal_info_text",
    "notification_email",
    "locale",
    "timezone",
    "portal_enabled",
    "currency",
    "portal_fee_cents",
    "vat_rate_percent",
    "reminder_offsets_days",
    "contract_alert_days",
    "booking_min_lead_hours",
    "booking_horizon_days",
    "travel_average_speed_kmh",
    "travel_road_factor",
    "travel_buffer_minutes",
    "refuse_unregistered_documents",
)


async def settings(
    db: AsyncConnection, organization_id: uuid.UUID, *, for_update: bool = False
) -> sa.Row[Any]:
    """The organization's settings row (locked for a change when ``for_update``)."""
    statement = sa.select(*(ORGANIZATION.c[name] for name in COLUMNS)).where(
        ORGANIZATION.c.id == organization_id
    )
    if for_update:
        statement = statement.with_for_update()
    return (await db.execute(statement)).one()


def logo_of(row: sa.Row[Any]) -> str | None:
    """The logo address the portal shows for this row (the stored logo while the portal is
    on, else the configured address), as ``viewer`` gives it."""
    stored = row.logo_sha256 if row.portal_enabled else None
    return logo_address(row.slug, stored, row.logo_url)


async def update(db: AsyncConnection, organization_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Write the changed columns (never ``portal_enabled``: portal_access_actions switches it)."""
    if "portal_enabled" in values:
        raise ValueError("switch the portal with portal_access_actions.set_organization_portal")
    await db.execute(
        ORGANIZATION.update().where(ORGANIZATION.c.id == organization_id).values(**values)
    )
