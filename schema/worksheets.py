"""Work sheets (fogli di intervento): what was done at a visit, signed by the client."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from operator import attrgetter
from typing import Any

import strawberry
from strawberry import Info

from db.queries import appointments as appointment_queries
from db.queries import clients as client_queries
from db.queries import worksheets as queries
from schema.appointments import Appointment
from schema.clients import Client, Site
from schema.documents import Document, documents_of
from schema.kit import ids
from schema.kit.batched import Related
from schema.kit.context import Context
from schema.kit.nested import nested
from schema.kit.relay import Connection, Node

ContextInfo = Info[Context, None]

_DOCUMENTS = documents_of("work_sheet_id")


_WORKSHEET_APPOINTMENT = Related(
    appointment_queries.appointments_by_id, attrgetter("appointment_row_id"), Appointment.from_row
)
_WORKSHEET_SITE = Related(client_queries.sites_by_id, attrgetter("site_row_id"), Site.from_row)
_WORKSHEET_CLIENT = Related(
    client_queries.clients_by_id, attrgetter("client_row_id"), Client.from_row
)


@strawberry.enum(description="DRAFT until the client signs it; contacts see only SIGNED ones.")
class WorkSheetStatus(enum.Enum):
    DRAFT = "DRAFT"
    SIGNED = "SIGNED"


@strawberry.type(description="The record of the work done at a visit (foglio di intervento).")
class WorkSheet(Node):
    number: str
    date: dt.date
    description: str
    materials: str
    status: WorkSheetStatus
    signed_by: str | None = strawberry.field(description="Who signed it for the client.")
    signed_at: dt.datetime | None
    internal_notes: str
    row_id: strawberry.Private[uuid.UUID]
    site_row_id: strawberry.Private[uuid.UUID]
    client_row_id: strawberry.Private[uuid.UUID]
    appointment_row_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: Any) -> WorkSheet:
        return cls(
            id=ids.encode("WorkSheet", row.id),
            row_id=row.id,
            site_row_id=row.site_id,
            client_row_id=row.client_id,
            appointment_row_id=row.intervention_id,
            number=row.number,
            date=row.work_date,
            description=row.description,
            materials=row.materials,
            status=WorkSheetStatus(row.status),
            signed_by=row.signed_by,
            signed_at=row.signed_at,
            internal_notes=row.internal_notes,
        )

    @strawberry.field(
        description="Its documents the caller may see (certificates, PDFs).",
        metadata=_DOCUMENTS.batch,
    )
    async def documents(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Document]:
        return await _DOCUMENTS.one(info, self, first, after)

    @strawberry.field(
        description="The visit the work sheet records.", metadata=_WORKSHEET_APPOINTMENT.batch
    )
    async def appointment(self, info: ContextInfo) -> Appointment | None:
        return await _WORKSHEET_APPOINTMENT.one(info, self)

    @strawberry.field(description="Where the work was done.", metadata=_WORKSHEET_SITE.batch)
    async def site(self, info: ContextInfo) -> Site | None:
        return await _WORKSHEET_SITE.one(info, self)

    @strawberry.field(
        description="The client the work was done for.", metadata=_WORKSHEET_CLIENT.batch
    )
    async def client(self, info: ContextInfo) -> Client | None:
        return await _WORKSHEET_CLIENT.one(info, self)


async def work_sheets_of_appointment(
    info: ContextInfo, appointment_id: uuid.UUID, first: int | None, after: str | None
) -> Connection[WorkSheet]:
    """One appointment's work sheets, batched over every appointment asking."""
    lists = (queries.work_sheets_of_appointments, queries.work_sheet_counts_of_appointments)
    return await nested(info, lists, appointment_id, WorkSheet.from_row, first, after)


async def work_sheets_of_site(
    info: ContextInfo, site_id: uuid.UUID, first: int | None, after: str | None
) -> Connection[WorkSheet]:
    """One site's work sheets, newest first, batched over every site asking."""
    lists = (queries.work_sheets_of_sites, queries.work_sheet_counts_of_sites)
    return await nested(info, lists, site_id, WorkSheet.from_row, first, after)


@strawberry.input(description="A new DRAFT work sheet for an appointment (intervention).")
class CreateWorkSheetInput:
    appointment_id: strawberry.ID = strawberry.field(
        description="The visit it records; a technician may name only their own."
    )
    date: dt.date = strawberry.field(description="The day the work was done.")
    description: str = strawberry.field(default="", description="At most 10000 characters.")
    materials: str = strawberry.field(default="", description="At most 5000 characters.")
    internal_notes: str = strawberry.field(
        default="", description="Staff only; at most 5000 characters."
    )


@strawberry.input(
    description="Changes to a DRAFT work sheet; a field left out stays as it is. A SIGNED "
    "work sheet cannot be changed."
)
class UpdateWorkSheetInput:
    date: dt.date | None = None
    description: str | None = strawberry.field(
        default=None, description="At most 10000 characters."
    )
    materials: str | None = strawberry.field(default=None, description="At most 5000 characters.")
    internal_notes: str | None = strawberry.field(
        default=None, description="Staff only; at most 5000 characters."
    )
