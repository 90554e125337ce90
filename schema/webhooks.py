"""Partner webhooks as ADMIN sees them: endpoints, their deliveries, the secret shown once."""

from __future__ import annotations

import datetime as dt

import strawberry

from db import models as m
from db.queries import webhooks as queries
from schema.kit import ids
from schema.outbox import OutboxStatus

# The database's event names, written once, registered as the GraphQL enum of the same name.
WebhookEvent = m.WebhookEvent
strawberry.enum(WebhookEvent, description="What an endpoint is told about.")


@strawberry.type(description="Where a partner token's events are posted.")
class WebhookEndpoint:
    id: strawberry.ID
    partner_token_id: strawberry.ID
    url: str
    events: list[WebhookEvent]
    created_at: dt.datetime
    disabled_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: queries.Endpoint) -> WebhookEndpoint:
        return cls(
            id=ids.encode("WebhookEndpoint", row.id),
            partner_token_id=ids.encode("PartnerToken", row.partner_token_id),
            url=row.url,
            events=[m.WebhookEvent(each) for each in row.events],
            created_at=row.created_at,
            disabled_at=row.disabled_at,
        )


@strawberry.type(description="One event posted (or to be posted) to an endpoint.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(
        description="Also the Sportello-Delivery header: the receiver's idempotency key."
    )
    event: WebhookEvent
    status: OutboxStatus
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    delivered_at: dt.datetime | None
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: queries.Delivery) -> WebhookDelivery:
        return cls(
            id=ids.encode("WebhookDelivery", row.id),
            event=m.WebhookEvent(row.event),
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
            delivered_at=row.delivered_at,
            created_at=row.created_at,
        )


@strawberry.type
class CreatedWebhookEndpoint:
    secret: str = strawberry.field(description="The signing secret; shown once, store it now.")
    webhook_endpoint: WebhookEndpoint


@strawberry.input
class CreateWebhookEndpointInput:
    partner_token_id: strawberry.ID
    url: str
    events: list[WebhookEvent]
