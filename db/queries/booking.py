"""Writing appointments: booking, rescheduling, confirming, cancelling; signing work sheets.

``insert_appointment`` runs in a savepoint so that the two ways PostgreSQL can refuse a booking
(the technician's exclusion constraint, the author's idempotency key) come back as answers
instead of aborting the request's transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, restrict
from db import models as m
from db.models.base import table_of
from db.queries.idempotency import Author, author_columns, id_by_key

VISIT = table_of(m.Intervention)
ACTIVITY = table_of(m.ActivityType)
SHEET = table_of(m.WorkSheet)


class Outcome(enum.Enum):
    CREATED = "created"
    OVERLAP = "overlap"
    DUPLICATE_KEY = "duplicate_key"


def booked_by(author: Author) -> dict[str, uuid.UUID | None]:
    """The author columns of an appointment ``author`` books: whose idempotency key it is."""
    return author_columns(author, "booked")


async def appointment_by_key(
    db: AsyncConnection, scope: RowScope, author: Author, idempotency_key: str
) -> uuid.UUID | None:
    """The appointment an earlier request of ``author`` with this key booked, if the caller
    can still see it. Keys are the author's own: another caller's equal key is not found."""
    return await id_by_key(db, scope, m.Intervention, "booked", author, idempotency_key)


async def insert_appointment(
    db: AsyncConnection, values: dict[str, Any]
) -> tuple[Outcome, uuid.UUID]:
    appointment_id = uuid.uuid4()
    try:
        async with db.begin_nested():
            await db.execute(
                VISIT.insert().values(id=appointment_id, created_at=sa.func.now(), **values)
            )
    except IntegrityError as error:
        if "ex_intervention_technician_overlap" in str(error.orig):
            return Outcome.OVERLAP, appointment_id
        if "uq_intervention_idempotency_" in str(error.orig):
            return Outcome.DUPLICATE_KEY, appointment_id
        raise
    return Outcome.CREATED, appointment_id


@dataclasses.dataclass(frozen=True)
class AppointmentState:
    id: uuid.UUID
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    site_id: uuid.UUID
    client_id: uuid.UUID
    activity_type_id: uuid.UUID
    technician_id: uuid.UUID | None
    notes: str
    allowed_statuses: list[str]
    min_lead_hours: int


async def appointment_state(
    db: AsyncConnection, scope: RowScope, appointment_id: uuid.UUID
) -> AppointmentState | None:
    """An appointment the caller can see, locked for the change about to be made."""
    row = (
        await db.execute(
            restrict(
                sa.select(
                    VISIT.c.id,
                    VISIT.c.status,
                    VISIT.c.starts_at,
                    VISIT.c.ends_at,
                    VISIT.c.site_id,
                    VISIT.c.client_id,
                    VISIT.c.activity_type_id,
                    VISIT.c.technician_id,
                    VISIT.c.notes,
                    ACTIVITY.c.reschedule_allowed_statuses.label("allowed_statuses"),
                    ACTIVITY.c.reschedule_min_lead_hours.label("min_lead_hours"),
                ).join(ACTIVITY, ACTIVITY.c.id == VISIT.c.activity_type_id),
                m.Intervention,
                scope,
            )
            .where(VISIT.c.id == appointment_id)
            .with_for_update(of=VISIT)
        )
    ).first()
    return AppointmentState(**row._mapping) if row else None


async def set_appointment_status(
    db: AsyncConnection, appointment_id: uuid.UUID, status: m.InterventionStatus
) -> None:
    await db.execute(VISIT.update().where(VISIT.c.id == appointment_id).values(status=status.value))


async def sign_work_sheet(
    db: AsyncConnection,
    scope: RowScope,
    work_sheet_id: uuid.UUID,
    signed_by: str,
    now: dt.datetime,
) -> str | None:
    """DRAFT -> SIGNED; returns the previous status (None when there is no such sheet)."""
    current = await db.scalar(
        restrict(sa.select(SHEET.c.status), m.WorkSheet, scope)
        .where(SHEET.c.id == work_sheet_id)
        .with_for_update()
    )
    if current is None:
        return None
    if current == m.WorkSheetStatus.DRAFT.value:
        await db.execute(
            SHEET.update()
            .where(SHEET.c.id == work_sheet_id)
            .values(status=m.WorkSheetStatus.SIGNED.value, signed_by=signed_by, signed_at=now)
        )
    return str(current)
