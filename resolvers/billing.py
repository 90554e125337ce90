"""Root fields for quotes and invoices (contacts: invoices only with can_view_invoices)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import Info

from db.queries import billing as queries
from resolvers.filters import values_of
from schema.billing import Invoice, InvoiceStatus, Quote, QuoteStatus
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.ids import filter_id
from schema.kit.periods import check_period
from schema.kit.relay import Connection, page_request, paged

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
        site_id=filter_id("Site", site_id),
        client_id=filter_id("Client", client_id),
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
    @strawberry.field(description="Quotes the caller may see, newest first.")
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
        context = info.context
        scope = context.rows.scope
        request = page_request(first, after, last, before)
        where = bill_filter(site_id, client_id, since, until, status)
        return await paged(
            lambda: queries.quote_page(context.db, scope, request, where),
            Quote.from_row,
            lambda: queries.quote_count(context.db, scope, where),
        )

    @strawberry.field(description="One quote; null when it does not exist or is not visible.")
    async def quote(self, info: ContextInfo, id: strawberry.ID) -> Quote | None:
        row_id = ids.decode("Quote", id)
        if row_id is None:
            return None
        row = await info.context.rows.by_id(queries.quotes_by_id).load(row_id)
        return Quote.from_row(row) if row is not None else None

    @strawberry.field(description="Invoices the caller may see, newest first.")
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
        context = info.context
        scope = context.rows.scope
        request = page_request(first, after, last, before)
        where = bill_filter(site_id, client_id, since, until, status)
        return await paged(
            lambda: queries.invoice_page(context.db, scope, request, where),
            Invoice.from_row,
            lambda: queries.invoice_count(context.db, scope, where),
        )

    @strawberry.field(description="One invoice; null when it does not exist or is not visible.")
    async def invoice(self, info: ContextInfo, id: strawberry.ID) -> Invoice | None:
        row_id = ids.decode("Invoice", id)
        if row_id is None:
            return None
        row = await info.context.rows.by_id(queries.invoices_by_id).load(row_id)
        return Invoice.from_row(row) if row is not None else None
