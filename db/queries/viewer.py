"""The caller's own account, for ``viewer``."""

from __future__ import annotations

import dataclasses
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.queries.accounts import CONTACT, ORGANIZATION, STAFF, AccountKind
from db.queries.organization_logo import logo_address


@dataclasses.dataclass(frozen=True)
class ViewerRow:
    kind: AccountKind
    first_name: str
    last_name: str
    email: str
    locale: str
    organization_name: str
    organization_logo_url: str | None
    portal_info_text: str
    time_zone: str


async def viewer(db: AsyncConnection, kind: AccountKind, account_id: uuid.UUID) -> ViewerRow:
    table = STAFF if kind is AccountKind.STAFF else CONTACT
    row = (
        await db.execute(
            sa.select(
                table.c.first_name,
                table.c.last_name,
                table.c.email,
                sa.func.coalesce(table.c.locale, ORGANIZATION.c.locale).label("locale"),
                ORGANIZATION.c.name,
                ORGANIZATION.c.logo_url,
                ORGANIZATION.c.portal_info_text,
                ORGANIZATION.c.slug,
                ORGANIZATION.c.logo_sha256,
                ORGANIZATION.c.portal_enabled,
                ORGANIZATION.c.timezone,
            )
            .join(ORGANIZATION, ORGANIZATION.c.id == table.c.organization_id)
            .where(table.c.id == account_id)
        )
    ).one()
    return ViewerRow(
        kind,
        row.first_name,
        row.last_name,
        row.email,
        row.locale,
        row.name,
        # The stored logo is served only while the portal is on (sportello/branding_route.py);
        # otherwise the configured address, as before.
        logo_address(row.slug, row.logo_sha256 if row.portal_enabled else None, row.logo_url),
        row.portal_info_text,
        row.timezone,
    )
