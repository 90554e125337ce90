"""The audit trail for ADMIN and OFFICE staff, newest first."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import Info

from db.queries import audit_events as queries
from resolvers.filters import check_period
from schema.audit import AuditEvent
from schema.context import Context
from schema.relay import Connection, page_request, paged

ContextInfo = Info[Context, None]
Since = Annotated[
    dt.datetime | None, strawberry.argument(name="from", description="At or after this time.")
]
Until = Annotated[
    dt.datetime | None, strawberry.argument(name="to", description="Before this time.")
]


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A time without an offset is read as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Audit events of the organization, newest first.")
    async def audit_events(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        action: str | None = None,
        since: Since = None,
        until: Until = None,
    ) -> Connection[AuditEvent]:
        since, until = _aware(since), _aware(until)
        check_period(since, until)
        context = info.context
        scope = context.rows.scope
        request = page_request(first, after)
        where = queries.AuditFilter(action=action, since=since, until=until)
        return await paged(
            lambda: queries.audit_page(context.db, scope, request, where),
            AuditEvent.from_row,
            lambda: queries.audit_count(context.db, scope, where),
        )
