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
    organization_name: str


async def viewer(db: AsyncConnection, kind: AccountKind, account_id: uuid.UUID) -> ViewerRow:
    table = STAFF if kind is AccountKind.STAFF else CONTACT
    row = (
        await db.execute(
            sa.select(table.c.first_name, ORGANIZATION.c.name)
            .join(ORGANIZATION, ORGANIZATION.c.id == table.c.organization_id)
            .where(table.c.id == account_id)
        )
    ).one()
    return ViewerRow(kind, row.first_name, row.name)
