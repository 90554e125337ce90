"""Tickets opened by contacts or staff, their comments, departments, and ticket statistics."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

import strawberry

from authz.policy import OWN, SHARED
from authz.rules import STAFF_ONLY
from db import models as m
from db.queries import tickets as queries
from schema.clients import Client, Site, client_of, site_of
from schema.kit import ids
from schema.kit.batched import children, related
from schema.kit.names import full_name
from schema.kit.permissions import imported_key, readable
from schema.kit.relay import Connection, Node

TicketStatus = m.TicketStatus
strawberry.enum(TicketStatus, description="Where a ticket stands.")
TicketUrgency = m.Urgency
strawberry.enum(
    TicketUrgency,
    name="TicketUrgency",
    description="How urgent a ticket is; lists show CRITICAL ones first.",
)


@strawberry.enum(description="Whether a staff member or a client contact wrote it.")
class TicketAuthorKind(enum.Enum):
    STAFF = "STAFF"
    CONTACT = "CONTACT"


@strawberry.type(description="Who opened a ticket or wrote a comment.")
class TicketAuthor:
    kind: TicketAuthorKind = readable(OWN)
    display_name: str = readable(OWN, description="First name and last initial.")
    full_name: str = readable(STAFF_ONLY)

    @classmethod
    def from_row(cls, row: Any, by_contact: bool) -> TicketAuthor:
        first, last = row.author_first_name, row.author_last_name
        return cls(
            kind=TicketAuthorKind.CONTACT if by_contact else TicketAuthorKind.STAFF,
            display_name=f"{first} {last[:1]}." if last else first,
            full_name=full_name(first, last),
        )


@strawberry.type(description="A department (reparto) of the service company handling tickets.")
class Department(Node):
    by_id = queries.departments_by_id
    name: str = readable(SHARED)
    portal_visible: bool = readable(STAFF_ONLY, description="Offered in the portal's ticket form.")
    external_ref: str | None = imported_key()
    archived_at: dt.datetime | None = readable(
        STAFF_ONLY, description="When staff archived it (no new tickets for it); null while in use."
    )

    @classmethod
    def from_row(cls, row: Any) -> Department:
        return cls(
            id=ids.encode("Department", row.id),
            name=row.name,
            portal_visible=row.portal_visible,
            external_ref=row.external_ref,
            archived_at=row.archived_at,
        )


@strawberry.type(description="A message on a ticket; contacts read only those meant for them.")
class TicketComment:
    body: str = readable(OWN)
    created_at: dt.datetime = readable(OWN)
    author: TicketAuthor = readable(OWN)
    visible_to_client: bool = readable(STAFF_ONLY)

    @classmethod
    def from_row(cls, row: Any) -> TicketComment:
        return cls(
            body=row.body,
            created_at=row.created_at,
            author=TicketAuthor.from_row(row, row.author_contact_id is not None),
            visible_to_client=row.visible_to_client,
        )


@strawberry.type(description="A request for help at a site, numbered per organization.")
class Ticket(Node):
    by_id = queries.tickets_by_id
    number: int = readable(SHARED)
    equipment_id: strawberry.ID | None = readable(
        SHARED, description="The equipment concerned, at the ticket's site (an Equipment id)."
    )
    reference_person: str = readable(OWN)
    phone: str | None = readable(OWN)
    notes: str = readable(OWN)
    urgency: TicketUrgency = readable(SHARED)
    status: TicketStatus = readable(SHARED)
    opened_at: dt.datetime = readable(SHARED)
    opened_by: TicketAuthor = readable(OWN)
    row_id: strawberry.Private[uuid.UUID]
    client_row_id: strawberry.Private[uuid.UUID]
    site_row_id: strawberry.Private[uuid.UUID]
    department_row_id: strawberry.Private[uuid.UUID]
    client: Client | None = client_of("The client the ticket was opened for.", rule=SHARED)
    site: Site | None = site_of("The site the ticket concerns.", rule=SHARED)
    department: Department | None = related(
        queries.departments_by_id,
        "department_row_id",
        Department.from_row,
        "The department handling it; null for contacts when it is an internal one.",
        rule=SHARED,
    )
    comments: Connection[TicketComment] = children(
        (queries.comments_of_tickets, queries.comment_counts_of_tickets),
        TicketComment.from_row,
        "The conversation, oldest first (contacts: visible comments).",
        rule=OWN,
    )

    @classmethod
    def from_row(cls, row: Any) -> Ticket:
        equipment = row.equipment_id
        return cls(
            id=ids.encode("Ticket", row.id),
            row_id=row.id,
            client_row_id=row.client_id,
            site_row_id=row.site_id,
            department_row_id=row.department_id,
            number=row.number,
            equipment_id=ids.encode("Equipment", equipment) if equipment is not None else None,
            reference_person=row.reference_person,
            phone=row.phone,
            notes=row.notes,
            urgency=row.urgency,
            status=row.status,
            opened_at=row.opened_at,
            opened_by=TicketAuthor.from_row(row, row.opened_by_contact_id is not None),
        )


@strawberry.type
class TicketStatusCount:
    status: TicketStatus = readable(SHARED)
    count: int = readable(SHARED)


@strawberry.type
class TicketUrgencyCount:
    urgency: TicketUrgency = readable(SHARED)
    count: int = readable(SHARED)


@strawberry.type
class TicketMonthCount:
    month: dt.date = readable(SHARED, description="The first day of the month.")
    count: int = readable(SHARED)


@strawberry.type(description="Ticket counts within the caller's scope and the filters.")
class TicketStatistics:
    total: int = readable(SHARED)
    by_status: list[TicketStatusCount] = readable(SHARED, description="Every status, zeros too.")
    by_urgency: list[TicketUrgencyCount] = readable(
        SHARED, description="Every urgency, most urgent first, zeros too."
    )
    per_month: list[TicketMonthCount] = readable(
        SHARED, description="Tickets opened per month (organization's time zone), no month skipped."
    )

    @classmethod
    def from_counts(
        cls, counts: queries.TicketStatistics, since: dt.date | None, until: dt.date | None
    ) -> TicketStatistics:
        """Counts with every status, urgency and month in range present, zeros included."""
        months = sorted(counts.per_month)
        first = since.replace(day=1) if since else (months[0] if months else None)
        last = until.replace(day=1) if until else (months[-1] if months else None)
        per_month = []
        month = first
        while month is not None and last is not None and month <= last:
            per_month.append(TicketMonthCount(month=month, count=counts.per_month.get(month, 0)))
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return cls(
            total=counts.total,
            by_status=[
                TicketStatusCount(status=s, count=counts.by_status.get(s.value, 0))
                for s in TicketStatus
            ],
            by_urgency=[
                TicketUrgencyCount(urgency=u, count=counts.by_urgency.get(u.value, 0))
                for u in reversed(TicketUrgency)
            ],
            per_month=per_month,
        )
