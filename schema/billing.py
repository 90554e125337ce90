"""Quotes and invoices. Amounts are integer cents in the organization's currency.

Cost and margin (net minus cost) are staff-only: the policy table keeps them out of the portal
and partner views.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from operator import attrgetter
from typing import Any

import strawberry
from strawberry import Info

from db.queries import billing as queries
from db.queries import clients as client_queries
from schema.clients import Client, Site
from schema.documents import Document, documents_of
from schema.kit import ids
from schema.kit.batched import Related
from schema.kit.context import Context
from schema.kit.nested import nested
from schema.kit.relay import Connection, Node

ContextInfo = Info[Context, None]

_QUOTE_DOCUMENTS = documents_of("quote_id")
_INVOICE_DOCUMENTS = documents_of("invoice_id")


@strawberry.enum(description="Where a quote stands; contacts never see drafts.")
class QuoteStatus(enum.Enum):
    DRAFT = "DRAFT"
    SENT = "SENT"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"


@strawberry.enum(description="Where an invoice stands; contacts see only CLOSED and PAID ones.")
class InvoiceStatus(enum.Enum):
    DRAFT = "DRAFT"
    CLOSED = "CLOSED"
    PAID = "PAID"
    VOID = "VOID"


_CLIENT = Related(client_queries.clients_by_id, attrgetter("client_row_id"), Client.from_row)
_SITE = Related(client_queries.sites_by_id, attrgetter("site_row_id"), Site.from_row)


@strawberry.type(description="An offer sent to a client; without a site it is client-wide.")
class Quote(Node):
    number: str
    title: str
    issued_on: dt.date
    valid_until: dt.date
    status: QuoteStatus
    net_cents: int
    vat_cents: int
    total_cents: int
    currency: str = strawberry.field(description="ISO 4217 code of every amount.")
    cost_cents: int
    margin_cents: int = strawberry.field(description="Net minus cost.")
    row_id: strawberry.Private[uuid.UUID]
    client_row_id: strawberry.Private[uuid.UUID]
    site_row_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: Any) -> Quote:
        return cls(
            id=ids.encode("Quote", row.id),
            row_id=row.id,
            client_row_id=row.client_id,
            site_row_id=row.site_id,
            number=row.number,
            title=row.title,
            issued_on=row.issued_on,
            valid_until=row.valid_until,
            status=QuoteStatus(row.status.value),
            net_cents=row.net_cents,
            vat_cents=row.vat_cents,
            total_cents=row.total_cents,
            currency=row.currency,
            cost_cents=row.cost_cents,
            margin_cents=row.net_cents - row.cost_cents,
        )

    @strawberry.field(
        description="Its documents the caller may see (the PDF).", metadata=_QUOTE_DOCUMENTS.batch
    )
    async def documents(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Document]:
        return await _QUOTE_DOCUMENTS.one(info, self, first, after)

    @strawberry.field(description="The client the quote was made for.", metadata=_CLIENT.batch)
    async def client(self, info: ContextInfo) -> Client | None:
        return await _CLIENT.one(info, self)

    @strawberry.field(
        description="The site it concerns; null for a client-wide quote.", metadata=_SITE.batch
    )
    async def site(self, info: ContextInfo) -> Site | None:
        return await _SITE.one(info, self)


@strawberry.type(description="An invoice to a client; without a site it is client-wide.")
class Invoice(Node):
    number: str
    issued_on: dt.date
    due_on: dt.date
    paid_on: dt.date | None
    status: InvoiceStatus
    net_cents: int
    vat_cents: int
    total_cents: int
    currency: str = strawberry.field(description="ISO 4217 code of every amount.")
    cost_cents: int
    margin_cents: int = strawberry.field(description="Net minus cost.")
    row_id: strawberry.Private[uuid.UUID]
    client_row_id: strawberry.Private[uuid.UUID]
    site_row_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: Any) -> Invoice:
        return cls(
            id=ids.encode("Invoice", row.id),
            row_id=row.id,
            client_row_id=row.client_id,
            site_row_id=row.site_id,
            number=row.number,
            issued_on=row.issued_on,
            due_on=row.due_on,
            paid_on=row.paid_on,
            status=InvoiceStatus(row.status.value),
            net_cents=row.net_cents,
            vat_cents=row.vat_cents,
            total_cents=row.total_cents,
            currency=row.currency,
            cost_cents=row.cost_cents,
            margin_cents=row.net_cents - row.cost_cents,
        )

    @strawberry.field(
        description="Its documents the caller may see (the PDF).", metadata=_INVOICE_DOCUMENTS.batch
    )
    async def documents(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Document]:
        return await _INVOICE_DOCUMENTS.one(info, self, first, after)

    @strawberry.field(description="The client invoiced.", metadata=_CLIENT.batch)
    async def client(self, info: ContextInfo) -> Client | None:
        return await _CLIENT.one(info, self)

    @strawberry.field(
        description="The site it concerns; null for a client-wide invoice.", metadata=_SITE.batch
    )
    async def site(self, info: ContextInfo) -> Site | None:
        return await _SITE.one(info, self)


async def quotes_of_site(
    info: ContextInfo, site_id: uuid.UUID, first: int | None, after: str | None
) -> Connection[Quote]:
    """The quotes of one site, newest first, batched over all sites asked."""
    lists = (queries.quotes_of_sites, queries.quote_counts_of_sites)
    return await nested(info, lists, site_id, Quote.from_row, first, after)


async def quotes_of_client(
    info: ContextInfo, client_id: uuid.UUID, first: int | None, after: str | None
) -> Connection[Quote]:
    """Every quote of one client the caller may see, newest first."""
    lists = (queries.quotes_of_clients, queries.quote_counts_of_clients)
    return await nested(info, lists, client_id, Quote.from_row, first, after)


async def invoices_of_site(
    info: ContextInfo, site_id: uuid.UUID, first: int | None, after: str | None
) -> Connection[Invoice]:
    """The invoices of one site, newest first, batched over all sites asked."""
    lists = (queries.invoices_of_sites, queries.invoice_counts_of_sites)
    return await nested(info, lists, site_id, Invoice.from_row, first, after)


async def invoices_of_client(
    info: ContextInfo, client_id: uuid.UUID, first: int | None, after: str | None
) -> Connection[Invoice]:
    """Every invoice of one client the caller may see, newest first."""
    lists = (queries.invoices_of_clients, queries.invoice_counts_of_clients)
    return await nested(info, lists, client_id, Invoice.from_row, first, after)
