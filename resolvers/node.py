"""``node(id:)``: any record by its global id, within the caller's view and row scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry import Info

from db.queries import (
    activity_types,
    appointments,
    billing,
    clients,
    contracts,
    documents,
    equipment,
    revisions,
    staff,
    tickets,
    timesheets,
    worksheets,
)
from db.scoped.loaders import ById
from schema.activity_types import ActivityType
from schema.appointments import Appointment
from schema.billing import Invoice, Quote
from schema.clients import Client, Site
from schema.contracts import Contract
from schema.documents import Document
from schema.equipment import Equipment
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.relay import Node
from schema.revisions import Revision
from schema.staff import StaffUser
from schema.tickets import Department, Ticket
from schema.timesheets import TimesheetEntry
from schema.worksheets import WorkSheet

ContextInfo = Info[Context, None]

# Global id type name -> how to load the row and build the object.
NODES: dict[str, tuple[ById, Callable[[Any], Node]]] = {
    "Client": (clients.clients_by_id, Client.from_row),
    "Site": (clients.sites_by_id, Site.from_row),
    "Contract": (contracts.contracts_by_id, Contract.from_row),
    "Quote": (billing.quotes_by_id, Quote.from_row),
    "Invoice": (billing.invoices_by_id, Invoice.from_row),
    "Ticket": (tickets.tickets_by_id, Ticket.from_row),
    "Department": (tickets.departments_by_id, Department.from_row),
    "Equipment": (equipment.equipment_by_id, Equipment.from_row),
    "Revision": (revisions.revisions_by_id, Revision.from_row),
    "Document": (documents.documents_by_id, Document.from_row),
    "Appointment": (appointments.appointments_by_id, Appointment.from_row),
    "WorkSheet": (worksheets.work_sheets_by_id, WorkSheet.from_row),
    "TimesheetEntry": (timesheets.entries_by_id, TimesheetEntry.from_row),
    "StaffUser": (staff.staff_users_by_id, StaffUser.from_row),
    "ActivityType": (activity_types.activity_types_by_id, ActivityType.from_row),
}


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any record by its id; null when missing or not visible.")
    async def node(self, info: ContextInfo, id: strawberry.ID) -> Node | None:
        parsed = ids.parse(id)
        if parsed is None:
            return None
        type_name, row_id = parsed
        known = NODES.get(type_name)
        # A type left out of the caller's view is a type that does not exist for it.
        if known is None or info.schema.get_type_by_name(type_name) is None:
            return None
        fetch, build = known
        row = await info.context.rows.by_id(fetch).load(row_id)
        return build(row) if row is not None else None
