"""Writing appointments the office places by hand (createAppointment, assignAppointment).

What the resolver checks is read here, locked where a change running at the same time could
make the check stale: the site and its client ``FOR SHARE`` (archiving either waits for the new
appointment, then sees it), the technician's staff_user row ``FOR NO KEY UPDATE`` (a change of
their absences or account that locks the row, as the time clock does, takes turns with the
placing). The insert is db.queries.booking.insert_appointment; a change of technician runs in a
savepoint like it, so that the technician's exclusion constraint, the last word on double
booking, comes back as an answer naming the clash instead of aborting the transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, restrict
from db import models as m
from db.models.base import table_of

SITE = table_of(m.Site)
CLIENT = table_of(m.Client)
ACTIVITY = table_of(m.ActivityType)
STAFF = table_of(m.StaffUser)
SKILL = table_of(m.TechnicianSkill)
ABSENCE = table_of(m.Absence)
TICKET = table_of(m.Ticket)
VISIT = table_of(m.Intervention)

# The technician's no-overlap constraint, named once: on the model.
OVERLAP = str(next(c.name for c in VISIT.constraints if isinstance(c, ExcludeConstraint)))


async def open_site(db: AsyncConnection, scope: RowScope, site_id: uuid.UUID) -> uuid.UUID | None:
    """The client of a site the caller can see that is not archived, the site and the client
    locked ``FOR SHARE``; None otherwise (an archived site takes no new appointment)."""
    statement = (
        restrict(
            sa.select(SITE.c.client_id).join(CLIENT, CLIENT.c.id == SITE.c.client_id),
            m.Site,
            scope,
        )
        .where(SITE.c.id == site_id, SITE.c.archived_at.is_(None))
        .with_for_update(read=True, of=(SITE, CLIENT))
    )
    found = await db.scalar(statement)
    return found if isinstance(found, uuid.UUID) else None


async def activity_minutes(
    db: AsyncConnection, scope: RowScope, activity_type_id: uuid.UUID
) -> int | None:
    """How long an activity type of the organization lasts; None when there is no such type."""
    found = await db.scalar(
        restrict(sa.select(ACTIVITY.c.duration_minutes), m.ActivityType, scope).where(
            ACTIVITY.c.id == activity_type_id
        )
    )
    return found if isinstance(found, int) else None


async def ticket_site(
    db: AsyncConnection, scope: RowScope, ticket_id: uuid.UUID
) -> uuid.UUID | None:
    """The site of a ticket the caller can see; None otherwise."""
    found = await db.scalar(
        restrict(sa.select(TICKET.c.site_id), m.Ticket, scope).where(TICKET.c.id == ticket_id)
    )
    return found if isinstance(found, uuid.UUID) else None


async def technician_for_update(
    db: AsyncConnection, scope: RowScope, staff_user_id: uuid.UUID, activity_type_id: uuid.UUID
) -> sa.Row[Any] | None:
    """A staff user of the organization (role, active, and whether they have the skill for the
    activity type), locked as the module docstring says; None when there is none."""
    skilled = (
        sa.exists()
        .where(SKILL.c.technician_id == STAFF.c.id, SKILL.c.activity_type_id == activity_type_id)
        .label("skilled")
    )
    # FOR NO KEY UPDATE: bookings, which only reference the row (KEY SHARE), do not wait.
    statement = (
        restrict(sa.select(STAFF.c.role, STAFF.c.active, skilled), m.StaffUser, scope)
        .where(STAFF.c.id == staff_user_id)
        .with_for_update(of=STAFF, key_share=True)
    )
    return (await db.execute(statement)).first()


async def absences_over(
    db: AsyncConnection,
    scope: RowScope,
    technician_id: uuid.UUID,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> Sequence[sa.Row[Any, Any]]:
    """The technician's absences overlapping the period, earliest first."""
    statement = restrict(sa.select(ABSENCE.c.starts_at, ABSENCE.c.ends_at), m.Absence, scope).where(
        ABSENCE.c.technician_id == technician_id,
        ABSENCE.c.starts_at < ends_at,
        ABSENCE.c.ends_at > starts_at,
    )
    return (await db.execute(statement.order_by(ABSENCE.c.starts_at))).all()


async def clashes(
    db: AsyncConnection,
    scope: RowScope,
    technician_id: uuid.UUID,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> Sequence[sa.Row[Any, Any, Any]]:
    """The technician's appointments (not cancelled) overlapping the period, earliest first:
    those the exclusion constraint refused a placing for."""
    statement = restrict(
        sa.select(VISIT.c.id, VISIT.c.starts_at, VISIT.c.ends_at), m.Intervention, scope
    ).where(
        VISIT.c.technician_id == technician_id,
        VISIT.c.status != m.InterventionStatus.CANCELLED.value,
        VISIT.c.starts_at < ends_at,
        VISIT.c.ends_at > starts_at,
    )
    return (await db.execute(statement.order_by(VISIT.c.starts_at, VISIT.c.id).limit(5))).all()


async def assign(db: AsyncConnection, appointment_id: uuid.UUID, values: dict[str, Any]) -> bool:
    """Write ``values`` (technician, status) to an appointment; False, with nothing written,
    when the technician's exclusion constraint refuses it (they are busy then)."""
    try:
        async with db.begin_nested():
            await db.execute(VISIT.update().where(VISIT.c.id == appointment_id).values(values))
    except IntegrityError as error:
        if OVERLAP in str(error.orig):
            return False
        raise
    return True
