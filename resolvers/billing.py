"""Root fields for quotes and invoices (contacts: invoices only with can_view_invoices)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import Info

from authz.policy import INVOICE_LISTS, READERS
from db.queries import billing as queries
from resolvers.kit.filters import owned_by, values_of
from resolvers.kit.roots import listing, lookup, one_by_id
from schema.billing import Invoice, InvoiceStatus, Quote, QuoteStatus
from schema.kit.context import Context
from schema.kit.periods import check_period
from schema.kit.permissions import permitted
from schema.kit.relay import Connection, page_request

ContextInfo = Info[Context, None]


def bill_filter(
    site_id: strawberry.ID | None,
    client_id: strawberry.ID | None,
    since: dt.date | None,
    until: dt.date | None,
    statuses: list[QuoteStatus] | list[InvoiceStatus] | None,
) -> queries.BillFilter:
    """The filters of a quote or invoice list, checked."""
    check_period(since, until)
    return queries.BillFilter(
        **owned_by(site_id, client_id),
        issued_from=since,
        issued_to=until,
        statuses=values_of(statuses),
    )


IssuedFrom = Annotated[
    dt.date | None, strawberry.argument(name="from", description="Issued on or after this day.")
]
IssuedTo = Annotated[
    dt.date | None, strawberry.argument(name="to", description="Issued on or before this day.")
]


@strawberry.type
class BillingQuery:
    @strawberry.field(
        description="Quotes the caller may see, newest first.", extensions=permitted(READERS)
    )
    async def quotes(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        site_id: strawberry.ID | None = None,
        client_id: strawberry.ID | None = None,
        since: IssuedFrom = None,
        until: IssuedTo = None,
        status: list[QuoteStatus] | None = None,
    ) -> Connection[Quote]:
        where = bill_filter(site_id, client_id, since, until, status)
        request = page_request(first, after, last, before)
        return await listing(info, Quote, queries.quote_page, queries.quote_count, request, where)

    @strawberry.field(
        description="One quote; null when it does not exist or is not visible.",
        metadata=one_by_id(Quote),
        extensions=permitted(READERS),
    )
    async def quote(self, info: ContextInfo, id: strawberry.ID) -> Quote | None:
        return await lookup(info, Quote, id)

    @strawberry.field(
        description="Invoices the caller may see, newest first.",
        extensions=permitted(INVOICE_LISTS),
    )
    async def invoices(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        site_id: strawberry.ID | None = None,
        client_id: strawberry.ID | None = None,
        since: IssuedFrom = None,
        until: IssuedTo = None,
        status: list[InvoiceStatus] | None = None,
    ) -> Connection[Invoice]:
        where = bill_filter(site_id, client_id, since, until, status)
        request = page_request(first, after, last, before)
        return await listing(
            info, Invoice, queries.invoice_page, queries.invoice_count, request, where
        )

    @strawberry.field(
        description="One invoice; null when it does not exist or is not visible.",
        metadata=one_by_id(Invoice),
        extensions=permitted(INVOICE_LISTS),
    )
    async def invoice(self, info: ContextInfo, id: strawberry.ID) -> Invoice | None:
        return await lookup(info, Invoice, id)
