"""Work sheets (fogli di intervento): what was done at a visit, signed by the client."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry

from authz.policy import OWN, SHARED
from authz.rules import STAFF_ONLY
from db import models as m
from db.queries import worksheets as queries
from schema.appointments import Appointment, appointment_of
from schema.clients import Client, Site, client_of, site_of
from schema.documents import Document, documents_of
from schema.kit import ids
from schema.kit.permissions import readable
from schema.kit.relay import Connection, Node

WorkSheetStatus = m.WorkSheetStatus
strawberry.enum(
    WorkSheetStatus, description="DRAFT until the client signs it; contacts see only SIGNED ones."
)


@strawberry.type(description="The record of the work done at a visit (foglio di intervento).")
class WorkSheet(Node):
    by_id = queries.work_sheets_by_id
    number: str = readable(SHARED)
    date: dt.date = readable(SHARED)
    description: str = readable(SHARED)
    materials: str = readable(SHARED)
    status: WorkSheetStatus = readable(SHARED)
    signed_by: str | None = readable(OWN, description="Who signed it for the client.")
    signed_at: dt.datetime | None = readable(SHARED)
    internal_notes: str = readable(STAFF_ONLY)
    row_id: strawberry.Private[uuid.UUID]
    site_row_id: strawberry.Private[uuid.UUID]
    client_row_id: strawberry.Private[uuid.UUID]
    appointment_row_id: strawberry.Private[uuid.UUID]
    documents: Connection[Document] = documents_of(
        "work_sheet_id", "Its documents the caller may see (certificates, PDFs).", rule=OWN
    )
    appointment: Appointment | None = appointment_of(
        "The visit the work sheet records.", rule=SHARED
    )
    site: Site | None = site_of("Where the work was done.", rule=SHARED)
    client: Client | None = client_of("The client the work was done for.", rule=SHARED)

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
