"""Writing staff users, their week, absences and skills (staff back office).

None of these commits: the request's one transaction does, and a refusal raised after a write
rolls it back. The organization's active administrators are locked (:func:`lock_admins`)
before any staff user changes, always in id order, so that two administrators deactivating or
demoting each other at the same moment run one after the other and the second sees the
first's change: an organization never loses its last active ADMIN to a race.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, restrict
from db import models as m
from db.models.base import table_of
from db.queries.accounts import AccountKind, end_access
from db.queries.client_actions import OPEN_VISITS
from db.scoped.records import taken_on

STAFF = table_of(m.StaffUser)
HOURS = table_of(m.WorkingHours)
ABSENCE = table_of(m.Absence)
SKILL = table_of(m.TechnicianSkill)
VISIT = table_of(m.Intervention)

EMAIL_INDEX = "uq_staff_user_org_email"


async def lock_admins(db: AsyncConnection, scope: RowScope) -> list[uuid.UUID]:
    """The organization's active administrators, locked until the transaction ends."""
    statement = (
        restrict(sa.select(STAFF.c.id), m.StaffUser, scope)
        .where(STAFF.c.role == m.StaffRole.ADMIN.value, STAFF.c.active.is_(True))
        .order_by(STAFF.c.id)
        .with_for_update()
    )
    return list(await db.scalars(statement))


async def email_taken(
    db: AsyncConnection, scope: RowScope, email: str, other_than: uuid.UUID | None = None
) -> bool:
    """Does another staff user of the organization log in with ``email`` (in any case)?"""
    statement = restrict(sa.select(STAFF.c.id), m.StaffUser, scope).where(
        sa.func.lower(STAFF.c.email) == email.lower()
    )
    if other_than is not None:
        statement = statement.where(STAFF.c.id != other_than)
    return await db.scalar(statement.limit(1)) is not None


async def write_staff_user(
    db: AsyncConnection, scope: RowScope, staff_id: uuid.UUID | None, values: dict[str, Any]
) -> sa.Row[Any]:
    """Insert a staff user (``staff_id`` None) or change one; the row as written.
    :class:`Taken` when a request running at the same time took the email after the check."""
    statement: sa.Insert | sa.Update = (
        STAFF.insert().values(id=uuid.uuid4(), organization_id=scope.organization_id, **values)
        if staff_id is None
        else STAFF.update().where(STAFF.c.id == staff_id).values(values)
    )
    with taken_on({EMAIL_INDEX: "email"}):
        return (await db.execute(statement.returning(*STAFF.c))).one()


async def deactivate(db: AsyncConnection, staff_id: uuid.UUID, now: dt.datetime) -> sa.Row[Any]:
    """Switch a staff user off: their sessions end and their unused links stop working."""
    row = (
        await db.execute(
            STAFF.update().where(STAFF.c.id == staff_id).values(active=False).returning(*STAFF.c)
        )
    ).one()
    await end_access(db, AccountKind.STAFF, staff_id, now)
    return row


async def open_visits_of(
    db: AsyncConnection,
    scope: RowScope,
    technician_id: uuid.UUID,
    during: tuple[dt.datetime, dt.datetime] | None = None,
    limit: int = 5,
) -> Sequence[sa.Row[Any, Any]]:
    """The first open appointments (id, start) assigned to a technician, soonest first; with
    ``during``, only those overlapping that period."""
    statement = restrict(sa.select(VISIT.c.id, VISIT.c.starts_at), m.Intervention, scope).where(
        VISIT.c.technician_id == technician_id, VISIT.c.status.in_(OPEN_VISITS)
    )
    if during is not None:
        statement = statement.where(VISIT.c.ends_at > during[0], VISIT.c.starts_at < during[1])
    statement = statement.order_by(VISIT.c.starts_at, VISIT.c.id).limit(limit)
    return (await db.execute(statement)).all()


async def working_hours_of(
    db: AsyncConnection, technician_id: uuid.UUID
) -> Sequence[sa.Row[Any, Any, Any]]:
    """A technician's week as stored, by weekday and start."""
    statement = (
        sa.select(HOURS.c.weekday, HOURS.c.starts_at, HOURS.c.ends_at)
        .where(HOURS.c.technician_id == technician_id)
        .order_by(HOURS.c.weekday, HOURS.c.starts_at)
    )
    return (await db.execute(statement)).all()


async def replace_working_hours(
    db: AsyncConnection,
    scope: RowScope,
    technician_id: uuid.UUID,
    spans: Sequence[tuple[int, dt.time, dt.time]],
) -> None:
    """The technician's week becomes ``spans`` (weekday, start, end)."""
    await db.execute(HOURS.delete().where(HOURS.c.technician_id == technician_id))
    await _insert_children(
        db,
        HOURS,
        scope,
        technician_id,
        [{"weekday": day, "starts_at": start, "ends_at": end} for day, start, end in spans],
    )


async def skill_ids_of(db: AsyncConnection, technician_id: uuid.UUID) -> set[uuid.UUID]:
    """The activity types a technician can perform."""
    statement = sa.select(SKILL.c.activity_type_id).where(SKILL.c.technician_id == technician_id)
    return set(await db.scalars(statement))


async def replace_skills(
    db: AsyncConnection,
    scope: RowScope,
    technician_id: uuid.UUID,
    activity_type_ids: Sequence[uuid.UUID],
) -> None:
    """The technician's skills become ``activity_type_ids`` (of the organization, checked)."""
    await db.execute(SKILL.delete().where(SKILL.c.technician_id == technician_id))
    rows = [{"activity_type_id": activity} for activity in sorted(activity_type_ids)]
    await _insert_children(db, SKILL, scope, technician_id, rows)


async def _insert_children(
    db: AsyncConnection,
    table: sa.Table,
    scope: RowScope,
    technician_id: uuid.UUID,
    rows: list[dict[str, Any]],
) -> None:
    if rows:
        owner = {"organization_id": scope.organization_id, "technician_id": technician_id}
        await db.execute(table.insert(), [{"id": uuid.uuid4(), **owner, **row} for row in rows])


async def insert_absence(
    db: AsyncConnection, scope: RowScope, values: dict[str, Any]
) -> sa.Row[Any]:
    """A new absence (``values`` name its technician); the row as written."""
    statement = ABSENCE.insert().values(
        id=uuid.uuid4(), organization_id=scope.organization_id, **values
    )
    return (await db.execute(statement.returning(*ABSENCE.c))).one()


async def delete_absence(db: AsyncConnection, absence_id: uuid.UUID) -> None:
    await db.execute(ABSENCE.delete().where(ABSENCE.c.id == absence_id))
