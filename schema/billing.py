"""Quotes and invoices. Amounts are integer cents in the organization's currency.

Cost and margin (net minus cost) are staff-only: the policy table keeps them out of the portal
and partner views.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry

from authz.policy import OWN, SHARED
from authz.rules import STAFF_ONLY
from db import models as m
from db.queries import billing as queries
from schema.clients import Client, Site, client_of, site_of
from schema.documents import Document, documents_of
from schema.kit import ids
from schema.kit.permissions import readable
from schema.kit.relay import Connection, Node

QuoteStatus = m.QuoteStatus
strawberry.enum(QuoteStatus, description="Where a quote stands; contacts never see drafts.")
InvoiceStatus = m.InvoiceStatus
strawberry.enum(
    InvoiceStatus, description="Where an invoice stands; contacts see only CLOSED and PAID ones."
)


def _columns(type_name: str, row: Any) -> dict[str, Any]:
    """What a quote and an invoice read alike: their ids and amounts, and the margin."""
    return {
        "id": ids.encode(type_name, row.id),
        "row_id": row.id,
        "client_row_id": row.client_id,
        "site_row_id": row.site_id,
        "net_cents": row.net_cents,
        "vat_cents": row.vat_cents,
        "total_cents": row.total_cents,
        "currency": row.currency,
        "cost_cents": row.cost_cents,
        "margin_cents": row.net_cents - row.cost_cents,
    }


@strawberry.type(description="An offer sent to a client; without a site it is client-wide.")
class Quote(Node):
    by_id = queries.quotes_by_id
    number: str = readable(SHARED)
    title: str = readable(SHARED)
    issued_on: dt.date = readable(SHARED)
    valid_until: dt.date = readable(SHARED)
    status: QuoteStatus = readable(SHARED)
    net_cents: int = readable(SHARED)
    vat_cents: int = readable(SHARED)
    total_cents: int = readable(SHARED)
    currency: str = readable(SHARED, description="ISO 4217 code of every amount.")
    cost_cents: int = readable(STAFF_ONLY)
    margin_cents: int = readable(STAFF_ONLY, description="Net minus cost.")
    row_id: strawberry.Private[uuid.UUID]
    client_row_id: strawberry.Private[uuid.UUID]
    site_row_id: strawberry.Private[uuid.UUID | None]
    documents: Connection[Document] = documents_of(
        "quote_id", "Its documents the caller may see (the PDF).", rule=OWN
    )
    client: Client | None = client_of("The client the quote was made for.", rule=SHARED)
    site: Site | None = site_of("The site it concerns; null for a client-wide quote.", rule=SHARED)

    @classmethod
    def from_row(cls, row: Any) -> Quote:
        return cls(
            **_columns("Quote", row),
            number=row.number,
            title=row.title,
            issued_on=row.issued_on,
            valid_until=row.valid_until,
            status=row.status,
        )


@strawberry.type(description="An invoice to a client; without a site it is client-wide.")
class Invoice(Node):
    by_id = queries.invoices_by_id
    number: str = readable(SHARED)
    issued_on: dt.date = readable(SHARED)
    due_on: dt.date = readable(SHARED)
    paid_on: dt.date | None = readable(SHARED)
    status: InvoiceStatus = readable(SHARED)
    net_cents: int = readable(SHARED)
    vat_cents: int = readable(SHARED)
    total_cents: int = readable(SHARED)
    currency: str = readable(SHARED, description="ISO 4217 code of every amount.")
    cost_cents: int = readable(STAFF_ONLY)
    margin_cents: int = readable(STAFF_ONLY, description="Net minus cost.")
    row_id: strawberry.Private[uuid.UUID]
    client_row_id: strawberry.Private[uuid.UUID]
    site_row_id: strawberry.Private[uuid.UUID | None]
    documents: Connection[Document] = documents_of(
        "invoice_id", "Its documents the caller may see (the PDF).", rule=OWN
    )
    client: Client | None = client_of("The client invoiced.", rule=SHARED)
    site: Site | None = site_of(
        "The site it concerns; null for a client-wide invoice.", rule=SHARED
    )

    @classmethod
    def from_row(cls, row: Any) -> Invoice:
        return cls(
            **_columns("Invoice", row),
            number=row.number,
            issued_on=row.issued_on,
            due_on=row.due_on,
            paid_on=row.paid_on,
            status=row.status,
        )
