"""Appointments: a technician's visit to a site for one activity type."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from authz.policy import SHARED
from authz.rules import STAFF_ONLY, Rule
from db import models as m
from db.queries import activity_types as activity_queries
from db.queries import appointments as queries
from db.queries import worksheets as worksheet_queries
from schema.activity_types import ActivityType, AppointmentStatus, Filling
from schema.clients import Client, Site, client_of, site_of
from schema.kit import ids
from schema.kit.batched import children, lazy_from_row, related, related_value
from schema.kit.permissions import readable
from schema.kit.relay import Connection, Node
from schema.staff import Technician

if TYPE_CHECKING:
    from schema.worksheets import WorkSheet

LazyWorkSheet = Annotated["WorkSheet", strawberry.lazy("schema.worksheets")]  # it links back


AppointmentOrigin = m.InterventionOrigin
strawberry.enum(
    AppointmentOrigin, name="AppointmentOrigin", description="How an appointment came about."
)


@strawberry.type(description="A visit of a technician to a site (intervento).")
class Appointment(Node):
    by_id = queries.appointments_by_id
    starts_at: dt.datetime = readable(SHARED)
    ends_at: dt.datetime = readable(SHARED)
    status: AppointmentStatus = readable(SHARED)
    origin: AppointmentOrigin = readable(SHARED)
    notes: str = readable(STAFF_ONLY, description="Office notes on the visit.")
    ticket_id: strawberry.ID | None = readable(
        SHARED, description="The ticket the appointment answers."
    )
    technician: Technician | None = readable(
        SHARED, description="Who does the visit; null while nobody is assigned."
    )
    row_id: strawberry.Private[uuid.UUID]
    site_row_id: strawberry.Private[uuid.UUID]
    client_row_id: strawberry.Private[uuid.UUID]
    activity_type_row_id: strawberry.Private[uuid.UUID]
    reschedules_row_id: strawberry.Private[uuid.UUID | None]
    filling: strawberry.Private[Filling]
    site: Site | None = site_of("Where the visit happens.", rule=SHARED)
    client: Client | None = client_of("The client visited.", rule=SHARED)
    activity_type: ActivityType | None = related_value(
        activity_queries.activity_types_by_id,
        "activity_type_row_id",
        lambda row, appointment: (
            None if row is None else ActivityType.from_row(row, appointment.filling)
        ),
        "The kind of work, its portal texts filled in for this visit.",
        rule=SHARED,
    )
    reschedules: Appointment | None = related(
        queries.appointments_by_id,
        "reschedules_row_id",
        lambda row: Appointment.from_row(row),
        "The (cancelled) appointment this one replaces.",
        rule=SHARED,
    )
    rescheduled_by: Appointment | None = related(
        queries.appointments_rescheduling,
        "row_id",
        lambda row: Appointment.from_row(row),
        "The appointment that replaces this one, once rescheduled.",
        rule=SHARED,
    )
    work_sheets: Connection[LazyWorkSheet] = children(
        (
            worksheet_queries.work_sheets_of_appointments,
            worksheet_queries.work_sheet_counts_of_appointments,
        ),
        lazy_from_row(LazyWorkSheet),
        "The work sheets written at this visit, newest first.",
        rule=SHARED,
    )

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


def appointment_of(description: str, rule: Rule) -> Appointment | None:
    """The field of the visit a record belongs to (its ``appointment_row_id``; None: none)."""
    return related(
        queries.appointments_by_id,
        "appointment_row_id",
        Appointment.from_row,
        description,
        rule=rule,
    )
