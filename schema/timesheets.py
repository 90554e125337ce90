"""Timesheet entries (timbrature): when a technician clocked in and out at a site."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from operator import attrgetter
from typing import Any

import strawberry
from strawberry import Info

from db.queries import appointments as appointment_queries
from db.queries import clients as client_queries
from db.queries import timesheets as queries
from schema.appointments import Appointment
from schema.clients import Client, Site
from schema.kit import ids
from schema.kit.batched import Related
from schema.kit.context import Context
from schema.kit.nested import nested
from schema.kit.periods import check_period
from schema.kit.relay import Connection, Node
from schema.staff import Technician

ContextInfo = Info[Context, None]


@strawberry.enum(description="How the clock-in was recorded.")
class ClockSource(enum.Enum):
    APP = "APP"
    NFC = "NFC"
    QR = "QR"
    MANUAL = "MANUAL"


_TIMESHEETENTRY_SITE = Related(client_queries.sites_by_id, attrgetter("site_row_id"), Site.from_row)
_TIMESHEETENTRY_CLIENT = Related(
    client_queries.clients_by_id, attrgetter("client_row_id"), Client.from_row
)
_TIMESHEETENTRY_APPOINTMENT = Related(
    appointment_queries.appointments_by_id, attrgetter("appointment_row_id"), Appointment.from_row
)


@strawberry.type(description="A technician's clock-in at a site and, once left, clock-out.")
class TimesheetEntry(Node):
    clock_in: dt.datetime
    clock_out: dt.datetime | None
    duration_minutes: int | None = strawberry.field(
        description="Whole minutes between clock-in and clock-out; null while still on site."
    )
    source: ClockSource
    technician: Technician | None
    lat: Decimal | None = strawberry.field(description="Where the clock-in was recorded.")
    lng: Decimal | None
    internal_notes: str
    site_row_id: strawberry.Private[uuid.UUID]
    client_row_id: strawberry.Private[uuid.UUID]
    appointment_row_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: Any) -> TimesheetEntry:
        """From a row of db.queries.timesheets.entries_statement."""
        duration = None
        if row.clock_out is not None:
            duration = int((row.clock_out - row.clock_in).total_seconds() // 60)
        return cls(
            id=ids.encode("TimesheetEntry", row.id),
            site_row_id=row.site_id,
            client_row_id=row.client_id,
            appointment_row_id=row.intervention_id,
            clock_in=row.clock_in,
            clock_out=row.clock_out,
            duration_minutes=duration,
            source=ClockSource(row.source),
            technician=Technician.from_row(row),
            lat=row.lat,
            lng=row.lng,
            internal_notes=row.internal_notes,
        )

    @strawberry.field(
        description="Where the technician clocked in.", metadata=_TIMESHEETENTRY_SITE.batch
    )
    async def site(self, info: ContextInfo) -> Site | None:
        return await _TIMESHEETENTRY_SITE.one(info, self)

    @strawberry.field(description="The client of the site.", metadata=_TIMESHEETENTRY_CLIENT.batch)
    async def client(self, info: ContextInfo) -> Client | None:
        return await _TIMESHEETENTRY_CLIENT.one(info, self)

    @strawberry.field(
        description="The visit the time was spent on, if recorded.",
        metadata=_TIMESHEETENTRY_APPOINTMENT.batch,
    )
    async def appointment(self, info: ContextInfo) -> Appointment | None:
        return await _TIMESHEETENTRY_APPOINTMENT.one(info, self)


async def entries_of_site(
    info: ContextInfo,
    site_id: uuid.UUID,
    first: int | None,
    after: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> Connection[TimesheetEntry]:
    """One site's entries clocked in during [since, until), batched over every site asking for
    the same period."""
    check_period(since, until)
    where = queries.TimesheetFilter(since=since, until=until)
    lists = (queries.EntriesOfSites(where), queries.EntryCountsOfSites(where))
    return await nested(info, lists, site_id, TimesheetEntry.from_row, first, after)


@strawberry.input(description="Where a technician clocks in, in decimal degrees.")
class PositionInput:
    lat: float = strawberry.field(description="-90 to 90.")
    lng: float = strawberry.field(description="-180 to 180.")
