"""Interventions (appointments): a technician's visit to a site for one activity type."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field

from db.models.base import (
    TenantBase,
    client_scope_constraints,
    enum_field,
    reference_index,
    same_organization,
    tz,
)


class InterventionStatus(enum.StrEnum):
    REQUESTED = "REQUESTED"
    PLANNED = "PLANNED"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    CANCELLED = "CANCELLED"


class InterventionOrigin(enum.StrEnum):
    STAFF = "STAFF"
    PORTAL = "PORTAL"
    TICKET = "TICKET"
    CONTRACT = "CONTRACT"


class Intervention(TenantBase, table=True):
    """An appointment. A rescheduled one is cancelled and the new one links back to it."""

    __tablename__ = "intervention"
    __table_args__ = (
        *client_scope_constraints("intervention"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        same_organization(
            "intervention", "technician_id", "staff_user", "technician", ondelete=None
        ),
        same_organization(
            "intervention", "activity_type_id", "activity_type", "activity_type", ondelete=None
        ),
        sa.ForeignKeyConstraint(
            ["reschedules_id"], ["intervention.id"], name="fk_intervention_reschedules"
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], name="fk_intervention_ticket"),
        # The last word on double booking: one technician, one place at a time.
        postgresql.ExcludeConstraint(
            (sa.column("organization_id"), "="),
            (sa.column("technician_id"), "="),
            (sa.func.tstzrange(sa.column("starts_at"), sa.column("ends_at")), "&&"),
            name="ex_intervention_technician_overlap",
            using="gist",
            where=sa.text("status <> 'CANCELLED' AND technician_id IS NOT NULL"),
        ),
        # An idempotency key belongs to the principal that sent it (the contact or the staff
        # user who booked): another caller's equal key is another booking, never a conflict.
        sa.UniqueConstraint(
            "organization_id",
            "booked_by_contact_id",
            "idempotency_key",
            name="uq_intervention_idempotency_contact",
        ),
        sa.UniqueConstraint(
            "organization_id",
            "booked_by_staff_id",
            "idempotency_key",
            name="uq_intervention_idempotency_staff",
        ),
        sa.CheckConstraint(
            "idempotency_key IS NULL OR num_nonnulls(booked_by_contact_id, booked_by_staff_id) = 1",
            name="idempotency_key_has_owner",
        ),
        sa.Index("ix_intervention_org_start", "organization_id", "starts_at", "id"),
        sa.Index("ix_intervention_site_start", "site_id", "starts_at", "id"),
        sa.Index("ix_intervention_client_start", "client_id", "starts_at", "id"),
        sa.Index("ix_intervention_technician_start", "technician_id", "starts_at"),
        reference_index("intervention", "reschedules_id"),
        reference_index("intervention", "ticket_id"),
        reference_index("intervention", "booked_by_contact_id"),
        reference_index("intervention", "booked_by_staff_id"),
    )

    client_id: uuid.UUID
    site_id: uuid.UUID
    activity_type_id: uuid.UUID
    technician_id: uuid.UUID | None = None
    starts_at: datetime = tz()
    ends_at: datetime = tz()
    status: InterventionStatus = enum_field(InterventionStatus)
    origin: InterventionOrigin = enum_field(InterventionOrigin)
    reschedules_id: uuid.UUID | None = None
    ticket_id: uuid.UUID | None = None
    notes: str = Field(default="")
    booked_by_contact_id: uuid.UUID | None = Field(default=None, foreign_key="contact.id")
    booked_by_staff_id: uuid.UUID | None = Field(default=None, foreign_key="staff_user.id")
    idempotency_key: str | None = Field(default=None, max_length=100)
