"""The lists of the API as CSV (db/queries/<domain>.py): the parameters are each list's
arguments (query parameters named like them), the columns its fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

import sportello.exports.arguments as arg
import sportello.exports.columns as col
from authz.scope import RowScope
from db.pagination import Ordering
from db.queries import (
    appointments,
    billing,
    clients,
    contracts,
    documents,
    equipment,
    revisions,
    tickets,
    timesheets,
    worksheets,
)
from schema.billing import InvoiceStatus, QuoteStatus
from schema.documents import DocumentKind
from schema.tickets import TicketStatus, TicketUrgency
from sportello.exports.base import Column, Export, column, global_id, text


def list_export(
    name: str,
    build: Callable[[RowScope, Mapping[str, str]], Any],
    ordering: Ordering,
    columns: tuple[Column, ...],
    *parameters: str,
    table: sa.Table | None = None,
) -> Export:
    """A list filtered by site and client; rows of ``table`` also get their client's and
    site's names (col.places_of prints them beside the ids)."""
    named = build if table is None else _named(build, table)
    return Export(name, frozenset({"siteId", "clientId", *parameters}), named, ordering, columns)


def bill_export(
    name: str,
    statement: Callable[[RowScope, billing.BillFilter], Any],
    statuses: Any,
    ordering: Ordering,
    columns: tuple[Column, ...],
    table: sa.Table,
) -> Export:
    """A list of quotes or invoices, filtered by issue day (``from``/``to``) and ``status``."""

    def build(scope: RowScope, p: Mapping[str, str]) -> Any:
        return statement(scope, arg.bill_filter(p, statuses))

    return list_export(name, build, ordering, columns, "from", "to", "status", table=table)


def _named(
    build: Callable[[RowScope, Mapping[str, str]], Any], table: sa.Table
) -> Callable[[RowScope, Mapping[str, str]], Any]:
    return lambda scope, params: clients.with_names(build(scope, params), table)


LISTS: dict[str, Export] = {
    "clients": Export(
        query_field="clients",
        parameters=frozenset({"search"}),
        build=lambda scope, p: clients.clients_statement(scope, text(p, "search")),
        ordering=clients.CLIENT_ORDER,
        columns=(
            col.id_column("Client"),
            column("code", "Client", "code"),
            column("name", "Client", "name"),
            column("tax_id", "Client", "taxId"),
            column("email", "Client", "email"),
            column("phone", "Client", "phone"),
        ),
    ),
    "sites": Export(
        query_field="sites",
        parameters=frozenset({"search", "clientId"}),
        build=lambda scope, p: clients.sites_with_client_statement(
            scope, text(p, "search"), global_id(p, "clientId", "Client")
        ),
        ordering=clients.SITE_ORDER,
        columns=(
            col.id_column("Site"),
            *col.mirrored("Site", "name", "address", "postalCode", "city", "province", "country"),
            *col.mirrored("Site", "lat", "lng"),
            *col.places_of("Site", "client"),
        ),
    ),
}


_APPOINTMENT = "Appointment"
_SHEET = "WorkSheet"
_ENTRY = "TimesheetEntry"

