"""Equipment installed at sites, and the outcome of each item's last performed revision."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, Scoping, restrict
from db import models as m
from db.models.base import table_of
from db.pagination import Ordering, Page, PageRequest, count, fetch_page, in_row_ids
from db.scoped.nested import child_lists, rows_by_id, rows_keyed
from db.text import contains

EQUIPMENT = table_of(m.Equipment)
ITEM = table_of(m.RevisionItem)
REVISION = table_of(m.Revision)

# By kind, as a site's equipment reads on a checklist (ix_equipment_site serves a site's list).
EQUIPMENT_ORDER = Ordering((EQUIPMENT.c.kind, EQUIPMENT.c.id))


def equipment_statement(
    scope: Scoping,
    *,
    site_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
    kind: str | None = None,
    search: str | None = None,
) -> sa.Select[Any]:
    """Equipment the scope sees, narrowed by the list's filters."""
    statement = restrict(sa.select(EQUIPMENT), m.Equipment, scope)
    if site_id is not None:
        statement = statement.where(EQUIPMENT.c.site_id == site_id)
    if client_id is not None:
        statement = statement.where(EQUIPMENT.c.client_id == client_id)
    if kind is not None:
        statement = statement.where(EQUIPMENT.c.kind == kind)
    if search:
        columns = (
            EQUIPMENT.c.kind,
            EQUIPMENT.c.model,
            EQUIPMENT.c.serial_number,
            EQUIPMENT.c.location,
        )
        statement = statement.where(contains(columns, search))
    return statement


async def equipment_page(
    db: AsyncConnection, scope: RowScope, request: PageRequest, **filters: Any
) -> Page:
    """One page of equipment; ``filters`` are those of :func:`equipment_statement`."""
    return await fetch_page(db, equipment_statement(scope, **filters), EQUIPMENT_ORDER, request)


async def equipment_count(db: AsyncConnection, scope: RowScope, **filters: Any) -> int:
    return await count(db, equipment_statement(scope, **filters))


async def equipment_by_id(
    db: AsyncConnection, scope: RowScope, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Rows in the order of ``ids``; None for an id that does not exist or is out of scope."""
    return await rows_by_id(db, equipment_statement, scope, EQUIPMENT.c.id, ids)


equipment_of_sites, equipment_counts_of_sites = child_lists(
    equipment_statement, EQUIPMENT.c.site_id, EQUIPMENT_ORDER
)


def _last_results_statement(scope: Scoping) -> sa.Select[Any]:
    statement: sa.Select[Any] = (
        sa.select(
            ITEM.c.equipment_id,
            ITEM.c.outcome,
            REVISION.c.performed_at,
            REVISION.c.id.label("revision_id"),
        )
        .select_from(ITEM.join(REVISION, REVISION.c.id == ITEM.c.revision_id))
        .where(in_row_ids(ITEM.c.equipment_id), REVISION.c.performed_at.is_not(None))
        .ext(distinct_on(ITEM.c.equipment_id))
        .order_by(ITEM.c.equipment_id, REVISION.c.performed_at.desc(), REVISION.c.id.desc())
    )
    return restrict(restrict(statement, m.RevisionItem, scope), m.Revision, scope)


async def last_results_of_equipment(
    db: AsyncConnection, scope: RowScope, equipment_ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Per equipment id, its item in the latest performed revision (outcome, performed_at,
    revision_id); None when no performed revision checked it. One statement for the page."""
    return await rows_keyed(db, _last_results_statement, scope, "equipment_id", equipment_ids)
