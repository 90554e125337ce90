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

from authz.scope import RowScope, Scoping, restrict
from db import kept
from db import models as m
from db.models.base import table_of
from db.pagination import Ordering, Page, PageRequest, count, fetch_page, in_row_ids
from db.scoped.nested import child_lists, rows_by_id, rows_keyed, shaped

REVISION = table_of(m.Revision)
ITEM = table_of(m.RevisionItem)
EQUIPMENT = table_of(m.Equipment)

# Latest due month first (ix_revision_org_due and ix_revision_site_due, read backwards).
REVISION_ORDER = Ordering((REVISION.c.due_month, REVISION.c.id), descending=True)
# A revision's items read like its checklist: by kind of equipment.
ITEM_ORDER = Ordering((EQUIPMENT.c.kind, ITEM.c.id))


def revisions_statement(
    scope: Scoping,
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
    return await rows_by_id(db, revisions_statement, scope, REVISION.c.id, ids)


def _next_revisions_statement(scope: Scoping) -> sa.Select[Any]:
    return (
        revisions_statement(scope)
        .where(
            in_row_ids(REVISION.c.site_id),
            REVISION.c.performed_at.is_(None),
            REVISION.c.cancelled_at.is_(None),
        )
        .ext(distinct_on(REVISION.c.site_id))
        .order_by(
            REVISION.c.site_id,
            REVISION.c.due_month,
            REVISION.c.planned_date.asc().nulls_last(),
            REVISION.c.id,
        )
    )


def _last_revisions_statement(scope: Scoping) -> sa.Select[Any]:
    return (
        revisions_statement(scope)
        .where(in_row_ids(REVISION.c.site_id), REVISION.c.performed_at.is_not(None))
        .ext(distinct_on(REVISION.c.site_id))
        .order_by(REVISION.c.site_id, REVISION.c.performed_at.desc(), REVISION.c.id.desc())
    )


def _revisions_around_statement(scope: Scoping) -> sa.Select[Any]:
    last = _last_revisions_statement(scope).subquery()
    upcoming = _next_revisions_statement(scope).subquery()
    both = sa.union_all(
        sa.select(last, sa.literal("last").label("around")),
        sa.select(upcoming, sa.literal("next").label("around")),
    ).subquery()
    return sa.select(both)


Around = tuple[sa.Row[Any] | None, sa.Row[Any] | None]


async def revisions_around_sites(
    db: AsyncConnection, scope: RowScope, site_ids: Sequence[uuid.UUID]
) -> list[Around]:
    """Per site id, (its most recently performed revision, its earliest revision neither
    performed nor cancelled: the policy's "next"), either None; one statement for both,
    since a site's page asks for both."""
    statement = shaped(_revisions_around_statement, scope.shape)
    rows = await kept.execute(db, statement, {**scope.parameters, "row_ids": list(site_ids)})
    found = {(row.site_id, row.around): row for row in rows}
    return [(found.get((site, "last")), found.get((site, "next"))) for site in site_ids]


def items_statement(scope: Scoping) -> sa.Select[Any]:
    """Revision items with their equipment's kind (the items' order)."""
    statement = sa.select(ITEM, EQUIPMENT.c.kind).select_from(
        ITEM.join(EQUIPMENT, EQUIPMENT.c.id == ITEM.c.equipment_id)
    )
    return restrict(restrict(statement, m.RevisionItem, scope), m.Equipment, scope)


items_of_revisions, item_counts_of_revisions = child_lists(
    items_statement, ITEM.c.revision_id, ITEM_ORDER
)


def _outcome_counts_statement(scope: Scoping) -> sa.Select[Any]:
    def counting(outcome: m.ItemOutcome) -> sa.ColumnElement[int]:
        return sa.func.count().filter(ITEM.c.outcome == outcome)

    return restrict(
        sa.select(
            ITEM.c.revision_id,
            counting(m.ItemOutcome.COMPLIANT).label("compliant"),
            counting(m.ItemOutcome.NON_COMPLIANT).label("non_compliant"),
            counting(m.ItemOutcome.NOT_CHECKED).label("not_checked"),
        )
        .where(in_row_ids(ITEM.c.revision_id))
        .group_by(ITEM.c.revision_id),
        m.RevisionItem,
        scope,
    )


async def outcome_counts_of_revisions(
    db: AsyncConnection, scope: RowScope, revision_ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Per revision id, how many of its items were compliant, non-compliant and not checked;
    None for a revision without items."""
    return await rows_keyed(db, _outcome_counts_statement, scope, "revision_id", revision_ids)
