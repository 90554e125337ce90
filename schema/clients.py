"""Clients (the service company's customers) and their sites."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import Info

from authz.policy import OWN, RECORD_CONTRACTS, RECORD_INVOICES, SHARED
from authz.rules import STAFF_ONLY, Rule
from db.queries import appointments as appointment_queries
from db.queries import billing as billing_queries
from db.queries import clients as queries
from db.queries import contracts as contract_queries
from db.queries import equipment as equipment_queries
from db.queries import revisions as revision_queries
from db.queries import tickets as ticket_queries
from db.queries import timesheets as timesheet_queries
from db.queries import worksheets as worksheet_queries
from schema.kit import ids
from schema.kit.batched import Lists, children, children_in_period, lazy_from_row, related
from schema.kit.context import Context
from schema.kit.permissions import imported_key, readable
from schema.kit.relay import Connection, Node

ContextInfo = Info[Context, None]

if TYPE_CHECKING:
    from schema.appointments import Appointment
    from schema.billing import Invoice, Quote
    from schema.contracts import Contract
    from schema.equipment import Equipment
    from schema.revisions import Revision
    from schema.tickets import Ticket
    from schema.timesheets import TimesheetEntry
    from schema.worksheets import WorkSheet

# Records of other domains, listed under a client or site; they refer back to these types, so
# their modules are imported when the first row is built, once this one is loaded.
LazyContract = Annotated["Contract", strawberry.lazy("schema.contracts")]
LazyQuote = Annotated["Quote", strawberry.lazy("schema.billing")]
LazyInvoice = Annotated["Invoice", strawberry.lazy("schema.billing")]
LazyTicket = Annotated["Ticket", strawberry.lazy("schema.tickets")]
LazyEquipment = Annotated["Equipment", strawberry.lazy("schema.equipment")]
LazyRevision = Annotated["Revision", strawberry.lazy("schema.revisions")]
LazyAppointment = Annotated["Appointment", strawberry.lazy("schema.appointments")]
LazyWorkSheet = Annotated["WorkSheet", strawberry.lazy("schema.worksheets")]
LazyTimesheetEntry = Annotated["TimesheetEntry", strawberry.lazy("schema.timesheets")]


# A site's last and next revision: parts of one statement for every site asked
# (db/queries/revisions.py revisions_around_sites gives (last, next) per site).
LAST, NEXT = 0, 1


def _around(part: int, description: str, rule: Rule) -> Any:
    return related(
        revision_queries.revisions_around_sites,
        "row_id",
        lazy_from_row(LazyRevision),
        description,
        part=part,
        rule=rule,
    )


def _appointments_in(since: dt.datetime | None, until: dt.datetime | None) -> Lists:
    where = appointment_queries.AppointmentFilter(since=since, until=until)
    return (
        appointment_queries.AppointmentsOfSites(where),
        appointment_queries.AppointmentCountsOfSites(where),
    )


def _entries_in(since: dt.datetime | None, until: dt.datetime | None) -> Lists:
    where = timesheet_queries.TimesheetFilter(since=since, until=until)
    return timesheet_queries.EntriesOfSites(where), timesheet_queries.EntryCountsOfSites(where)


@strawberry.type(description="A customer of the service company.")
class Client(Node):
    by_id = queries.clients_by_id
    code: str = readable(SHARED)
    name: str = readable(SHARED)
    tax_id: str | None = readable(OWN)
    email: str | None = readable(OWN)
    phone: str | None = readable(OWN)
    portal_enabled: bool = readable(STAFF_ONLY)
    external_ref: str | None = imported_key()
    archived_at: dt.datetime | None = readable(
        STAFF_ONLY,
        description="When staff archived it (with the client, for a site); null while in use.",
    )
    row_id: strawberry.Private[uuid.UUID]
    sites: Connection[Site] = children(
        (queries.sites_of_clients, queries.site_counts_of_clients),
        lambda row: Site.from_row(row),
        "The client's sites the caller may see.",
        rule=SHARED,
    )
    contracts: Connection[LazyContract] = children(
        (contract_queries.contracts_of_clients, contract_queries.contract_counts_of_clients),
        lazy_from_row(LazyContract),
        "Contracts of the client, client-wide and per site.",
        rule=RECORD_CONTRACTS,
    )
    quotes: Connection[LazyQuote] = children(
        (billing_queries.quotes_of_clients, billing_queries.quote_counts_of_clients),
        lazy_from_row(LazyQuote),
        "Quotes of the client, client-wide and per site.",
        rule=SHARED,
    )
    invoices: Connection[LazyInvoice] = children(
        (billing_queries.invoices_of_clients, billing_queries.invoice_counts_of_clients),
        lazy_from_row(LazyInvoice),
        "Invoices of the client, client-wide and per site.",
        rule=RECORD_INVOICES,
    )
    tickets: Connection[LazyTicket] = children(
        (ticket_queries.tickets_of_clients, ticket_queries.ticket_counts_of_clients),
        lazy_from_row(LazyTicket),
        "Tickets of this client the caller may see, most urgent first.",
        rule=SHARED,
    )

    @classmethod
    def from_row(cls, row: Any) -> Client:
        return cls(
            id=ids.encode("Client", row.id),
            row_id=row.id,
            code=row.code,
            name=row.name,
            tax_id=row.tax_id,
            email=row.email,
            phone=row.phone,
            portal_enabled=row.portal_enabled,
            external_ref=row.external_ref,
            archived_at=row.archived_at,
        )


@strawberry.type(description="A place where the work happens (sede, cantiere).")
class Site(Node):
    by_id = queries.sites_by_id
    name: str = readable(SHARED)
    address: str = readable(SHARED)
    city: str = readable(SHARED)
    postal_code: str = readable(SHARED)
    province: str | None = readable(SHARED)
    country: str = readable(SHARED)
    lat: Decimal = readable(SHARED)
    lng: Decimal = readable(SHARED)
    external_ref: str | None = imported_key()
    archived_at: dt.datetime | None = readable(
        STAFF_ONLY,
        description="When staff archived it (with the client, for a site); null while in use.",
    )
    row_id: strawberry.Private[uuid.UUID]
    client_row_id: strawberry.Private[uuid.UUID]
    client: Client | None = related(
        queries.clients_by_id,
        "client_row_id",
        Client.from_row,
        "The client the site belongs to.",
        rule=SHARED,
    )
    contracts: Connection[LazyContract] = children(
        (contract_queries.contracts_of_sites, contract_queries.contract_counts_of_sites),
        lazy_from_row(LazyContract),
        "Contracts of this site; client-wide ones are under the client.",
        rule=RECORD_CONTRACTS,
    )
    quotes: Connection[LazyQuote] = children(
        (billing_queries.quotes_of_sites, billing_queries.quote_counts_of_sites),
        lazy_from_row(LazyQuote),
        "Quotes of this site; client-wide ones are under the client.",
        rule=SHARED,
    )
    invoices: Connection[LazyInvoice] = children(
        (billing_queries.invoices_of_sites, billing_queries.invoice_counts_of_sites),
        lazy_from_row(LazyInvoice),
        "Invoices of this site; client-wide ones are under the client.",
        rule=RECORD_INVOICES,
    )
    tickets: Connection[LazyTicket] = children(
        (ticket_queries.tickets_of_sites, ticket_queries.ticket_counts_of_sites),
        lazy_from_row(LazyTicket),
        "Tickets of this site the caller may see, most urgent first.",
        rule=SHARED,
    )
    equipment: Connection[LazyEquipment] = children(
        (equipment_queries.equipment_of_sites, equipment_queries.equipment_counts_of_sites),
        lazy_from_row(LazyEquipment),
        "Equipment installed at this site, by kind.",
        rule=SHARED,
    )
    next_revision: LazyRevision | None = _around(
        NEXT, "The next revision: the earliest not performed (due month, planned day).", rule=SHARED
    )
    last_revision: LazyRevision | None = _around(
        LAST, "The most recently performed revision.", rule=SHARED
    )
    appointments: Connection[LazyAppointment] = children_in_period(
        _appointments_in,
        lazy_from_row(LazyAppointment),
        "Appointments at this site by start time; from/to bound it.",
        rule=SHARED,
    )
    work_sheets: Connection[LazyWorkSheet] = children(
        (worksheet_queries.work_sheets_of_sites, worksheet_queries.work_sheet_counts_of_sites),
        lazy_from_row(LazyWorkSheet),
        "Work sheets of this site, newest first.",
        rule=SHARED,
    )
    timesheet_entries: Connection[LazyTimesheetEntry] = children_in_period(
        _entries_in,
        lazy_from_row(LazyTimesheetEntry),
        "Timesheet entries at this site by clock-in; from/to bound it.",
        rule=SHARED,
    )

    @classmethod
    def from_row(cls, row: Any) -> Site:
        return cls(
            id=ids.encode("Site", row.id),
            row_id=row.id,
            client_row_id=row.client_id,
            name=row.name,
            address=row.address,
            city=row.city,
            postal_code=row.postal_code,
            province=row.province,
            country=row.country,
            lat=row.lat,
            lng=row.lng,
            external_ref=row.external_ref,
            archived_at=row.archived_at,
        )


def client_of(description: str, rule: Rule) -> Client | None:
    """The field of the client a record belongs to (its ``client_row_id``)."""
    return related(queries.clients_by_id, "client_row_id", Client.from_row, description, rule=rule)


def site_of(description: str, rule: Rule) -> Site | None:
    """The field of the site a record concerns (its ``site_row_id``; None: no site)."""
    return related(queries.sites_by_id, "site_row_id", Site.from_row, description, rule=rule)
