"""Appointments (interventions: a technician's visit to a site), within a row scope.

Listed by start time, then id: ix_intervention_org_start, ix_intervention_site_start and
ix_intervention_client_start serve the list and its site and client filters. Contacts see only
appointments of activity types shown on the portal (the record rule in authz/policy.py).

Staff users lie outside a contact's row scope, so the technician's first name and last
initial come joined on the appointment's own foreign key (never the rest of the person), with
the start day in the organization's time zone: naming the technician and filling in the portal
texts cost no statement of their own.
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
    fetch_child_pages,
    in_row_ids,
)
from db.queries.staff import with_technician_name
from db.scoped.filter_shapes import (
    equal_to_given,
    filtered,
    filtered_count,
    filtered_page,
    given,
)
from db.scoped.nested import rows_by_id, rows_keyed

INTERVENTION = table_of(m.Intervention)
ORGANIZATION = table_of(m.Organization)

APPOINTMENT_ORDER = Ordering((INTERVENTION.c.starts_at, INTERVENTION.c.id))


@dataclasses.dataclass(frozen=True)
class AppointmentFilter:
    """Filters of the appointment lists; None means no condition.

    ``since``/``until``: the appointment starts in [since, until); with ``overlapping`` (the
    calendar), it overlaps that period instead.
    """

    site_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    statuses: tuple[str, ...] | None = None
    overlapping: bool = False


# The filter's fields compared through parameters (db/scoped/filter_shapes.py); statuses and
# ``overlapping`` stay in a filter's shape.
FILTER_PARAMETERS = ("site_id", "client_id", "since", "until")


def _filtered(scope: Scoping, where: AppointmentFilter | None) -> sa.Select[Any]:
    statement = restrict(sa.select(INTERVENTION), m.Intervention, scope)
    if where is None:
        return statement
    column = INTERVENTION.c
    statement = equal_to_given(statement, INTERVENTION, where, ("site_id", "client_id"))
    if where.statuses is not None:
        statement = statement.where(column.status.in_(where.statuses))
    if where.since is not None:
        since = given("since", where.since, column.starts_at.type)
        if where.overlapping:
            statement = statement.where(column.ends_at > since)
        else:
            statement = statement.where(column.starts_at >= since)
    if where.until is not None:
        statement = statement.where(
            column.starts_at < given("until", where.until, column.starts_at.type)
        )
    return statement


def appointments_statement(
    scope: Scoping, where: AppointmentFilter | None = None
) -> sa.Select[Any]:
    """The appointments ``scope`` may see, with the technician's name and the local start day."""
    zone = (
        sa.select(ORGANIZATION.c.timezone)
        .where(ORGANIZATION.c.id == INTERVENTION.c.organization_id)
        .scalar_subquery()
    )
    starts_on = sa.cast(sa.func.timezone(zone, INTERVENTION.c.starts_at), sa.Date)
    named = with_technician_name(_filtered(scope, where), INTERVENTION)
    return named.add_columns(starts_on.label("starts_on"))


async def appointment_page(
    db: AsyncConnection, scope: RowScope, request: PageRequest, where: AppointmentFilter
) -> Page:
    """One page of appointments, earliest start first."""
    return await filtered_page(
        db, appointments_statement, scope, where, FILTER_PARAMETERS, APPOINTMENT_ORDER, request
    )


async def appointment_count(db: AsyncConnection, scope: RowScope, where: AppointmentFilter) -> int:
    """How many appointments the filtered list holds."""
    return await filtered_count(db, _filtered, scope, where, FILTER_PARAMETERS)


async def calendar(
    db: AsyncConnection, scope: RowScope, where: AppointmentFilter
) -> list[sa.Row[Any]]:
    """Every appointment of the (bounded) period, earliest start first."""
    order = [column.asc() for column in APPOINTMENT_ORDER.columns]
    rows = await db.execute(appointments_statement(scope, where).order_by(*order))
    return list(rows)


async def appointments_by_id(
    db: AsyncConnection, scope: RowScope, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Appointments in the order of ``ids``; None for an id missing or out of scope."""
    return await rows_by_id(db, appointments_statement, scope, INTERVENTION.c.id, ids)


def _rescheduling_statement(scope: Scoping) -> sa.Select[Any]:
    # Oldest first: a later replacement of the same appointment overwrites an earlier one.
    return (
        appointments_statement(scope)
        .where(in_row_ids(INTERVENTION.c.reschedules_id))
        .order_by(INTERVENTION.c.created_at, INTERVENTION.c.id)
    )


async def appointments_rescheduling(
    db: AsyncConnection, scope: RowScope, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """For each appointment id, the visible appointment that reschedules it (the latest one
    created, should there be several); None when there is none."""
    return await rows_keyed(db, _rescheduling_statement, scope, "reschedules_id", ids)


@dataclasses.dataclass(frozen=True)
class AppointmentsOfSites:
    """The same page of filtered appointments for many sites, in one statement.

    A value, not a closure: equal filters make equal loader keys, so every site of a request
    asking with the same arguments shares one statement.
    """

    where: AppointmentFilter

    async def __call__(
        self,
        db: AsyncConnection,
        scope: RowScope,
        site_ids: Sequence[uuid.UUID],
        request: PageRequest,
    ) -> dict[uuid.UUID, Page]:
        statement, parameters = filtered(
            appointments_statement, scope, self.where, FILTER_PARAMETERS
        )
        return await fetch_child_pages(
            db,
            statement,
            INTERVENTION.c.site_id,
            site_ids,
            APPOINTMENT_ORDER,
            request,
            parameters=parameters,
        )


@dataclasses.dataclass(frozen=True)
class AppointmentCountsOfSites:
    """How many filtered appointments each of many sites has, in one statement."""

    where: AppointmentFilter

    async def __call__(
        self, db: AsyncConnection, scope: RowScope, site_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, int]:
        statement, parameters = filtered(_filtered, scope, self.where, FILTER_PARAMETERS)
        return await child_counts(
            db, statement, INTERVENTION.c.site_id, site_ids, parameters=parameters
        )
