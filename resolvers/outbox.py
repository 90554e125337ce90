"""Staff reading the outbox and sending a dead message again."""

from __future__ import annotations

import strawberry
from strawberry import Info

from authz.policy import BACK_OFFICE_ONLY
from authz.principals import StaffPrincipal
from db.queries import outbox
from resolvers.kit import audited
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import NotFound
from schema.kit.permissions import permitted
from schema.kit.relay import Connection, page_request, paged
from schema.outbox import OutboxMessage, OutboxStatus

ContextInfo = Info[Context, None]


@strawberry.type
class OutboxQuery:
    @strawberry.field(
        description="Emails of the organization, newest first.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def outbox_messages(
        self,
        info: ContextInfo,
        status: OutboxStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[OutboxMessage]:
        context = info.context
        scope = context.rows.scope
        request = page_request(first, after)
        return await paged(
            lambda: outbox.outbox_page(context.db, scope, request, status),
            OutboxMessage.from_row,
            lambda: outbox.outbox_count(context.db, scope, status),
        )


@strawberry.type
class OutboxMutation:
    @strawberry.mutation(
        description="Send a DEAD message again (attempts start over).",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def retry_outbox_message(self, info: ContextInfo, id: strawberry.ID) -> bool:
        context = info.context
        scope = context.rows.scope
        staff = context.principal
        if not isinstance(staff, StaffPrincipal):
            raise NotFound("dead message")
        message_id = ids.decode("OutboxMessage", id)
        if message_id is None or not await outbox.retry_dead(
            context.db, scope.organization_id, message_id
        ):
            raise NotFound("dead message")
        await audited.record(context, "outbox_message_retried", "OutboxMessage", message_id)
        return True
