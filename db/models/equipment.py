"""Equipment installed at a client's site (extinguishers, boilers, fire doors, ...)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import TenantBase, client_scope_constraints, tz


class Equipment(TenantBase, table=True):
    __tablename__ = "equipment"
    __table_args__ = (
        *client_scope_constraints("equipment"),
        # Lets a ticket's (equipment_id, site_id) reference prove the equipment is at that site.
        sa.UniqueConstraint("id", "site_id", "organization_id", name="uq_equipment_id_site_org"),
        sa.Index("ix_equipment_site", "site_id", "kind", "id"),
        sa.Index("ix_equipment_client", "client_id", "kind", "id"),
        sa.Index("ix_equipment_org_kind", "organization_id", "kind", "id"),
        sa.Index(
            "uq_equipment_external_ref",
            "organization_id",
            "external_ref",
            unique=True,
            postgresql_where=sa.text("external_ref IS NOT NULL"),
        ),
    )

    client_id: uuid.UUID
    site_id: uuid.UUID
    kind: str = Field(max_length=100)
    model: str | None = Field(default=None, max_length=200)
    serial_number: str | None = Field(default=None, max_length=100)
    location: str | None = Field(default=None, max_length=200)
    installed_on: date | None = None
    # The record's key in the system it is imported from (sportello import), unique per
    # organization among the rows that have one.
    external_ref: str | None = Field(default=None, max_length=100)
    # Set when staff retire it (archiveEquipment); the row stays, so revisions, tickets and
    # work sheets that name it still read it.
    archived_at: datetime | None = tz(nullable=True, default=None)
