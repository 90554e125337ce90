"""Whether a queued message is still wanted when the worker takes it.

A queued reminder whose appointment was cancelled, moved or has begun, or whose contact no
longer gets its reminders, and an invitation or reset link whose access was deleted or
disabled, is not sent: the worker asks ``reason_not_to_send`` in the transaction that holds the
message, just before sending, and marks it CANCELLED with the reason. Checking there rather
than withdrawing messages in each mutation covers every way a visit or an access can change
(mutations of other domains, archiving, settings, a direct fix in the database) and messages
waiting for a retry, and no user transaction has to lock outbox rows that a worker may be
holding mid-send. A change committed during the seconds of one SMTP conversation does not stop
that one message; the mail about the change follows it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import models as m
from db.models.base import table_of
from db.queries.accounts import AccountKind
from mailer import compose
from mailer.recipients import (
    CONTACT,
    INTERVENTION,
    LINKED,
    OPEN,
    hears_of_visits,
    visits,
)

STAFF = table_of(m.StaffUser)


def _payload_id(payload: Mapping[str, Any], key: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(payload[key]))
    except (KeyError, ValueError):
        return None


def _payload_time(payload: Mapping[str, Any], key: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(payload[key]))
    except (KeyError, ValueError):
        return None


async def _stale_reminder(db: AsyncConnection, payload: Mapping[str, Any]) -> str | None:
    intervention_id = _payload_id(payload, "intervention_id")
    contact_id = _payload_id(payload, "contact_id")
    if intervention_id is None or contact_id is None:
        return None
    moved = sa.exists().where(LINKED.c.reschedules_id == INTERVENTION.c.id)
    heard = sa.exists().where(CONTACT.c.id == contact_id, hears_of_visits())
    row = (
        await db.execute(
            visits(
                INTERVENTION.c.status,
                (INTERVENTION.c.starts_at <= sa.func.now()).label("begun"),
                moved.label("moved"),
                heard.label("heard"),
            ).where(INTERVENTION.c.id == intervention_id)
        )
    ).first()
    reminded_of = _payload_time(payload, "starts_at")
    if row is None:
        return "the appointment no longer exists"
    if row.moved or (reminded_of is not None and reminded_of != row.starts_at):
        return "the appointment was moved"
    if row.status == m.InterventionStatus.CANCELLED.value:
        return "the appointment was cancelled"
    if row.status not in OPEN or row.begun:
        return "the visit has begun or is done"
    if not row.heard:
        return "the contact no longer gets reminders of this visit"
    return None


async def _gone_access(db: AsyncConnection, payload: Mapping[str, Any]) -> str | None:
    """A staff user deactivated, a contact disabled or without portal access: its link is
    of no use (the organization's portal being off is not checked: it may come back on)."""
    account_id = _payload_id(payload, "account_id")
    kind = payload.get("account_kind")
    if account_id is None:
        return None
    if kind == AccountKind.STAFF.value:
        active = await db.scalar(sa.select(STAFF.c.active).where(STAFF.c.id == account_id))
        if active is None:
            return "the access was deleted"
        return None if active else "the access is disabled"
    if kind == AccountKind.CONTACT.value:
        row = (
            await db.execute(
                sa.select(CONTACT.c.deleted_at, CONTACT.c.state, CONTACT.c.portal_access).where(
                    CONTACT.c.id == account_id
                )
            )
        ).first()
        if row is None or row.deleted_at is not None:
            return "the access was deleted"
        if row.state == m.ContactState.DISABLED.value or not row.portal_access:
            return "the access is disabled"
    return None


async def reason_not_to_send(
    db: AsyncConnection, kind: str, payload: Mapping[str, Any]
) -> str | None:
    """Why a queued message must not go out any more, e.g. "not sent: the appointment was
    cancelled"; None while it is still wanted. The worker asks just before sending.

    Only facts named by the payload are checked; messages queued before a payload named them
    are sent as they are.
    """
    if kind == compose.VisitReminder.kind:
        reason = await _stale_reminder(db, payload)
    elif kind in (compose.Invitation.kind, compose.PasswordReset.kind):
        reason = await _gone_access(db, payload)
    else:
        reason = None
    return None if reason is None else f"not sent: {reason}"
