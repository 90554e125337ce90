"""Staff users as staff see them, and technicians as everyone else sees them."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import strawberry

from authz.policy import SHARED
from authz.rules import STAFF_ONLY
from db import models as m
from db.queries import activity_types as activity_queries
from db.queries import staff as queries
from schema.activity_types import ActivityType
from schema.kit import ids
from schema.kit.batched import Lists, children, children_in_period, related
from schema.kit.permissions import readable
from schema.kit.relay import Connection, Node

StaffRole = m.StaffRole
strawberry.enum(StaffRole, description="What a staff user does in the organization.")


@strawberry.type(description="One working span of a technician's week.")
class WorkingHours:
    weekday: int = strawberry.field(description="Monday is 0, Sunday 6.")
    starts_at: dt.time
    ends_at: dt.time

    @classmethod
    def from_row(cls, row: Any) -> WorkingHours:
        return cls(weekday=row.weekday, starts_at=row.starts_at, ends_at=row.ends_at)


@strawberry.type(description="A period in which a technician cannot be planned.")
class Absence:
    id: strawberry.ID = strawberry.field(description="What removeAbsence takes.")
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str

    @classmethod
    def from_row(cls, row: Any) -> Absence:
        return cls(
            id=ids.encode("Absence", row.id),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            reason=row.reason,
        )


def _absences_in(since: dt.datetime | None, until: dt.datetime | None) -> Lists:
    where = queries.AbsenceFilter(since, until)
    return queries.AbsencesOfTechnicians(where), queries.AbsenceCountsOfTechnicians(where)


@strawberry.type(description="A member of the service company's staff.")
class StaffUser(Node):
    # Staff only, like every field here: the table decides none, so not Node's id either.
    id: strawberry.ID
    by_id = queries.staff_users_by_id
    first_name: str
    last_name: str
    email: str
    phone: str | None
    role: StaffRole
    active: bool
    locale: str | None = strawberry.field(description="it, es or en; null: the organization's.")
    home_lat: Decimal | None = strawberry.field(description="Where a technician's day starts.")
    home_lng: Decimal | None
    weekly_hours: Decimal | None
    row_id: strawberry.Private[uuid.UUID]
    skills: Connection[ActivityType] = children(
        (activity_queries.skills_of_technicians, activity_queries.skill_counts_of_technicians),
        ActivityType.from_row,
        "The activity types the technician can perform, by name.",
    )
    working_hours: Connection[WorkingHours] = children(
        (queries.working_hours_of_technicians, queries.working_hours_counts_of_technicians),
        WorkingHours.from_row,
        "The technician's weekly working spans, Monday first.",
    )
    absences: Connection[Absence] = children_in_period(
        _absences_in,
        Absence.from_row,
        "Absences overlapping the period (either end may be open).",
    )

    @classmethod
    def from_row(cls, row: Any) -> StaffUser:
        return cls(
            id=ids.encode("StaffUser", row.id),
            row_id=row.id,
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            phone=row.phone,
            role=StaffRole(row.role),
            active=row.active,
            locale=row.locale,
            home_lat=row.home_lat,
            home_lng=row.home_lng,
            weekly_hours=row.weekly_hours,
        )


@strawberry.type(description="The technician of a visit: clients see a first name and initial.")
class Technician:
    display_name: str = readable(SHARED, description="First name and last initial: Giulia R.")
    row_id: strawberry.Private[uuid.UUID]
    staff_user: StaffUser | None = related(
        queries.staff_users_by_id,
        "row_id",
        StaffUser.from_row,
        "The staff user behind the name, with every detail.",
        rule=STAFF_ONLY,
    )

    @classmethod
    def from_row(cls, row: Any) -> Technician | None:
        """The technician named on a row joined by db.queries.staff.with_technician_name."""
        if row.technician_id is None or row.technician_first_name is None:
            return None
        first, initial = row.technician_first_name, row.technician_initial
        return cls(
            display_name=f"{first} {initial.upper()}." if initial else first,
            row_id=row.technician_id,
        )
