"""Activity types (the catalogue of work the organization does) and technicians' skills.

Activity types belong to no client: authz/scope.py treats them as organization-wide, and the
portal's record rule keeps only those shown on the portal. Listed by name, then id: the unique
(organization_id, name) index serves the list.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, Scoping, restrict
from db import models as m
from db.models.base import table_of
from db.pagination import Ordering, Page, PageRequest, count, fetch_page
from db.scoped.nested import child_lists, rows_by_id

ACTIVITY = table_of(m.ActivityType)
SKILL = table_of(m.TechnicianSkill)

ACTIVITY_ORDER = Ordering((ACTIVITY.c.name, ACTIVITY.c.id))


def activity_types_statement(scope: Scoping, portal_bookable: bool | None = None) -> sa.Select[Any]:
    """The activity types ``scope`` may see, optionally only (not) bookable on the portal."""
    statement = restrict(sa.select(ACTIVITY), m.ActivityType, scope)
    if portal_bookable is not None:
        statement = statement.where(ACTIVITY.c.portal_bookable.is_(portal_bookable))
    return statement


async def activity_type_page(
    db: AsyncConnection, scope: RowScope, request: PageRequest, portal_bookable: bool | None
) -> Page:
    """One page of activity types by name."""
    statement = activity_types_statement(scope, portal_bookable)
    return await fetch_page(db, statement, ACTIVITY_ORDER, request)


async def activity_type_count(
    db: AsyncConnection, scope: RowScope, portal_bookable: bool | None
) -> int:
    """How many activity types the filtered list holds."""
    return await count(db, activity_types_statement(scope, portal_bookable))


async def activity_types_by_id(
    db: AsyncConnection, scope: RowScope, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Activity types in the order of ``ids``; None for an id missing or out of scope."""
    return await rows_by_id(db, activity_types_statement, scope, ACTIVITY.c.id, ids)


def skills_statement(scope: Scoping) -> sa.Select[Any]:
    """Activity types joined to the technicians able to perform them (staff callers)."""
    statement = sa.select(ACTIVITY).join(SKILL, SKILL.c.activity_type_id == ACTIVITY.c.id)
    return restrict(restrict(statement, m.TechnicianSkill, scope), m.ActivityType, scope)


skills_of_technicians, skill_counts_of_technicians = child_lists(
    skills_statement, SKILL.c.technician_id, ACTIVITY_ORDER
)
