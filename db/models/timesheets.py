"""Clock-ins (timbrature) of technicians at sites."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal

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


class ClockSource(enum.StrEnum):
    APP = "APP"
    NFC = "NFC"
    QR = "QR"
    MANUAL = "MANUAL"


class TimesheetEntry(TenantBase, table=True):
    """A clock-in and (once the technician leaves) its clock-out."""

    __tablename__ = "timesheet_entry"
    __table_args__ = (
        *client_scope_constraints("timesheet_entry"),
        sa.CheckConstraint(
            "clock_out IS NULL OR clock_out > clock_in", name="clock_out_after_clock_in"
        ),
        same_organization(
            "timesheet_entry", "technician_id", "staff_user", "technician", ondelete=None
        ),
        sa.ForeignKeyConstraint(
            ["intervention_id"], ["intervention.id"], name="fk_timesheet_entry_intervention"
        ),
        sa.Index("ix_timesheet_entry_org_clock_in", "organization_id", "clock_in", "id"),
        sa.Index("ix_timesheet_entry_site_clock_in", "site_id", "clock_in", "id"),
        sa.Index("ix_timesheet_entry_client_clock_in", "client_id", "clock_in", "id"),
        sa.Index("ix_timesheet_entry_technician", "technician_id", "clock_in"),
        reference_index("timesheet_entry", "intervention_id"),
    )

    client_id: uuid.UUID
    site_id: uuid.UUID
    technician_id: uuid.UUID
    intervention_id: uuid.UUID | None = None
    clock_in: datetime = tz()
    clock_out: datetime | None = tz(nullable=True, default=None)
    source: ClockSource = enum_field(ClockSource)
    lat: Decimal | None = Field(default=None, max_digits=9, decimal_places=6)
    lng: Decimal | None = Field(default=None, max_digits=9, decimal_places=6)
    internal_notes: str = Field(default="")
