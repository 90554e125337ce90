"""The service company's customers and their sites (sede / cantiere)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import TenantBase, same_organization, tz


class Client(TenantBase, table=True):
    __tablename__ = "client"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "code"),
        sa.UniqueConstraint("id", "organization_id", name="uq_client_id_org"),
        sa.Index("ix_client_org_name", "organization_id", "name", "id"),
        sa.Index(
            "uq_client_external_ref",
            "organization_id",
            "external_ref",
            unique=True,
            postgresql_where=sa.text("external_ref IS NOT NULL"),
        ),
    )

    code: str = Field(max_length=32)
    name: str = Field(max_length=200)
    tax_id: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    # Per-client switch of the portal; the organization has its own.
    portal_enabled: bool = True
    # The record's key in the system it is imported from (sportello import), unique per
    # organization among the rows that have one.
    external_ref: str | None = Field(default=None, max_length=100)
    # Archived (no longer served; README "Back office"): kept for the records pointing to it.
    archived_at: datetime | None = tz(nullable=True, default=None)


class Site(TenantBase, table=True):
    __tablename__ = "site"
    __table_args__ = (
        sa.UniqueConstraint("id", "client_id", "organization_id", name="uq_site_id_client_org"),
        sa.UniqueConstraint("id", "organization_id", name="uq_site_id_org"),
        same_organization("site", "client_id", "client", "client"),
        sa.CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        sa.CheckConstraint("lng BETWEEN -180 AND 180", name="lng_range"),
        sa.Index("ix_site_client", "client_id", "name", "id"),
        sa.Index("ix_site_org_name", "organization_id", "name", "id"),
        sa.Index(
            "uq_site_external_ref",
            "organization_id",
            "external_ref",
            unique=True,
            postgresql_where=sa.text("external_ref IS NOT NULL"),
        ),
    )

    client_id: uuid.UUID
    name: str = Field(max_length=200)
    address: str = Field(max_length=300)
    city: str = Field(max_length=100)
    postal_code: str = Field(max_length=16)
    province: str | None = Field(default=None, max_length=64)
    country: str = Field(default="IT", max_length=2)
    lat: Decimal = Field(max_digits=9, decimal_places=6)
    lng: Decimal = Field(max_digits=9, decimal_places=6)
    # The record's key in the system it is imported from (sportello import), unique per
    # organization among the rows that have one.
    external_ref: str | None = Field(default=None, max_length=100)
    # Archived (no longer served; README "Back office"): kept for the records pointing to it.
    archived_at: datetime | None = tz(nullable=True, default=None)
