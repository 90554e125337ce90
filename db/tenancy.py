"""Binding a request's transaction to one organization, for row-level security.

After :func:`bind`, the rest of the transaction runs as ``sportello_app`` with
``app.organization_id`` set: PostgreSQL itself hides every row of another organization and
refuses to write one (db/migrations/versions/0004_row_level_security.py). Both settings are
transaction-local, so a pooled connection never carries them into the next request.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

APP_ROLE = "sportello_app"


def binding(organization_id: sa.ColumnElement[Any]) -> list[sa.ColumnElement[Any]]:
    """The same binding as :func:`bind`, as columns of a statement that reads the organization
    (the session lookup): it takes effect once that statement returns a row."""
    return [
        sa.func.set_config("role", APP_ROLE, True).label("bound_role"),
        sa.func.set_config("app.organization_id", sa.cast(organization_id, sa.Text), True).label(
            "bound_organization"
        ),
    ]


_BIND = sa.select(*binding(sa.bindparam("organization_id", type_=sa.Uuid)))


async def bind(db: AsyncConnection, organization_id: uuid.UUID) -> None:
    """From now until the transaction ends, only ``organization_id``'s rows exist."""
    await db.execute(_BIND, {"organization_id": organization_id})
