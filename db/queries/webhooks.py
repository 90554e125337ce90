"""Partner webhooks: endpoints as ADMIN manages them, events queued in the transaction of the
change, deliveries as the worker drains them (mailer/webhooks.py).

None of these functions commits. Like the mail outbox (db/queries/outbox.py), the worker claims
a delivery with ``FOR UPDATE SKIP LOCKED`` in a transaction it keeps open while posting it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import models as m
from db.models.base import new_id, table_of
from db.queries.outbox import CANCELLED, PENDING, SENT, next_due

ENDPOINT = table_of(m.WebhookEndpoint)
DELIVERY = table_of(m.WebhookDelivery)
TOKEN = table_of(m.PartnerToken)
TOKEN_CLIENT = table_of(m.PartnerTokenClient)


@dataclasses.dataclass(frozen=True)
class EventRecord:
    """The kind of record an event is about: its public type name and its table."""

    type_name: str
    table: sa.Table


_TICKET = EventRecord("Ticket", table_of(m.Ticket))
_APPOINTMENT = EventRecord("Appointment", table_of(m.Intervention))
EVENT_RECORDS: dict[m.WebhookEvent, EventRecord] = {
    m.WebhookEvent.TICKET_OPENED: _TICKET,
    m.WebhookEvent.TICKET_STATUS_CHANGED: _TICKET,
    m.WebhookEvent.APPOINTMENT_BOOKED: _APPOINTMENT,
    m.WebhookEvent.APPOINTMENT_MOVED: _APPOINTMENT,
    m.WebhookEvent.APPOINTMENT_CANCELLED: _APPOINTMENT,
    m.WebhookEvent.WORK_SHEET_SIGNED: EventRecord("WorkSheet", table_of(m.WorkSheet)),
    m.WebhookEvent.REVISION_PERFORMED: EventRecord("Revision", table_of(m.Revision)),
    m.WebhookEvent.INVOICE_CLOSED: EventRecord("Invoice", table_of(m.Invoice)),
}

# How many deliveries of one endpoint the staff list shows, newest first.
DELIVERIES_SHOWN = 100


@dataclasses.dataclass(frozen=True)
class Endpoint:
    id: uuid.UUID
    created_at: dt.datetime
    partner_token_id: uuid.UUID
    url: str
    events: list[str]
    disabled_at: dt.datetime | None


@dataclasses.dataclass(frozen=True)
class Delivery:
    id: uuid.UUID
    created_at: dt.datetime
    endpoint_id: uuid.UUID
    event: str
    status: m.OutboxStatus
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    delivered_at: dt.datetime | None


@dataclasses.dataclass(frozen=True)
class ClaimedDelivery:
    """A due delivery, locked by the worker's open transaction, with what posting it needs."""

    id: uuid.UUID
    organization_id: uuid.UUID
    event: str
    payload: dict[str, Any]
    attempts: int
    url: str
    seed: bytes
    disabled: bool


ENDPOINT_COLUMNS = (
    ENDPOINT.c.id,
    ENDPOINT.c.created_at,
    ENDPOINT.c.partner_token_id,
    ENDPOINT.c.url,
    ENDPOINT.c.events,
    ENDPOINT.c.disabled_at,
)
DELIVERY_COLUMNS = (
    DELIVERY.c.id,
    DELIVERY.c.created_at,
    DELIVERY.c.endpoint_id,
    DELIVERY.c.event,
    DELIVERY.c.status,
    DELIVERY.c.attempts,
    DELIVERY.c.next_attempt_at,
    DELIVERY.c.last_error,
    DELIVERY.c.delivered_at,
)


def _open_token(now: dt.datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        TOKEN.c.revoked_at.is_(None), sa.or_(TOKEN.c.expires_at.is_(None), TOKEN.c.expires_at > now)
    )


async def token_is_open(
    db: AsyncConnection, organization_id: uuid.UUID, token_id: uuid.UUID, now: dt.datetime
) -> bool:
    """Whether the organization has this partner token, neither revoked nor expired."""
    found = await db.scalar(
        sa.select(TOKEN.c.id).where(
            TOKEN.c.id == token_id, TOKEN.c.organization_id == organization_id, _open_token(now)
        )
    )
    return found is not None


async def create_endpoint(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    *,
    partner_token_id: uuid.UUID,
    url: str,
    events: list[str],
    seed: bytes,
    created_by_id: uuid.UUID,
) -> Endpoint:
    row = (
        await db.execute(
            ENDPOINT.insert()
            .values(
                id=new_id(),
                organization_id=organization_id,
                partner_token_id=partner_token_id,
                url=url,
                events=events,
                seed=seed,
                created_by_id=created_by_id,
            )
            .returning(*ENDPOINT_COLUMNS)
        )
    ).one()
    return Endpoint(**row._mapping)


async def endpoints(db: AsyncConnection, organization_id: uuid.UUID) -> list[Endpoint]:
    """The organization's endpoints, newest first (disabled ones too)."""
    rows = await db.execute(
        sa.select(*ENDPOINT_COLUMNS)
        .where(ENDPOINT.c.organization_id == organization_id)
        .order_by(ENDPOINT.c.created_at.desc(), ENDPOINT.c.id.desc())
    )
    return [Endpoint(**row._mapping) for row in rows]


async def endpoint(
    db: AsyncConnection, organization_id: uuid.UUID, endpoint_id: uuid.UUID
) -> Endpoint | None:
    """The organization's endpoint with this id, locked for the change that follows."""
    row = (
        await db.execute(
            sa.select(*ENDPOINT_COLUMNS)
            .where(ENDPOINT.c.id == endpoint_id, ENDPOINT.c.organization_id == organization_id)
            .with_for_update()
        )
    ).first()
    return None if row is None else Endpoint(**row._mapping)


