"""Timesheet entries (timbrature): when a technician clocked in and out at a site."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import strawberry

from authz.policy import SHARED
from authz.rules import STAFF_ONLY
from db import models as m
from db.queries import timesheets as queries
from schema.appointments import Appointment, appointment_of
from schema.clients import Client, Site, client_of, site_of
from schema.kit import ids
from schema.kit.permissions import readable
from schema.kit.relay import Node
from schema.staff import Technician

ClockSource = m.ClockSource
strawberry.enum(ClockSource, description="How the clock-in was recorded.")


@strawberry.type(description="A technician's clock-in at a site and, once left, clock-out.")
class TimesheetEntry(Node):
    by_id = queries.entries_by_id
    clock_in: dt.datetime = readable(SHARED)
    clock_out: dt.datetime | None = readable(SHARED)
    duration_minutes: int | None = readable(
        SHARED,
        description="Whole minutes between clock-in and clock-out; null while still on site.",
    )
    source: ClockSource = readable(SHARED)
    technician: Technician | None = readable(SHARED)
    lat: Decimal | None = readable(STAFF_ONLY, description="Where the clock-in was recorded.")
    lng: Decimal | None = readable(STAFF_ONLY)
    internal_notes: str = readable(STAFF_ONLY)
    site_row_id: strawberry.Private[uuid.UUID]
    client_row_id: strawberry.Private[uuid.UUID]
    appointment_row_id: strawberry.Private[uuid.UUID | None]
    site: Site | None = site_of("Where the technician clocked in.", rule=SHARED)
    client: Client | None = client_of("The client of the site.", rule=SHARED)
    appointment: Appointment | None = appointment_of(
        "The visit the time was spent on, if recorded.", rule=SHARED
    )

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


@strawberry.input(description="Where a technician clocks in, in decimal degrees.")
class PositionInput:
    lat: float = strawberry.field(description="-90 to 90.")
    lng: float = strawberry.field(description="-180 to 180.")
