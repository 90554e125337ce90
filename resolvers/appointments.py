"""Root fields for appointments: the list, the calendar of a period, one by id."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import Info

from authz.policy import READERS
from db.queries import appointments as queries
from resolvers.kit.filters import owned_by, values_of
from resolvers.kit.roots import listing, lookup, one_by_id
from schema.activity_types import AppointmentStatus
from schema.appointments import Appointment
from schema.kit.context import Context
from schema.kit.ids import filter_id
from schema.kit.periods import check_period
from schema.kit.permissions import permitted
from schema.kit.relay import Connection, page_request

ContextInfo = Info[Context, None]

# A calendar shows at most a quarter: enough for any month or week view, bounded for staff.
CALENDAR_MAX_DAYS = 92

StartsFrom = Annotated[
    dt.datetime | None, strawberry.argument(name="from", description="Starting at or after this.")
]
StartsBefore = Annotated[
    dt.datetime | None, strawberry.argument(name="to", description="Starting before this time.")
]


@strawberry.type
class AppointmentQuery:
    @strawberry.field(
        description="Appointments the caller may see, by start time; from/to bound the start.",
        extensions=permitted(READERS),
    )
    async def appointments(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        site_id: strawberry.ID | None = None,
        client_id: strawberry.ID | None = None,
        since: StartsFrom = None,
        until: StartsBefore = None,
        status: list[AppointmentStatus] | None = None,
    ) -> Connection[Appointment]:
        check_period(since, until)
        where = queries.AppointmentFilter(
            **owned_by(site_id, client_id),
            since=since,
            until=until,
            statuses=values_of(status),
        )
        request = page_request(first, after, last, before)
        return await listing(
            info, Appointment, queries.appointment_page, queries.appointment_count, request, where
        )

    @strawberry.field(
        description=f"Every appointment overlapping the period (at most {CALENDAR_MAX_DAYS} "
        "days), by start time.",
        extensions=permitted(READERS),
    )
    async def calendar(
        self,
        info: ContextInfo,
        since: Annotated[dt.datetime, strawberry.argument(name="from")],
        until: Annotated[dt.datetime, strawberry.argument(name="to")],
        site_id: strawberry.ID | None = None,
    ) -> list[Appointment]:
        check_period(since, until, max_days=CALENDAR_MAX_DAYS)
        context = info.context
        where = queries.AppointmentFilter(
            site_id=filter_id("Site", site_id), since=since, until=until, overlapping=True
        )
        rows = await queries.calendar(context.db, context.rows.scope, where)
        return [Appointment.from_row(row) for row in rows]

    @strawberry.field(
        description="One appointment; null when it does not exist or is not visible.",
        metadata=one_by_id(Appointment),
        extensions=permitted(READERS),
    )
    async def appointment(self, info: ContextInfo, id: strawberry.ID) -> Appointment | None:
        return await lookup(info, Appointment, id)
