"""Staff of the service company: office people, administrators and technicians."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, time
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import TenantBase, enum_field, same_organization, tz


class StaffRole(enum.StrEnum):
    ADMIN = "ADMIN"
    OFFICE = "OFFICE"
    TECHNICIAN = "TECHNICIAN"


class StaffUser(TenantBase, table=True):
    __tablename__ = "staff_user"
    __table_args__ = (
        sa.Index(
            "uq_staff_user_org_email", "organization_id", sa.text("lower(email)"), unique=True
        ),
        sa.UniqueConstraint("id", "organization_id", name="uq_staff_user_id_org"),
        sa.CheckConstraint("home_lat BETWEEN -90 AND 90", name="home_lat_range"),
        sa.CheckConstraint("home_lng BETWEEN -180 AND 180", name="home_lng_range"),
        sa.CheckConstraint("weekly_hours >= 0 AND weekly_hours <= 80", name="weekly_hours_range"),
    )

    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str = Field(max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    role: StaffRole = enum_field(StaffRole)
    active: bool = True
    locale: str | None = Field(default=None, max_length=8)
    password_hash: str | None = Field(default=None, max_length=255)
    last_login_at: datetime | None = tz(nullable=True, default=None)
    # Technicians: where their working day starts and ends, and their contracted hours.
    home_lat: Decimal | None = Field(default=None, max_digits=9, decimal_places=6)
    home_lng: Decimal | None = Field(default=None, max_digits=9, decimal_places=6)
    weekly_hours: Decimal | None = Field(default=None, max_digits=4, decimal_places=1)


class WorkingHours(TenantBase, table=True):
    """One working span of a technician's week (Monday is 0); a day may have several spans."""

    __tablename__ = "working_hours"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        same_organization("working_hours", "technician_id", "staff_user", "technician"),
        sa.Index("ix_working_hours_technician", "technician_id", "weekday"),
    )

    technician_id: uuid.UUID
    weekday: int
    starts_at: time
    ends_at: time


class Absence(TenantBase, table=True):
    """A period in which a technician cannot be planned (holiday, sickness, training)."""

    __tablename__ = "absence"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        same_organization("absence", "technician_id", "staff_user", "technician"),
        sa.Index("ix_absence_technician_period", "technician_id", "starts_at"),
    )

    technician_id: uuid.UUID
    starts_at: datetime = tz()
    ends_at: datetime = tz()
    reason: str = Field(default="", max_length=200)


class TechnicianSkill(TenantBase, table=True):
    """A technician can perform an activity type."""

    __tablename__ = "technician_skill"
    __table_args__ = (
        sa.UniqueConstraint(
            "technician_id",
            "activity_type_id",
            "organization_id",
            name="uq_technician_skill_technician_id_activity_type_id_org",
        ),
        same_organization("technician_skill", "technician_id", "staff_user", "technician"),
        same_organization("technician_skill", "activity_type_id", "activity_type", "activity_type"),
        sa.Index("ix_technician_skill_activity_type", "activity_type_id"),
    )

    technician_id: uuid.UUID
    activity_type_id: uuid.UUID
