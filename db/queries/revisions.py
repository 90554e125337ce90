"""Revisions (inspections) of sites, their per-equipment items, a site's next and last one.

Contacts see performed revisions and the next one of each site only: restrict() applies the
policy's rule (authz/policy.py performed_or_next_revisions) to every statement here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, restrict
from db import models as m
from db.models.base import table_of
from db.pagination import (
    Ordering,
    Page,
    PageRequest,
    any_of,
    child_counts,
    count,
    fetch_child_pages,
    fetch_page,
)

REVISION = table_of(m.Revision)
ITEM = table_of(m.RevisionItem)
EQUIPMENT = table_of(m.Equipment)

# Latest due month first (ix_revision_org_due and ix_revision_site_due, read backwards).
REVISION_ORDER = Ordering((REVISION.c.due_month, REVISION.c.id), descending=True)
# A revision's items read like its checklist: by kind of equipment.
ITEM_ORDER = Ordering((EQUIPMENT.c.kind, ITEM.c.id))


def revisions_statement(
    scope: RowScope,
    *,
    site_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    result: str | None = None,
) -> sa.Select[Any]:
    """Revisions the scope sees; ``start``/``end`` keep those due in the months they cover."""
    statement = restrict(sa.select(REVISION), m.Revision, scope)
    if site_id is not None:
        statement = statement.where(REVISION.c.site_id == site_id)
    if client_id is not None:
        statement = statement.where(REVISION.c.client_id == client_id)
    if start is not None:
        statement = statement.where(REVISION.c.due_month >= start.replace(day=1))
    if end is not None:
        statement = statement.where(REVISION.c.due_month <= end)
    if result is not None:
        statement = statement.where(REVISION.c.result == m.RevisionResult(result))
    return statement


async def revision_page(
    db: AsyncConnection, scope: RowScope, request: PageRequest, **filters: Any
) -> Page:
    """One page of revisions; ``filters`` are those of :func:`revisions_statement`."""
    return await fetch_page(db, revisions_statement(scope, **filters), REVISION_ORDER, request)


async def revision_count(db: AsyncConnection, scope: RowScope, **filters: Any) -> int:
    return await count(db, revisions_statement(scope, **filters))


async def revisions_by_id(
    db: AsyncConnection, scope: RowScope, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Rows in the order of ``ids``; None for an id that does not exist or is out of scope."""
    rows = await db.execute(revisions_statement(scope).where(any_of(REVISION.c.id, ids)))
    found = {row.id: row for row in rows}
    return [found.get(i) for i in ids]


async def next_revisions_of_sites(
    db: AsyncConnection, scope: RowScope, site_ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Per site id, the earliest revision not performed yet (the policy's "next"), or None."""
    statement = (
        revisions_statement(scope)
        .where(any_of(REVISION.c.site_id, site_ids), REVISION.c.performed_at.is_(None))
        .ext(distinct_on(REVISION.c.site_id))
        .order_by(
            REVISION.c.site_id,
            REVISION.c.due_month,
            REVISION.c.planned_date.asc().nulls_last(),
            REVISION.c.id,
        )
    )
    found = {row.site_id: row for row in await db.execute(statement)}
    return [found.get(i) for i in site_ids]


async def last_revisions_of_sites(
    db: AsyncConnection, scope: RowScope, site_ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Per site id, its most recently performed revision, or None."""
    statement = (
        revisions_statement(scope)
        .where(any_of(REVISION.c.site_id, site_ids), REVISION.c.performed_at.is_not(None))
        .ext(distinct_on(REVISION.c.site_id))
        .order_by(REVISION.c.site_id, REVISION.c.performed_at.desc(), REVISION.c.id.desc())
    )
    found = {row.site_id: row for row in await db.execute(statement)}
    return [found.get(i) for i in site_ids]


def items_statement(scope: RowScope) -> sa.Select[Any]:
    """Revision items with their equipment's kind (the items' order)."""
    statement = sa.select(ITEM, EQUIPMENT.c.kind).select_from(
        ITEM.join(EQUIPMENT, EQUIPMENT.c.id == ITEM.c.equipment_id)
    )
    return restrict(restrict(statement, m.RevisionItem, scope), m.Equipment, scope)


async def items_of_revisions(
    db: AsyncConnection, scope: RowScope, revision_ids: Sequence[uuid.UUID], request: PageRequest
) -> dict[uuid.UUID, Page]:
    return await fetch_child_pages(
        db, items_statement(scope), ITEM.c.revision_id, revision_ids, ITEM_ORDER, request
    )


async def item_counts_of_revisions(
    db: AsyncConnection, scope: RowScope, revision_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    return await child_counts(db, items_statement(scope), ITEM.c.revision_id, revision_ids)


async def outcome_counts_of_revisions(
    db: AsyncConnection, scope: RowScope, revision_ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Per revision id, how many of its items were compliant, non-compliant and not checked;
    None for a revision without items."""

    def counting(outcome: m.ItemOutcome) -> sa.ColumnElement[int]:
        return sa.func.count().filter(ITEM.c.outcome == outcome)

    statement = restrict(
        sa.select(
            ITEM.c.revision_id,
            counting(m.ItemOutcome.COMPLIANT).label("compliant"),
            counting(m.ItemOutcome.NON_COMPLIANT).label("non_compliant"),
            counting(m.ItemOutcome.NOT_CHECKED).label("not_checked"),
        )
        .where(any_of(ITEM.c.revision_id, revision_ids))
        .group_by(ITEM.c.revision_id),
        m.RevisionItem,
        scope,
    )
    found = {row.revision_id: row for row in await db.execute(statement)}
    return [found.get(i) for i in revision_ids]
