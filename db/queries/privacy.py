"""A contact's data on request (README "Privacy"): what is held about one contact, its erasure,
and the retention purge of old audit events and sent mail bodies.

Erasure keeps business records (tickets, comments, bookings, the month's bill) and cuts what
points to the person: names become "former contact", the email and username a placeholder that
reaches no one (``.invalid`` is reserved, RFC 2606) and is unique per contact, the free-text
traces (notes, phones, the audit details, the mail sent to them) are blanked.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import models as m
from db.models.base import table_of

FORMER = "former contact"
ERASED_DOMAIN = "erased.invalid"

CONTACT = table_of(m.Contact)
GRANT = table_of(m.PortalGrant)
TICKET = table_of(m.Ticket)
COMMENT = table_of(m.TicketComment)
BOOKING = table_of(m.Intervention)
OUTBOX = table_of(m.OutboxMessage)
AUDIT = table_of(m.AuditEvent)
SESSION = table_of(m.Session)
TOKEN = table_of(m.AccountToken)
FEED = table_of(m.CalendarFeed)
RESET = table_of(m.PasswordResetRequest)

# Columns never exported: secrets, even hashed.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "seed"})


def _json(value: Any) -> Any:
    """A column's value as JSON writes it: ids and enums as text, times in ISO 8601."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


async def _rows(db: AsyncConnection, statement: sa.Select[Any]) -> list[dict[str, Any]]:
    found = await db.execute(statement)
    return [
        {key: _json(value) for key, value in row.items() if key not in SECRET_COLUMNS}
        for row in found.mappings()
    ]


def erased_email(contact_id: uuid.UUID) -> str:
    """The address an erased contact keeps: unique, and no mail server will ever accept it."""
    return f"erased-{contact_id}@{ERASED_DOMAIN}"


def _is_erased(email: str) -> bool:
    return email.endswith("@" + ERASED_DOMAIN)


async def _contact(
    db: AsyncConnection, organization_id: uuid.UUID, contact_id: uuid.UUID
) -> dict[str, Any] | None:
    found = await _rows(
        db,
        sa.select(CONTACT).where(
            CONTACT.c.organization_id == organization_id, CONTACT.c.id == contact_id
        ),
    )
    return found[0] if found else None


async def contact_data(
    db: AsyncConnection, organization_id: uuid.UUID, contact_id: uuid.UUID
) -> dict[str, Any] | None:
    """Everything held about one contact of the organization (deleted ones too), or None."""
    access = await _contact(db, organization_id, contact_id)
    if access is None:
        return None
    mine = AUDIT.c.organization_id == organization_id
    events = await _rows(
        db,
        sa.select(AUDIT)
        .where(
            mine,
            sa.or_(
                sa.and_(AUDIT.c.actor_type == "CONTACT", AUDIT.c.actor_id == contact_id),
                AUDIT.c.subject_id == contact_id,
            ),
        )
        .order_by(AUDIT.c.created_at, AUDIT.c.id),
    )
    return {
        "access": access,
        "grants": await _rows(
            db, sa.select(GRANT).where(GRANT.c.contact_id == contact_id).order_by(GRANT.c.id)
        ),
        "tickets": await _rows(
            db,
            sa.select(TICKET)
            .where(TICKET.c.opened_by_contact_id == contact_id)
            .order_by(TICKET.c.number),
        ),
        "comments": await _rows(
            db,
            sa.select(COMMENT)
            .where(COMMENT.c.author_contact_id == contact_id)
            .order_by(COMMENT.c.created_at, COMMENT.c.id),
        ),
        "bookings": await _rows(
            db,
            sa.select(BOOKING)
            .where(BOOKING.c.booked_by_contact_id == contact_id)
            .order_by(BOOKING.c.created_at, BOOKING.c.id),
        ),
        "messages": await _rows(
            db,
            sa.select(OUTBOX)
            .where(
                OUTBOX.c.organization_id == organization_id,
                sa.func.lower(OUTBOX.c.to_address) == str(access["email"]).lower(),
            )
            .order_by(OUTBOX.c.created_at, OUTBOX.c.id),
        ),
        "auditEvents": [e for e in events if not str(e["action"]).endswith("_downloaded")],
        "downloads": [e for e in events if str(e["action"]).endswith("_downloaded")],
    }


