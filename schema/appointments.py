"""Appointments: a technician's visit to a site for one activity type."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from operator import attrgetter
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import Info

from db.queries import activity_types as activity_queries
from db.queries import appointments as queries
from db.queries import clients as client_queries
from schema.activity_types import ActivityType, AppointmentStatus, Filling
from schema.clients import Client, Site
from schema.kit import ids
from schema.kit.batched import Related
from schema.kit.context import Context
from schema.kit.nested import nested
from schema.kit.periods import check_period
from schema.kit.relay import Connection, Node
from schema.staff import Technician

if TYPE_CHECKING:
    from schema.worksheets import WorkSheet

ContextInfo = Info[Context, None]


_APPOINTMENT_SITE = Related(client_queries.sites_by_id, attrgetter("site_row_id"), Site.from_row)
_APPOINTMENT_CLIENT = Related(
    client_queries.clients_by_id, attrgetter("client_row_id"), Client.from_row
)
_APPOINTMENT_RESCHEDULES = Related(
    queries.appointments_by_id,
    attrgetter("reschedules_row_id"),
    lambda row: Appointment.from_row(row),
)
_APPOINTMENT_RESCHEDULED_BY = Related(
    queries.appointments_rescheduling, attrgetter("row_id"), lambda row: Appointment.from_row(row)
)


@strawberry.enum(description="How an appointment came about.")
class AppointmentOrigin(enum.Enum):
    STAFF = "STAFF"
    PORTAL = "PORTAL"
    TICKET = "TICKET"
    CONTRACT = "CONTRACT"


@strawberry.type(description="A visit of a technician to a site (intervento).")
class Appointment(Node):
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: AppointmentStatus
    origin: AppointmentOrigin
    notes: str = strawberry.field(description="Office notes on the visit.")
    ticket_id: strawberry.ID | None = strawberry.field(
        description="The ticket the appointment answers."
    )
    technician: Technician | None = strawberry.field(
        description="Who does the visit; null while nobody is assigned."
    )
    row_id: strawberry.Private[uuid.UUID]
    site_row_id: strawberry.Private[uuid.UUID]
    client_row_id: strawberry.Private[uuid.UUID]
    activity_type_row_id: strawberry.Private[uuid.UUID]
    reschedules_row_id: strawberry.Private[uuid.UUID | None]
    filling: strawberry.Private[Filling]

    @classmethod
    def from_row(cls, row: Any) -> Appointment:
        """From a row of db.queries.appointments.appointments_statement."""
        return cls(
            id=ids.encode("Appointment", row.id),
            row_id=row.id,
            site_row_id=row.site_id,
            client_row_id=row.client_id,
            activity_type_row_id=row.activity_type_id,
            reschedules_row_id=row.reschedules_id,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            status=AppointmentStatus(row.status),
            origin=AppointmentOrigin(row.origin),
            notes=row.notes,
            ticket_id=ids.encode("Ticket", row.ticket_id) if row.ticket_id else None,
            technician=Technician.from_row(row),
            filling=Filling(row.site_id, row.starts_on, row.technician_first_name),
        )

    @strawberry.field(description="Where the visit happens.", metadata=_APPOINTMENT_SITE.batch)
    async def site(self, info: ContextInfo) -> Site | None:
        return await _APPOINTMENT_SITE.one(info, self)

    @strawberry.field(description="The client visited.", metadata=_APPOINTMENT_CLIENT.batch)
    async def client(self, info: ContextInfo) -> Client | None:
        return await _APPOINTMENT_CLIENT.one(info, self)

    @strawberry.field(description="The kind of work, its portal texts filled in for this visit.")
    async def activity_type(self, info: ContextInfo) -> ActivityType | None:
        loader = info.context.rows.by_id(activity_queries.activity_types_by_id)
        row = await loader.load(self.activity_type_row_id)
        return ActivityType.from_row(row, self.filling) if row is not None else None

    @strawberry.field(
        description="The (cancelled) appointment this one replaces.",
        metadata=_APPOINTMENT_RESCHEDULES.batch,
    )
    async def reschedules(self, info: ContextInfo) -> Appointment | None:
        return await _APPOINTMENT_RESCHEDULES.one(info, self)

    @strawberry.field(
        description="The appointment that replaces this one, once rescheduled.",
        metadata=_APPOINTMENT_RESCHEDULED_BY.batch,
    )
    async def rescheduled_by(self, info: ContextInfo) -> Appointment | None:
        return await _APPOINTMENT_RESCHEDULED_BY.one(info, self)

    @strawberry.field(description="The work sheets written at this visit, newest first.")
    async def work_sheets(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated[WorkSheet, strawberry.lazy("schema.worksheets")]]:
        from schema.worksheets import work_sheets_of_appointment  # they link back to here

        return await work_sheets_of_appointment(info, self.row_id, first, after)


async def appointments_of_site(
    info: ContextInfo,
    site_id: uuid.UUID,
    first: int | None,
    after: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> Connection[Appointment]:
    """One site's appointments starting in [since, until), by start time, batched over every
    site asking for the same period."""
    check_period(since, until)
    where = queries.AppointmentFilter(since=since, until=until)
    lists = (queries.AppointmentsOfSites(where), queries.AppointmentCountsOfSites(where))
    return await nested(info, lists, site_id, Appointment.from_row, first, after)
