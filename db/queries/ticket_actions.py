"""Writing tickets: opening one (contacts and staff) and handling it (staff)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.principals import Audience
from authz.scope import RowScope, restrict
from db import models as m
from db.models.base import table_of
from db.queries.idempotency import Author, author_columns, id_by_key

TICKET = table_of(m.Ticket)
COMMENT = table_of(m.TicketComment)
SITE = table_of(m.Site)
CLIENT = table_of(m.Client)
EQUIPMENT = table_of(m.Equipment)
DEPARTMENT = table_of(m.Department)
ORGANIZATION = table_of(m.Organization)
STAFF = table_of(m.StaffUser)


@dataclasses.dataclass(frozen=True)
class TicketPlace:
    site_id: uuid.UUID
    site_name: str
    client_id: uuid.UUID
    client_name: str


def opened_by(author: Author) -> dict[str, uuid.UUID | None]:
    """The author columns of a ticket ``author`` opens: whose idempotency key it is."""
    return author_columns(author, "opened")


async def ticket_by_key(
    db: AsyncConnection, scope: RowScope, author: Author, idempotency_key: str
) -> uuid.UUID | None:
    """The ticket an earlier submission of ``author`` with this key opened, if the caller can
    still see it. Keys are the author's own: another caller's equal key is not found."""
    return await id_by_key(db, scope, m.Ticket, "opened", author, idempotency_key)


async def place(db: AsyncConnection, scope: RowScope, site_id: uuid.UUID) -> TicketPlace | None:
    """The site (within the caller's scope) and its client; None for an archived site (no
    new tickets there)."""
    row = (
        await db.execute(
            restrict(
                sa.select(
                    SITE.c.id,
                    SITE.c.name,
                    CLIENT.c.id.label("client_id"),
                    CLIENT.c.name.label("client_name"),
                ).join(CLIENT, CLIENT.c.id == SITE.c.client_id),
                m.Site,
                scope,
            ).where(SITE.c.id == site_id, SITE.c.archived_at.is_(None))
        )
    ).first()
    return TicketPlace(row.id, row.name, row.client_id, row.client_name) if row else None


async def department_name(
    db: AsyncConnection, scope: RowScope, department_id: uuid.UUID
) -> str | None:
    """A department tickets can be opened for: not archived (contacts: shown on the portal)."""
    statement = sa.select(DEPARTMENT.c.name).where(
        DEPARTMENT.c.id == department_id,
        DEPARTMENT.c.organization_id == scope.organization_id,
        DEPARTMENT.c.archived_at.is_(None),
    )
    if scope.audience is not Audience.STAFF:
        statement = statement.where(DEPARTMENT.c.portal_visible.is_(True))
    found = await db.scalar(statement)
    return found if isinstance(found, str) else None


async def equipment_at(
    db: AsyncConnection, scope: RowScope, equipment_id: uuid.UUID, site_id: uuid.UUID
) -> bool:
    return bool(
        await db.scalar(
            restrict(sa.select(EQUIPMENT.c.id), m.Equipment, scope).where(
                EQUIPMENT.c.id == equipment_id, EQUIPMENT.c.site_id == site_id
            )
        )
    )


async def next_number(db: AsyncConnection, organization_id: uuid.UUID) -> int:
    """The organization's next ticket number; the row lock serializes concurrent openings."""
    number = await db.scalar(
        ORGANIZATION.update()
        .where(ORGANIZATION.c.id == organization_id)
        .values(ticket_counter=ORGANIZATION.c.ticket_counter + 1)
        .returning(ORGANIZATION.c.ticket_counter)
    )
    return int(number)


async def insert_ticket(
    db: AsyncConnection, organization_id: uuid.UUID, values: dict[str, Any]
) -> tuple[uuid.UUID, int] | None:
    """A new ticket with the organization's next number: (id, number). None when its author's
    idempotency key was just used by a request running at the same time: numbering and
    insert run in a savepoint, so that the request's transaction goes on and no number is
    spent."""
    ticket_id = uuid.uuid4()
    try:
        async with db.begin_nested():
            number = await next_number(db, organization_id)
            await db.execute(
                TICKET.insert().values(
                    id=ticket_id,
                    created_at=sa.func.now(),
                    opened_at=sa.func.now(),
                    organization_id=organization_id,
                    number=number,
                    **values,
                )
            )
    except IntegrityError as error:
        if "uq_ticket_idempotency_" in str(error.orig):
            return None
        raise
    return ticket_id, number


async def notification_email(db: AsyncConnection, organization_id: uuid.UUID) -> str:
    found = await db.scalar(
        sa.select(ORGANIZATION.c.notification_email).where(ORGANIZATION.c.id == organization_id)
    )
    return str(found)


@dataclasses.dataclass(frozen=True)
class TicketState:
    id: uuid.UUID
    status: str
    client_id: uuid.UUID
    site_id: uuid.UUID
    first_response_at: dt.datetime | None


async def ticket_state(
    db: AsyncConnection, scope: RowScope, ticket_id: uuid.UUID
) -> TicketState | None:
    row = (
        await db.execute(
            restrict(
                sa.select(
                    TICKET.c.id,
                    TICKET.c.status,
                    TICKET.c.client_id,
                    TICKET.c.site_id,
                    TICKET.c.first_response_at,
                ),
                m.Ticket,
                scope,
            )
            .where(TICKET.c.id == ticket_id)
            .with_for_update()
        )
    ).first()
    return TicketState(**row._mapping) if row else None


async def set_status(
    db: AsyncConnection, ticket: TicketState, status: m.TicketStatus, now: dt.datetime
) -> None:
    """Change the status and stamp the times reports measure (first response, resolution)."""
    values: dict[str, Any] = {"status": status.value}
    if ticket.first_response_at is None and status is not m.TicketStatus.OPEN:
        values["first_response_at"] = now
    if status is m.TicketStatus.RESOLVED:
        values["resolved_at"] = now
    if status is m.TicketStatus.CLOSED:
        values["closed_at"] = now
    if status in (m.TicketStatus.OPEN, m.TicketStatus.IN_PROGRESS, m.TicketStatus.WAITING_CLIENT):
        values["resolved_at"] = None
        values["closed_at"] = None
    await db.execute(TICKET.update().where(TICKET.c.id == ticket.id).values(**values))


async def add_comment(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    ticket: TicketState,
    staff_id: uuid.UUID,
    body: str,
    visible: bool,
    now: dt.datetime,
) -> uuid.UUID:
    comment_id = uuid.uuid4()
    await db.execute(
        COMMENT.insert().values(
            id=comment_id,
            created_at=now,
            organization_id=organization_id,
            client_id=ticket.client_id,
            site_id=ticket.site_id,
            ticket_id=ticket.id,
            author_staff_id=staff_id,
            body=body,
            visible_to_client=visible,
        )
    )
    if visible and ticket.first_response_at is None:
        await db.execute(
            TICKET.update().where(TICKET.c.id == ticket.id).values(first_response_at=now)
        )
    return comment_id


async def active_staff(db: AsyncConnection, scope: RowScope, staff_id: uuid.UUID) -> bool:
    return bool(
        await db.scalar(
            restrict(sa.select(STAFF.c.id), m.StaffUser, scope).where(
                STAFF.c.id == staff_id, STAFF.c.active.is_(True)
            )
        )
    )


async def assign(db: AsyncConnection, ticket_id: uuid.UUID, staff_id: uuid.UUID | None) -> None:
    await db.execute(
        TICKET.update().where(TICKET.c.id == ticket_id).values(assigned_to_id=staff_id)
    )
