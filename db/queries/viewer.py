"""The caller's own account, for ``viewer``."""

from __future__ import annotations

import dataclasses
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.queries.accounts import CONTACT, ORGANIZATION, STAFF, AccountKind


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
        row.logo_url,
        row.portal_info_text,
    )
