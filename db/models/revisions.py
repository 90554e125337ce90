"""Inspection revisions of a site and their result for each piece of equipment."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import (
    TenantBase,
    client_scope_constraints,
    enum_field,
    reference_index,
    tz,
)


class RevisionResult(enum.StrEnum):
    PASS = "PASS"  # noqa: S105 (a result, not a secret)
    PASS_WITH_REMARKS = "PASS_WITH_REMARKS"  # noqa: S105
    FAIL = "FAIL"


class ItemOutcome(enum.StrEnum):
    COMPLIANT = "COMPLIANT"
    NON_COMPLIANT = "NON_COMPLIANT"
    NOT_CHECKED = "NOT_CHECKED"


class Revision(TenantBase, table=True):
    """Due in a month; planned on a date once scheduled; performed with a result, or cancelled."""

    __tablename__ = "revision"
    __table_args__ = (
        *client_scope_constraints("revision"),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name="fk_revision_contract"),
        sa.ForeignKeyConstraint(
            ["technician_id"], ["staff_user.id"], name="fk_revision_technician"
        ),
        sa.CheckConstraint("extract(day FROM due_month) = 1", name="due_month_first_day"),
        sa.CheckConstraint(
            "(performed_at IS NULL) = (result IS NULL)", name="performed_has_result"
        ),
        sa.CheckConstraint(
            "performed_at IS NULL OR cancelled_at IS NULL", name="performed_or_cancelled"
        ),
        sa.Index("ix_revision_site_due", "site_id", "due_month", "id"),
        sa.Index("ix_revision_org_due", "organization_id", "due_month", "id"),
        sa.Index("ix_revision_client", "client_id", "due_month", "id"),
        # A site's last performed revision (its dashboard).
        sa.Index(
            "ix_revision_site_performed",
            "site_id",
            "performed_at",
            "id",
            postgresql_where=sa.text("performed_at IS NOT NULL"),
        ),
        reference_index("revision", "contract_id"),
        reference_index("revision", "technician_id"),
    )

    client_id: uuid.UUID
    site_id: uuid.UUID
    contract_id: uuid.UUID | None = None
    technician_id: uuid.UUID | None = None
    due_month: date
    planned_date: date | None = None
    performed_at: datetime | None = tz(nullable=True, default=None)
    result: RevisionResult | None = enum_field(RevisionResult, default=None, nullable=True)
    # Cancelled by the office before it was performed: kept, never "next" again (0016).
    cancelled_at: datetime | None = tz(nullable=True, default=None)
    notes: str = Field(default="")


class RevisionItem(TenantBase, table=True):
    """The outcome of one piece of equipment in one revision."""

    __tablename__ = "revision_item"
    __table_args__ = (
        *client_scope_constraints("revision_item"),
        sa.UniqueConstraint(
            "revision_id",
            "equipment_id",
            "organization_id",
            name="uq_revision_item_revision_id_equipment_id_org",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revision.id"], name="fk_revision_item_revision", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["equipment_id", "site_id", "organization_id"],
            ["equipment.id", "equipment.site_id", "equipment.organization_id"],
            name="fk_revision_item_equipment_site",
            ondelete="CASCADE",
        ),
        sa.Index("ix_revision_item_equipment", "equipment_id"),
        sa.Index("ix_revision_item_site", "site_id"),
    )

    client_id: uuid.UUID
    site_id: uuid.UUID
    revision_id: uuid.UUID
    equipment_id: uuid.UUID
    outcome: ItemOutcome = enum_field(ItemOutcome)
    notes: str = Field(default="")
