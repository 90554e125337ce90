"""Staff users as staff see them, and technicians as everyone else sees them."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from operator import attrgetter
from typing import Any

import strawberry
from strawberry import Info

from db.queries import activity_types as activity_queries
from db.queries import staff as queries
from schema.activity_types import ActivityType
from schema.kit import ids
from schema.kit.batched import Related
from schema.kit.context import Context
from schema.kit.nested import nested
from schema.kit.periods import Since, Until, check_period
from schema.kit.relay import Connection, Node

ContextInfo = Info[Context, None]


@strawberry.enum(description="What a staff user does in the organization.")
class StaffRole(enum.Enum):
    ADMIN = "ADMIN"
    OFFICE = "OFFICE"
    TECHNICIAN = "TECHNICIAN"


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


@strawberry.type(description="A member of the service company's staff.")
class StaffUser(Node):
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

    @strawberry.field(description="The activity types the technician can perform, by name.")
    async def skills(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[ActivityType]:
        lists = (
            activity_queries.skills_of_technicians,
            activity_queries.skill_counts_of_technicians,
        )
        return await nested(info, lists, self.row_id, ActivityType.from_row, first, after)

    @strawberry.field(description="The technician's weekly working spans, Monday first.")
    async def working_hours(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[WorkingHours]:
        lists = (queries.working_hours_of_technicians, queries.working_hours_counts_of_technicians)
        return await nested(info, lists, self.row_id, WorkingHours.from_row, first, after)

    @strawberry.field(description="Absences overlapping the period (either end may be open).")
    async def absences(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        since: Since = None,
        until: Until = None,
    ) -> Connection[Absence]:
        check_period(since, until)
        lists = (
            queries.AbsencesOfTechnicians(since, until),
            queries.AbsenceCountsOfTechnicians(since, until),
        )
        return await nested(info, lists, self.row_id, Absence.from_row, first, after)


_TECHNICIAN_STAFF_USER = Related(
    queries.staff_users_by_id, attrgetter("row_id"), StaffUser.from_row
)


@strawberry.type(description="The technician of a visit: clients see a first name and initial.")
class Technician:
    display_name: str = strawberry.field(description="First name and last initial: Giulia R.")
    row_id: strawberry.Private[uuid.UUID]

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

    @strawberry.field(
        description="The staff user behind the name, with every detail.",
        metadata=_TECHNICIAN_STAFF_USER.batch,
    )
    async def staff_user(self, info: ContextInfo) -> StaffUser | None:
        return await _TECHNICIAN_STAFF_USER.one(info, self)
