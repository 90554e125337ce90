"""Staff users (staff callers only), their working hours and absences; technicians' names.

Staff users list by last name, first name, then id; an organization has a few dozen of them,
so no index serves that order (the list reads the organization's rows through
ix_staff_user_organization_id and sorts them). Working hours list by weekday and start,
absences by start: ix_working_hours_technician and ix_absence_technician_period serve both.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, Scoping, restrict
from db import models as m
from db.models.base import table_of
from db.pagination import (
    Ordering,
    Page,
    PageRequest,
    child_counts,
    count,
    fetch_child_pages,
    fetch_page,
)
from db.scoped.filter_shapes import filtered, given
from db.scoped.nested import child_lists, rows_by_id
from db.text import contains

STAFF = table_of(m.StaffUser)
HOURS = table_of(m.WorkingHours)
ABSENCE = table_of(m.Absence)

STAFF_ORDER = Ordering((STAFF.c.last_name, STAFF.c.first_name, STAFF.c.id))
HOURS_ORDER = Ordering((HOURS.c.weekday, HOURS.c.starts_at, HOURS.c.id))
ABSENCE_ORDER = Ordering((ABSENCE.c.starts_at, ABSENCE.c.id))


def with_technician_name(statement: sa.Select[Any], table: sa.Table) -> sa.Select[Any]:
    """``statement`` on ``table`` with the first name and last initial of the technician its
    ``technician_id`` names: all of a technician that contacts and partners may read."""
    return statement.outerjoin(
        STAFF,
        sa.and_(
            STAFF.c.id == table.c.technician_id,
            STAFF.c.organization_id == table.c.organization_id,
        ),
    ).add_columns(
        STAFF.c.first_name.label("technician_first_name"),
        sa.func.left(STAFF.c.last_name, 1).label("technician_initial"),
    )


@dataclasses.dataclass(frozen=True)
class StaffFilter:
    """Filters of the staff list; None means no condition."""

    search: str | None = None
    roles: tuple[str, ...] | None = None
    active: bool | None = None


def staff_statement(scope: Scoping, where: StaffFilter | None = None) -> sa.Select[Any]:
    """The staff users of the caller's organization, filtered by ``where``."""
    statement = restrict(sa.select(STAFF), m.StaffUser, scope)
    if where is None:
        return statement
    if where.search:
        names = (STAFF.c.first_name, STAFF.c.last_name, STAFF.c.email)
        statement = statement.where(contains(names, where.search))
    if where.roles is not None:
        statement = statement.where(STAFF.c.role.in_(where.roles))
    if where.active is not None:
        statement = statement.where(STAFF.c.active.is_(where.active))
    return statement


async def staff_page(
    db: AsyncConnection, scope: RowScope, request: PageRequest, where: StaffFilter
) -> Page:
    """One page of staff users by name."""
    return await fetch_page(db, staff_statement(scope, where), STAFF_ORDER, request)


async def staff_count(db: AsyncConnection, scope: RowScope, where: StaffFilter) -> int:
    """How many staff users the filtered list holds."""
    return await count(db, staff_statement(scope, where))


async def staff_users_by_id(
    db: AsyncConnection, scope: RowScope, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Staff users in the order of ``ids``; None for an id missing or out of scope."""
    return await rows_by_id(db, staff_statement, scope, STAFF.c.id, ids)


def hours_statement(scope: Scoping) -> sa.Select[Any]:
    return restrict(sa.select(HOURS), m.WorkingHours, scope)


working_hours_of_technicians, working_hours_counts_of_technicians = child_lists(
    hours_statement, HOURS.c.technician_id, HOURS_ORDER
)


@dataclasses.dataclass(frozen=True)
class AbsenceFilter:
    """The period absences overlap, [since, until); either end may be open (None)."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None


# Both ends are compared through parameters (db/scoped/filter_shapes.py): the statement of a
# period's shape serves every period.
ABSENCE_PARAMETERS = ("since", "until")


def absences_statement(scope: Scoping, where: AbsenceFilter) -> sa.Select[Any]:
    """Absences overlapping the period of ``where``."""
    statement = restrict(sa.select(ABSENCE), m.Absence, scope)
    instant = ABSENCE.c.starts_at.type
    if where.since is not None:
        statement = statement.where(ABSENCE.c.ends_at > given("since", where.since, instant))
    if where.until is not None:
        statement = statement.where(ABSENCE.c.starts_at < given("until", where.until, instant))
    return statement


@dataclasses.dataclass(frozen=True)
class AbsencesOfTechnicians:
    """The same page of absences in a period for many technicians, in one statement.

    A value, not a closure: equal periods make equal loader keys.
    """

    where: AbsenceFilter

    async def __call__(
        self,
        db: AsyncConnection,
        scope: RowScope,
        technician_ids: Sequence[uuid.UUID],
        request: PageRequest,
    ) -> dict[uuid.UUID, Page]:
        statement, parameters = filtered(absences_statement, scope, self.where, ABSENCE_PARAMETERS)
        return await fetch_child_pages(
            db,
            statement,
            ABSENCE.c.technician_id,
            technician_ids,
            ABSENCE_ORDER,
            request,
            parameters=parameters,
        )


@dataclasses.dataclass(frozen=True)
class AbsenceCountsOfTechnicians:
    """How many absences in a period each of many technicians has, in one statement."""

    where: AbsenceFilter

    async def __call__(
        self, db: AsyncConnection, scope: RowScope, technician_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, int]:
        statement, parameters = filtered(absences_statement, scope, self.where, ABSENCE_PARAMETERS)
        return await child_counts(
            db, statement, ABSENCE.c.technician_id, technician_ids, parameters=parameters
        )
