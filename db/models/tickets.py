"""Tickets opened by client contacts (or staff) and the departments that handle them."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import (
    TenantBase,
    client_scope_constraints,
    enum_field,
    reference_index,
    same_organization,
    tz,
)


class Urgency(enum.StrEnum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class TicketStatus(enum.StrEnum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    WAITING_CLIENT = "WAITING_CLIENT"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


# Lists order by urgency, most urgent first; a stored rank makes that an index scan.
URGENCY_RANK_SQL = (
    "CASE urgency WHEN 'CRITICAL' THEN 0 WHEN 'HIGH' THEN 1 WHEN 'NORMAL' THEN 2 ELSE 3 END"
)


class Department(TenantBase, table=True):
    """A department (reparto) of the service company that handles tickets."""

    __tablename__ = "department"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "name"),
        sa.UniqueConstraint("id", "organization_id", name="uq_department_id_org"),
        sa.Index(
            "uq_department_external_ref",
            "organization_id",
            "external_ref",
            unique=True,
            postgresql_where=sa.text("external_ref IS NOT NULL"),
        ),
    )

    name: str = Field(max_length=120)
    portal_visible: bool = True
    # The record's key in the system it is imported from (sportello import), unique per
    # organization among the rows that have one.
    external_ref: str | None = Field(default=None, max_length=100)
    # Archived: no longer offered for new tickets; the tickets that name it keep it.
    archived_at: datetime | None = tz(nullable=True, default=None)


class Ticket(TenantBase, table=True):
    __tablename__ = "ticket"
    __table_args__ = (
        *client_scope_constraints("ticket"),
        sa.UniqueConstraint("organization_id", "number"),
        # An idempotency key belongs to the principal that sent it (its author): another
        # caller's equal key opens another ticket, never a conflict.
        sa.UniqueConstraint(
            "organization_id",
            "opened_by_contact_id",
            "idempotency_key",
            name="uq_ticket_idempotency_contact",
        ),
        sa.UniqueConstraint(
            "organization_id",
            "opened_by_staff_id",
            "idempotency_key",
            name="uq_ticket_idempotency_staff",
        ),
        same_organization("ticket", "department_id", "department", "department", ondelete=None),
        # The equipment named in a ticket must stand at the ticket's site.
        sa.ForeignKeyConstraint(
            ["equipment_id", "site_id", "organization_id"],
            ["equipment.id", "equipment.site_id", "equipment.organization_id"],
            name="fk_ticket_equipment_site",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_contact_id"], ["contact.id"], name="fk_ticket_opened_by_contact"
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_staff_id"], ["staff_user.id"], name="fk_ticket_opened_by_staff"
        ),
        sa.ForeignKeyConstraint(["assigned_to_id"], ["staff_user.id"], name="fk_ticket_assignee"),
        sa.CheckConstraint("number > 0", name="number_positive"),
        sa.CheckConstraint(
            "num_nonnulls(opened_by_contact_id, opened_by_staff_id) = 1", name="one_author"
        ),
        sa.Index("ix_ticket_org_rank", "organization_id", "urgency_rank", "opened_at", "id"),
        sa.Index("ix_ticket_site_rank", "site_id", "urgency_rank", "opened_at", "id"),
        sa.Index("ix_ticket_client_rank", "client_id", "urgency_rank", "opened_at", "id"),
        reference_index("ticket", "opened_by_contact_id"),
        reference_index("ticket", "opened_by_staff_id"),
        reference_index("ticket", "assigned_to_id"),
    )

    number: int
    client_id: uuid.UUID
    site_id: uuid.UUID
    department_id: uuid.UUID
    equipment_id: uuid.UUID | None = None
    reference_person: str = Field(max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    notes: str = Field(max_length=4000)
    urgency: Urgency = enum_field(Urgency, default=Urgency.NORMAL)
    urgency_rank: int = Field(
        default=None,
        sa_column=sa.Column(
            sa.SmallInteger, sa.Computed(URGENCY_RANK_SQL, persisted=True), nullable=False
        ),
    )
    status: TicketStatus = enum_field(TicketStatus, default=TicketStatus.OPEN)
    opened_at: datetime = tz(server_now=True)
    opened_by_contact_id: uuid.UUID | None = None
    opened_by_staff_id: uuid.UUID | None = None
    assigned_to_id: uuid.UUID | None = None
    first_response_at: datetime | None = tz(nullable=True, default=None)
    resolved_at: datetime | None = tz(nullable=True, default=None)
    closed_at: datetime | None = tz(nullable=True, default=None)
    idempotency_key: str | None = Field(default=None, max_length=100)


class TicketComment(TenantBase, table=True):
    """A comment on a ticket; only comments marked visible reach the client."""

    __tablename__ = "ticket_comment"
    __table_args__ = (
        *client_scope_constraints("ticket_comment"),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name="fk_ticket_comment_ticket", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["author_staff_id"], ["staff_user.id"], name="fk_ticket_comment_staff"
        ),
        sa.ForeignKeyConstraint(
            ["author_contact_id"], ["contact.id"], name="fk_ticket_comment_contact"
        ),
        sa.CheckConstraint(
            "num_nonnulls(author_staff_id, author_contact_id) = 1", name="one_author"
        ),
        sa.Index("ix_ticket_comment_ticket", "ticket_id", "created_at"),
        sa.Index("ix_ticket_comment_site", "site_id"),
        reference_index("ticket_comment", "author_staff_id"),
        reference_index("ticket_comment", "author_contact_id"),
    )

    client_id: uuid.UUID
    site_id: uuid.UUID
    ticket_id: uuid.UUID
    author_staff_id: uuid.UUID | None = None
    author_contact_id: uuid.UUID | None = None
    body: str = Field(max_length=4000)
    visible_to_client: bool = False
