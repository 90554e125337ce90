"""ADMIN registers, lists and disables partner webhook endpoints, reads their deliveries and
replays one (README "Webhooks"; delivery: mailer/webhooks.py)."""

from __future__ import annotations

import uuid

import strawberry
from strawberry import Info

from authz.policy import ADMIN_ONLY
from db import models as m
from db.queries import audit
from db.queries import webhooks as queries
from mailer import webhooks
from resolvers.kit import audited
from resolvers.kit.callers import staff_of
from schema import webhooks as types
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput, Conflict, NotFound
from schema.kit.permissions import permitted
from sportello.base.clock import now_utc

ContextInfo = Info[Context, None]

URL_LENGTH = 2000


@strawberry.type
class WebhookQuery:
    @strawberry.field(
        description="Webhook endpoints of the organization, newest first.",
        extensions=permitted(ADMIN_ONLY),
    )
    async def webhook_endpoints(self, info: ContextInfo) -> list[types.WebhookEndpoint]:
        staff = staff_of(info)
        rows = await queries.endpoints(info.context.db, staff.organization_id)
        return [types.WebhookEndpoint.from_row(row) for row in rows]

    @strawberry.field(
        description="The endpoint's latest 100 deliveries, newest first.",
        extensions=permitted(ADMIN_ONLY),
    )
    async def webhook_deliveries(
        self, info: ContextInfo, endpoint_id: strawberry.ID
    ) -> list[types.WebhookDelivery]:
        staff = staff_of(info)
        endpoint = ids.decode("WebhookEndpoint", endpoint_id) or ids.NO_ROW
        rows = await queries.deliveries(info.context.db, staff.organization_id, endpoint)
        return [types.WebhookDelivery.from_row(row) for row in rows]


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Register an endpoint for a partner token; the signing secret is shown once.",
        extensions=permitted(ADMIN_ONLY),
    )
    async def create_webhook_endpoint(
        self, info: ContextInfo, input: types.CreateWebhookEndpointInput
    ) -> types.CreatedWebhookEndpoint:
        staff = staff_of(info)
        context = info.context
        settings = context.settings
        now = now_utc()
        token_id = ids.decode("PartnerToken", input.partner_token_id)
        if token_id is None or not await queries.token_is_open(
            context.db, staff.organization_id, token_id, now
        ):
            raise BadUserInput("partnerTokenId", "no such open partner token")
        url = input.url.strip()
        problem = "is too long" if len(url) > URL_LENGTH else webhooks.scheme_problem(url)
        if problem is None:
            problem = await webhooks.address_problem(
                url, allow_private=settings.webhook_allow_private
            )
        if problem is not None:
            raise BadUserInput("url", problem)
        if not input.events:
            raise BadUserInput("events", "choose at least one event")
        events = sorted({each.value for each in input.events})
        seed = webhooks.new_seed()
        try:
            secret = webhooks.secret(settings, seed)
        except webhooks.SigningKeyMissing as missing:
            raise Conflict(str(missing)) from None
        endpoint = await queries.create_endpoint(
            context.db,
            staff.organization_id,
            partner_token_id=token_id,
            url=url,
            events=events,
            seed=seed,
            created_by_id=staff.user_id,
        )
        await audited.record(
            context,
            "webhook_endpoint_created",
            "WebhookEndpoint",
            endpoint.id,
            audit.change_details({}, {"url": url, "events": events, "partner_token_id": token_id}),
        )
        return types.CreatedWebhookEndpoint(
            secret=secret, webhook_endpoint=types.WebhookEndpoint.from_row(endpoint)
        )

    @strawberry.mutation(
        description="Stop an endpoint: nothing more is posted, waiting deliveries are "
        "cancelled. Disabling twice changes nothing.",
        extensions=permitted(ADMIN_ONLY),
    )
    async def disable_webhook_endpoint(
        self, info: ContextInfo, id: strawberry.ID
    ) -> types.WebhookEndpoint:
        staff = staff_of(info)
        db = info.context.db
        endpoint_id = ids.decode("WebhookEndpoint", id)
        current = (
            None
            if endpoint_id is None
            else await queries.endpoint(db, staff.organization_id, endpoint_id)
        )
        if current is None:
            raise NotFound("webhook endpoint")
        if current.disabled_at is not None:
            return types.WebhookEndpoint.from_row(current)
        disabled = await queries.disable_endpoint(db, current.id, now_utc())
        details = audit.change_details({"disabled_at": None}, {"disabled_at": disabled.disabled_at})
        await audited.record(
            info.context, "webhook_endpoint_disabled", "WebhookEndpoint", current.id, details
        )
        return types.WebhookEndpoint.from_row(disabled)

    @strawberry.mutation(
        description="Post a finished delivery again (same id and body, attempts start over).",
        extensions=permitted(ADMIN_ONLY),
    )
    async def replay_webhook_delivery(
        self, info: ContextInfo, id: strawberry.ID
    ) -> types.WebhookDelivery:
        staff = staff_of(info)
        delivery_id = ids.decode("WebhookDelivery", id)
        replayed = (
            None
            if delivery_id is None
            else await queries.replay(info.context.db, staff.organization_id, delivery_id)
        )
        if replayed is None:
            raise NotFound("finished delivery of an enabled endpoint")
        delivery, previous = replayed
        details = audit.change_details(
            {"status": previous.value}, {"status": delivery.status.value}
        )
        await audited.record(
            info.context, "webhook_delivery_replayed", "WebhookDelivery", delivery.id, details
        )
        return types.WebhookDelivery.from_row(delivery)


async def notify(
    context: Context, event: m.WebhookEvent, record_id: uuid.UUID, **details: str
) -> None:
    """Queue ``event`` of the record for the partners' endpoints, in the change's transaction.

    The body's ``data`` names the record by the global id partners read it with, plus
    ``details`` (e.g. the new status)."""
    type_name = queries.EVENT_RECORDS[event].type_name
    data = {"type": type_name, "id": ids.encode(type_name, record_id), **details}
    await queries.queue_event(
        context.db, context.rows.scope.organization_id, event, record_id, data, now_utc()
    )