LISTS.update(
    {
        "contracts": list_export(
            "contracts",
            lambda scope, p: contracts.contracts_statement(
                scope,
                contracts.ContractFilter(
                    site_id=arg.site(p),
                    client_id=arg.client(p),
                    expiring_before=arg.date(p, "expiringBefore"),
                ),
            ),
            contracts.CONTRACT_ORDER,
            (
                col.id_column("Contract"),
                *col.mirrored("Contract", "number", "kind", "description", "startsOn", "expiresOn"),
                *col.mirrored("Contract", "daysToExpiry"),
                *col.places_of("Contract", "client", "site"),
            ),
            "expiringBefore",
            table=contracts.CONTRACT,
        ),
        "quotes": bill_export(
            "quotes",
            billing.quotes_statement,
            QuoteStatus,
            billing.QUOTE_ORDER,
            col.bill("Quote", "number", "title", "issuedOn", "validUntil"),
            billing.QUOTE,
        ),
        "invoices": bill_export(
            "invoices",
            billing.invoices_statement,
            InvoiceStatus,
            billing.INVOICE_ORDER,
            col.bill("Invoice", "number", "issuedOn", "dueOn", "paidOn"),
            billing.INVOICE,
        ),
        "tickets": list_export(
            "tickets",
            lambda scope, p: tickets.listed_tickets(
                scope,
                tickets.TicketFilter(
                    site_id=arg.site(p),
                    client_id=arg.client(p),
                    statuses=arg.choices_of(p, "status", TicketStatus),
                    urgencies=arg.choices_of(p, "urgency", TicketUrgency),
                ),
            ),
            tickets.TICKET_ORDER,
            (
                col.id_column("Ticket"),
                *col.mirrored(
                    "Ticket", "number", "urgency", "status", "openedAt", "referencePerson"
                ),
                *col.mirrored("Ticket", "phone", "notes"),
                Column("opened_by", "TicketAuthor", "displayName", col.author(full=False)),
                Column("opened_by_full_name", "TicketAuthor", "fullName", col.author(full=True)),
                Column(
                    "equipment_id", "Ticket", "equipmentId", col.link("Equipment", "equipment_id")
                ),
                *col.places_of("Ticket", "client", "site"),
            ),
            "status",
            "urgency",
            table=tickets.TICKET,
        ),
        "appointments": list_export(
            "appointments",
            arg.appointments_of,
            appointments.APPOINTMENT_ORDER,
            (
                col.id_column(_APPOINTMENT),
                *col.mirrored(_APPOINTMENT, "startsAt", "endsAt", "status", "origin", "notes"),
                *col.technician(),
                Column("ticket_id", _APPOINTMENT, "ticketId", col.link("Ticket", "ticket_id")),
                Column(
                    "activity_type_id",
                    _APPOINTMENT,
                    "activityType",
                    col.link("ActivityType", "activity_type_id"),
                ),
                *col.places_of(_APPOINTMENT, "client", "site"),
            ),
            "from",
            "to",
            "status",
            table=appointments.INTERVENTION,
        ),
        "workSheets": list_export(
            "workSheets",
            arg.work_sheets_of,
            worksheets.WORK_SHEET_ORDER,
            (
                col.id_column(_SHEET),
                *col.mirrored(_SHEET, "number", "date", date=col.attribute("work_date")),
                *col.mirrored(_SHEET, "description", "materials", "status", "signedBy", "signedAt"),
                *col.mirrored(_SHEET, "internalNotes"),
                *col.places_of(_SHEET, "appointment", "client", "site"),
            ),
            "from",
            "to",
            "status",
            table=worksheets.WORK_SHEET,
        ),
        "timesheetEntries": list_export(
            "timesheetEntries",
            arg.entries_of,
            timesheets.ENTRY_ORDER,
            (
                col.id_column(_ENTRY),
                *col.mirrored(
                    _ENTRY, "clockIn", "clockOut", "durationMinutes", durationMinutes=col.minutes
                ),
                *col.mirrored(_ENTRY, "source"),
                *col.technician(),
                *col.mirrored(_ENTRY, "lat", "lng", "internalNotes"),
                *col.places_of(_ENTRY, "appointment", "client", "site"),
            ),
            "from",
            "to",
            table=timesheets.ENTRY,
        ),
        "equipment": list_export(
            "equipment",
            lambda scope, p: equipment.equipment_statement(
                scope,
                site_id=arg.site(p),
                client_id=arg.client(p),
                kind=text(p, "kind"),
                search=text(p, "search"),
            ),
            equipment.EQUIPMENT_ORDER,
            (
                col.id_column("Equipment"),
                *col.mirrored(
                    "Equipment", "kind", "model", "serialNumber", "location", "installedOn"
                ),
                *col.places_of("Equipment", "site"),
            ),
            "kind",
            "search",
            table=equipment.EQUIPMENT,
        ),
        "revisions": list_export(
            "revisions",
            arg.revisions_of,
            revisions.REVISION_ORDER,
            (
                col.id_column("Revision"),
                *col.mirrored(
                    "Revision", "dueMonth", "plannedDate", "performedAt", "result", "notes"
                ),
                Column(
                    "contract_id", "Revision", "contractId", col.link("Contract", "contract_id")
                ),
                *col.places_of("Revision", "site"),
            ),
            "from",
            "to",
            "result",
            table=revisions.REVISION,
        ),
        "documents": list_export(
            "documents",
            lambda scope, p: documents.documents_statement(
                scope,
                site_id=arg.site(p),
                client_id=arg.client(p),
                kind=arg.choice_of(p, "kind", DocumentKind),
            ),
            documents.RECENT_ORDER,
            (
                col.id_column("Document"),
                *col.mirrored("Document", "kind", "fileName", "mimeType", "sizeBytes", "sha256"),
                *col.mirrored("Document", "createdAt", "portalVisible"),
            ),
            "kind",
        ),
    }
)
