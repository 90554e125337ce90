"""The audit trail for ADMIN and OFFICE staff, newest first."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry import Info

from authz.policy import BACK_OFFICE_ONLY
from db.queries import audit_events as queries
from schema.audit import AuditEvent
from schema.kit.context import Context
from schema.kit.periods import Since, Until, check_period
from schema.kit.permissions import permitted
from schema.kit.relay import Connection, page_request, paged

ContextInfo = Info[Context, None]


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A time without an offset is read as UTC: the audit trail is read by staff in the
    playground, who may type a time as the log shows it (UTC); the other period filters, read
    by the frontends, refuse such a time (schema/kit/periods.py)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="Audit events of the organization, newest first.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
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
