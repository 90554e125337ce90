"""Clients (the service company's customers) and their sites."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from operator import attrgetter
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import Info

from db.queries import clients as queries
from schema.kit import ids
from schema.kit.batched import Related
from schema.kit.context import Context
from schema.kit.nested import nested
from schema.kit.periods import Since, Until
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

# Records of other domains, listed under a client or site; they refer back to these types.
LazyContract = Annotated["Contract", strawberry.lazy("schema.contracts")]
LazyQuote = Annotated["Quote", strawberry.lazy("schema.billing")]
LazyInvoice = Annotated["Invoice", strawberry.lazy("schema.billing")]
LazyTicket = Annotated["Ticket", strawberry.lazy("schema.tickets")]
LazyEquipment = Annotated["Equipment", strawberry.lazy("schema.equipment")]
LazyRevision = Annotated["Revision", strawberry.lazy("schema.revisions")]
LazyAppointment = Annotated["Appointment", strawberry.lazy("schema.appointments")]
LazyWorkSheet = Annotated["WorkSheet", strawberry.lazy("schema.worksheets")]
LazyTimesheetEntry = Annotated["TimesheetEntry", strawberry.lazy("schema.timesheets")]


@strawberry.type(description="A customer of the service company.")
class Client(Node):
    code: str
    name: str
    tax_id: str | None
    email: str | None
    phone: str | None
    portal_enabled: bool
    external_ref: str | None = strawberry.field(
        description="Its key in the system it is imported from (staff only; sportello import)."
    )
    archived_at: dt.datetime | None = strawberry.field(
        description="When staff archived it (with the client, for a site); null while in use."
    )
    row_id: strawberry.Private[uuid.UUID]

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

    @strawberry.field(description="The client's sites the caller may see.")
    async def sites(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[Site]:
        lists = (queries.sites_of_clients, queries.site_counts_of_clients)
        return await nested(info, lists, self.row_id, Site.from_row, first, after)

    @strawberry.field(description="Contracts of the client, client-wide and per site.")
    async def contracts(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[LazyContract]:
        from schema.contracts import contracts_of_client

        return await contracts_of_client(info, self.row_id, first, after)

    @strawberry.field(description="Quotes of the client, client-wide and per site.")
    async def quotes(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[LazyQuote]:
        from schema.billing import quotes_of_client

        return await quotes_of_client(info, self.row_id, first, after)

    @strawberry.field(description="Invoices of the client, client-wide and per site.")
    async def invoices(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[LazyInvoice]:
        from schema.billing import invoices_of_client

        return await invoices_of_client(info, self.row_id, first, after)

    @strawberry.field(description="Tickets of this client the caller may see, most urgent first.")
    async def tickets(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[LazyTicket]:
        from schema.tickets import tickets_of_client

        return await tickets_of_client(info, self.row_id, first, after)


_SITE_CLIENT = Related(queries.clients_by_id, attrgetter("client_row_id"), Client.from_row)


@strawberry.type(description="A place where the work happens (sede, cantiere).")
class Site(Node):
    name: str
    address: str
    city: str
    postal_code: str
    province: str | None
    country: str
    lat: Decimal
    lng: Decimal
    external_ref: str | None = strawberry.field(
        description="Its key in the system it is imported from (staff only; sportello import)."
    )
    archived_at: dt.datetime | None = strawberry.field(
        description="When staff archived it (with the client, for a site); null while in use."
    )
    row_id: strawberry.Private[uuid.UUID]
    client_row_id: strawberry.Private[uuid.UUID]

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

    @strawberry.field(description="The client the site belongs to.", metadata=_SITE_CLIENT.batch)
    async def client(self, info: ContextInfo) -> Client | None:
        return await _SITE_CLIENT.one(info, self)

    @strawberry.field(description="Contracts of this site; client-wide ones are under the client.")
    async def contracts(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[LazyContract]:
        from schema.contracts import contracts_of_site

        return await contracts_of_site(info, self.row_id, first, after)

    @strawberry.field(description="Quotes of this site; client-wide ones are under the client.")
    async def quotes(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[LazyQuote]:
        from schema.billing import quotes_of_site

        return await quotes_of_site(info, self.row_id, first, after)

    @strawberry.field(description="Invoices of this site; client-wide ones are under the client.")
    async def invoices(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[LazyInvoice]:
        from schema.billing import invoices_of_site

        return await invoices_of_site(info, self.row_id, first, after)

    @strawberry.field(description="Tickets of this site the caller may see, most urgent first.")
    async def tickets(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[LazyTicket]:
        from schema.tickets import tickets_of_site

        return await tickets_of_site(info, self.row_id, first, after)

    @strawberry.field(description="Equipment installed at this site, by kind.")
    async def equipment(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[LazyEquipment]:
        from schema.equipment import equipment_of_site

        return await equipment_of_site(info, self.row_id, first, after)

    @strawberry.field(
        description="The next revision: the earliest not performed (due month, planned day)."
    )
    async def next_revision(self, info: ContextInfo) -> LazyRevision | None:
        from schema.revisions import next_revision_of_site

        return await next_revision_of_site(info, self.row_id)

    @strawberry.field(description="The most recently performed revision.")
    async def last_revision(self, info: ContextInfo) -> LazyRevision | None:
        from schema.revisions import last_revision_of_site

        return await last_revision_of_site(info, self.row_id)

    @strawberry.field(description="Appointments at this site by start time; from/to bound it.")
    async def appointments(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        since: Since = None,
        until: Until = None,
    ) -> Connection[LazyAppointment]:
        from schema.appointments import appointments_of_site

        return await appointments_of_site(info, self.row_id, first, after, since, until)

    @strawberry.field(description="Work sheets of this site, newest first.")
    async def work_sheets(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[LazyWorkSheet]:
        from schema.worksheets import work_sheets_of_site

        return await work_sheets_of_site(info, self.row_id, first, after)

    @strawberry.field(description="Timesheet entries at this site by clock-in; from/to bound it.")
    async def timesheet_entries(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        since: Since = None,
        until: Until = None,
    ) -> Connection[LazyTimesheetEntry]:
        from schema.timesheets import entries_of_site

        return await entries_of_site(info, self.row_id, first, after, since, until)