async def disable_endpoint(
    db: AsyncConnection, endpoint_id: uuid.UUID, now: dt.datetime
) -> Endpoint:
    """Stop an endpoint (read with ``endpoint``); its waiting deliveries are CANCELLED."""
    row = (
        await db.execute(
            ENDPOINT.update()
            .where(ENDPOINT.c.id == endpoint_id)
            .values(disabled_at=now)
            .returning(*ENDPOINT_COLUMNS)
        )
    ).one()
    await db.execute(
        DELIVERY.update()
        .where(DELIVERY.c.endpoint_id == endpoint_id, DELIVERY.c.status == PENDING)
        .values(status=CANCELLED, last_error="endpoint disabled")
    )
    return Endpoint(**row._mapping)


async def deliveries(
    db: AsyncConnection, organization_id: uuid.UUID, endpoint_id: uuid.UUID
) -> list[Delivery]:
    """The endpoint's latest deliveries, newest first (empty for another organization's)."""
    rows = await db.execute(
        sa.select(*DELIVERY_COLUMNS)
        .where(DELIVERY.c.endpoint_id == endpoint_id, DELIVERY.c.organization_id == organization_id)
        .order_by(DELIVERY.c.created_at.desc(), DELIVERY.c.id.desc())
        .limit(DELIVERIES_SHOWN)
    )
    return [Delivery(**{**row._mapping, "status": m.OutboxStatus(row.status)}) for row in rows]


async def replay(
    db: AsyncConnection, organization_id: uuid.UUID, delivery_id: uuid.UUID
) -> tuple[Delivery, m.OutboxStatus] | None:
    """Queue a finished delivery (SENT, DEAD or CANCELLED) again, due now, attempts from zero,
    with the same body and id; return it and the status it had. None if the organization has
    no such delivery on an enabled endpoint, or if it still waits."""
    old = DELIVERY.alias("old")
    enabled = sa.select(ENDPOINT.c.id).where(
        ENDPOINT.c.id == DELIVERY.c.endpoint_id, ENDPOINT.c.disabled_at.is_(None)
    )
    row = (
        await db.execute(
            DELIVERY.update()
            .where(
                DELIVERY.c.id == delivery_id,
                DELIVERY.c.organization_id == organization_id,
                DELIVERY.c.status != PENDING,
                old.c.id == DELIVERY.c.id,
                enabled.exists(),
            )
            .values(status=PENDING, attempts=0, next_attempt_at=sa.func.now())
            .returning(*DELIVERY_COLUMNS, old.c.status.label("previous"))
        )
    ).first()
    if row is None:
        return None
    values = {k: v for k, v in row._mapping.items() if k != "previous"}
    return Delivery(**values | {"status": m.OutboxStatus.PENDING}), m.OutboxStatus(row.previous)


async def queue_event(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    event: m.WebhookEvent,
    record_id: uuid.UUID,
    data: dict[str, Any],
    now: dt.datetime,
) -> int:
    """Queue ``event`` of the record ``record_id`` (of the event's kind, EVENT_RECORDS) for
    every enabled endpoint subscribed to it whose partner token is open and sees the record's
    client (a token without client rows sees every client); return how many deliveries were
    queued. Call it in the change's transaction, after the change."""
    record = EVENT_RECORDS[event].table
    client_id = sa.select(record.c.client_id).where(record.c.id == record_id).scalar_subquery()
    payload = {"occurredAt": now.isoformat(), "data": data}
    token_clients = sa.select(TOKEN_CLIENT.c.client_id).where(
        TOKEN_CLIENT.c.partner_token_id == TOKEN.c.id
    )
    chosen = (
        sa.select(
            sa.func.gen_random_uuid(),
            ENDPOINT.c.organization_id,
            ENDPOINT.c.id,
            sa.literal(event.value),
            sa.literal(payload, DELIVERY.c.payload.type),
            sa.literal(PENDING),
            sa.literal(0),
        )
        .join(TOKEN, TOKEN.c.id == ENDPOINT.c.partner_token_id)
        .where(
            ENDPOINT.c.organization_id == organization_id,
            ENDPOINT.c.disabled_at.is_(None),
            sa.literal(event.value) == sa.any_(ENDPOINT.c.events),
            _open_token(now),
            sa.or_(
                ~token_clients.exists(),
                token_clients.where(TOKEN_CLIENT.c.client_id == client_id).exists(),
            ),
        )
    )
    columns = ["id", "organization_id", "endpoint_id", "event", "payload", "status", "attempts"]
    result = await db.execute(DELIVERY.insert().from_select(columns, chosen))
    return result.rowcount


async def claim_next(db: AsyncConnection) -> ClaimedDelivery | None:
    """Lock the next due PENDING delivery, skipping those other workers hold; None if none."""
    statement = sa.select(
        DELIVERY.c.id,
        DELIVERY.c.organization_id,
        DELIVERY.c.event,
        DELIVERY.c.payload,
        DELIVERY.c.attempts,
        ENDPOINT.c.url,
        ENDPOINT.c.seed,
        ENDPOINT.c.disabled_at.is_not(None).label("disabled"),
    ).join(ENDPOINT, ENDPOINT.c.id == DELIVERY.c.endpoint_id)
    row = (await db.execute(next_due(statement, DELIVERY))).first()
    return None if row is None else ClaimedDelivery(**row._mapping)


async def mark_sent(db: AsyncConnection, delivery_id: uuid.UUID) -> None:
    """The endpoint answered 2xx."""
    await db.execute(
        DELIVERY.update()
        .where(DELIVERY.c.id == delivery_id)
        .values(status=SENT, delivered_at=sa.func.now(), attempts=DELIVERY.c.attempts + 1)
    )
