"""Work sheets (fogli di intervento): what was done at a visit, signed by the client."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import TenantBase, client_scope_constraints, enum_field, tz


class WorkSheetStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    SIGNED = "SIGNED"


class WorkSheet(TenantBase, table=True):
    __tablename__ = "work_sheet"
    __table_args__ = (
        *client_scope_constraints("work_sheet"),
        sa.UniqueConstraint("organization_id", "number"),
        sa.ForeignKeyConstraint(
            ["intervention_id"], ["intervention.id"], name="fk_work_sheet_intervention"
        ),
        sa.CheckConstraint(
            "(status = 'SIGNED') = (signed_at IS NOT NULL AND signed_by IS NOT NULL)",
            name="signed_has_signature",
        ),
        sa.Index("ix_work_sheet_site_date", "site_id", "work_date", "id"),
        sa.Index("ix_work_sheet_org_date", "organization_id", "work_date", "id"),
        sa.Index("ix_work_sheet_client", "client_id", "work_date", "id"),
        sa.Index("ix_work_sheet_intervention", "intervention_id"),
    )

    client_id: uuid.UUID
    site_id: uuid.UUID
    intervention_id: uuid.UUID
    number: str = Field(max_length=32)
    work_date: date
    description: str = Field(default="")
    materials: str = Field(default="")
    status: WorkSheetStatus = enum_field(WorkSheetStatus, default=WorkSheetStatus.DRAFT)
    signed_by: str | None = Field(default=None, max_length=200)
    signed_at: datetime | None = tz(nullable=True, default=None)
    internal_notes: str = Field(default="")
