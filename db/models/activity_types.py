"""What technicians do at sites, and how each kind of work shows and books on the portal."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import TenantBase, enum_field, text_array


class ActivityKind(enum.StrEnum):
    MAINTENANCE = "MAINTENANCE"
    CORRECTIVE = "CORRECTIVE"
    INSTALLATION = "INSTALLATION"
    INSPECTION = "INSPECTION"
    CLEANING = "CLEANING"
    SURVEY = "SURVEY"


class ActivityType(TenantBase, table=True):
    __tablename__ = "activity_type"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "name"),
        sa.UniqueConstraint("id", "organization_id", name="uq_activity_type_id_org"),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("reschedule_min_lead_hours >= 0", name="lead_not_negative"),
        sa.CheckConstraint("NOT portal_bookable OR portal_visible", name="bookable_is_visible"),
    )

    name: str = Field(max_length=120)
    kind: ActivityKind = enum_field(ActivityKind)
    duration_minutes: int
    portal_visible: bool = False
    portal_bookable: bool = False
    # Templates with substitution codes such as {site.name}, {date}, {technician.first_name}.
    portal_title: str = Field(default="", max_length=200)
    portal_description: str = Field(default="", max_length=1000)
    portal_long_description: str = Field(default="")
    # Reschedule conditions: in which appointment statuses, and how long before the start.
    reschedule_allowed_statuses: list[str] = text_array(default_factory=list)
    reschedule_min_lead_hours: int = 48
