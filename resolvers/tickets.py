"""Root fields for tickets, ticket statistics and the departments of the ticket form."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import Info

from authz.policy import ACCOUNTS, READERS, STATISTICS
from db.queries import tickets as queries
from resolvers.kit.filters import owned_by, values_of
from resolvers.kit.roots import listing, lookup, one_by_id
from schema.kit.context import Context
from schema.kit.periods import check_period
from schema.kit.permissions import permitted
from schema.kit.relay import Connection, page_request
from schema.tickets import (
    Department,
    Ticket,
    TicketStatistics,
    TicketStatus,
    TicketUrgency,
)

ContextInfo = Info[Context, None]
OpenedFrom = Annotated[
    dt.date | None,
    strawberry.argument(name="from", description="Opened on or after this day (local time)."),
]
OpenedTo = Annotated[
    dt.date | None,
    strawberry.argument(name="to", description="Opened on or before this day (local time)."),
]


@strawberry.type
class TicketQuery:
    @strawberry.field(
        description="Tickets the caller may see: most urgent first, then oldest first.",
        extensions=permitted(READERS),
    )
    async def tickets(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        site_id: strawberry.ID | None = None,
        client_id: strawberry.ID | None = None,
        status: list[TicketStatus] | None = None,
        urgency: list[TicketUrgency] | None = None,
    ) -> Connection[Ticket]:
        where = queries.TicketFilter(
            **owned_by(site_id, client_id),
            statuses=values_of(status),
            urgencies=values_of(urgency),
        )
        request = page_request(first, after, last, before)
        return await listing(
            info, Ticket, queries.ticket_page, queries.ticket_count, request, where
        )

    @strawberry.field(
        description="One ticket; null when it does not exist or is not visible.",
        metadata=one_by_id(Ticket),
        extensions=permitted(READERS),
    )
    async def ticket(self, info: ContextInfo, id: strawberry.ID) -> Ticket | None:
        return await lookup(info, Ticket, id)

    @strawberry.field(
        description="Ticket counts by status, urgency and month, in one statement.",
        extensions=permitted(STATISTICS),
    )
    async def ticket_statistics(
        self,
        info: ContextInfo,
        site_id: strawberry.ID | None = None,
        client_id: strawberry.ID | None = None,
        since: OpenedFrom = None,
        until: OpenedTo = None,
    ) -> TicketStatistics:
        check_period(since, until)
        where = queries.TicketFilter(
            **owned_by(site_id, client_id),
            opened_from=since,
            opened_to=until,
        )
        context = info.context
        counts = await queries.ticket_statistics(context.db, context.rows.scope, where)
        return TicketStatistics.from_counts(counts, since, until)

    @strawberry.field(
        description="Departments for the ticket form (contacts: those offered).",
        extensions=permitted(ACCOUNTS),
    )
    async def departments(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[Department]:
        request = page_request(first, after)
        return await listing(
            info, Department, queries.department_page, queries.department_count, request
        )
