"""Root fields for tickets, ticket statistics and the departments of the ticket form."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import Info

from db.queries import tickets as queries
from resolvers.filters import values_of
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.ids import filter_id
from schema.kit.periods import check_period
from schema.kit.relay import Connection, page_request, paged
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
        description="Tickets the caller may see: most urgent first, then oldest first."
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
        context = info.context
        scope = context.rows.scope
        request = page_request(first, after, last, before)
        where = queries.TicketFilter(
            site_id=filter_id("Site", site_id),
            client_id=filter_id("Client", client_id),
            statuses=values_of(status),
            urgencies=values_of(urgency),
        )
        return await paged(
            lambda: queries.ticket_page(context.db, scope, request, where),
            Ticket.from_row,
            lambda: queries.ticket_count(context.db, scope, where),
        )

    @strawberry.field(description="One ticket; null when it does not exist or is not visible.")
    async def ticket(self, info: ContextInfo, id: strawberry.ID) -> Ticket | None:
        row_id = ids.decode("Ticket", id)
        if row_id is None:
            return None
        row = await info.context.rows.by_id(queries.tickets_by_id).load(row_id)
        return Ticket.from_row(row) if row is not None else None

    @strawberry.field(description="Ticket counts by status, urgency and month, in one statement.")
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
            site_id=filter_id("Site", site_id),
            client_id=filter_id("Client", client_id),
            opened_from=since,
            opened_to=until,
        )
        context = info.context
        counts = await queries.ticket_statistics(context.db, context.rows.scope, where)
        return TicketStatistics.from_counts(counts, since, until)

    @strawberry.field(description="Departments for the ticket form (contacts: those offered).")
    async def departments(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[Department]:
        context = info.context
        scope = context.rows.scope
        request = page_request(first, after)
        return await paged(
            lambda: queries.department_page(context.db, scope, request),
            Department.from_row,
            lambda: queries.department_count(context.db, scope),
        )