class AlreadyErased(Exception):
    """The contact was erased before: there is nothing left to erase."""


async def erase(
    db: AsyncConnection, organization_id: uuid.UUID, contact_id: uuid.UUID, now: dt.datetime
) -> bool:
    """Erase a contact of the organization in the caller's transaction; False if unknown.

    The access is deleted (``deleted_at`` kept when already set, so the bill of each month it
    existed still counts it); sessions, one-use tokens and the calendar feed are removed.
    Raises AlreadyErased for a contact erased before.
    """
    access = await _contact(db, organization_id, contact_id)
    if access is None:
        return False
    if _is_erased(str(access["email"])):
        raise AlreadyErased
    email = str(access["email"]).lower()
    placeholder = erased_email(contact_id)
    await db.execute(
        CONTACT.update()
        .where(CONTACT.c.id == contact_id)
        .values(
            first_name=FORMER,
            last_name="",
            email=placeholder,
            username=placeholder.partition("@")[0],
            phone=None,
            mobile=None,
            notes="",
            password_hash=None,
            last_login_at=None,
            state=m.ContactState.DISABLED.value,
            portal_access=False,
            deleted_at=sa.func.coalesce(CONTACT.c.deleted_at, now),
        )
    )
    for table in (SESSION, TOKEN, FEED):
        await db.execute(table.delete().where(table.c.contact_id == contact_id))
    await db.execute(
        RESET.delete().where(
            RESET.c.organization_id == organization_id,
            sa.func.lower(RESET.c.identifier).in_([email, str(access["username"]).lower()]),
        )
    )
    await db.execute(
        TICKET.update()
        .where(TICKET.c.opened_by_contact_id == contact_id)
        .values(reference_person=FORMER, phone=None)
    )
    await db.execute(
        OUTBOX.update()
        .where(
            OUTBOX.c.organization_id == organization_id, sa.func.lower(OUTBOX.c.to_address) == email
        )
        .values(
            to_address=placeholder,
            body_text="",
            body_html=None,
            status=sa.case(
                (OUTBOX.c.status == m.OutboxStatus.PENDING.value, m.OutboxStatus.CANCELLED.value),
                else_=OUTBOX.c.status,
            ),
            last_error=sa.case(
                (OUTBOX.c.status == m.OutboxStatus.PENDING.value, "contact erased"),
                else_=OUTBOX.c.last_error,
            ),
        )
    )
    await db.execute(
        AUDIT.update()
        .where(
            AUDIT.c.organization_id == organization_id,
            sa.or_(AUDIT.c.actor_id == contact_id, AUDIT.c.subject_id == contact_id),
        )
        .values(details={}, ip=None)
    )
    return True


async def purge(
    db: AsyncConnection, now: dt.datetime, *, audit_days: int, mail_days: int
) -> tuple[int, int]:
    """Delete audit events older than ``audit_days`` and blank the bodies of mail sent (or
    given up) more than ``mail_days`` ago, across organizations; return both counts.

    Mail rows stay (their dedupe keys stop a reminder being queued twice); only bodies go.
    """
    audits = await db.execute(
        AUDIT.delete().where(AUDIT.c.created_at < now - dt.timedelta(days=audit_days))
    )
    bodies = await db.execute(
        OUTBOX.update()
        .where(
            OUTBOX.c.status != m.OutboxStatus.PENDING.value,
            sa.func.coalesce(OUTBOX.c.sent_at, OUTBOX.c.created_at)
            < now - dt.timedelta(days=mail_days),
            sa.or_(OUTBOX.c.body_text != "", OUTBOX.c.body_html.is_not(None)),
        )
        .values(body_text="", body_html=None)
    )
    return audits.rowcount, bodies.rowcount
