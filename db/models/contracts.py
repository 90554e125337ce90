"""Service contracts with a client, for the whole client or one of its sites."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import TenantBase, client_scope_constraints


class Contract(TenantBase, table=True):
    __tablename__ = "contract"
    __table_args__ = (
        *client_scope_constraints("contract"),
        sa.UniqueConstraint("organization_id", "number"),
        sa.CheckConstraint("expires_on >= starts_on", name="expires_after_start"),
        sa.Index("ix_contract_org_expires", "organization_id", "expires_on", "id"),
        sa.Index("ix_contract_client", "client_id", "expires_on", "id"),
        sa.Index("ix_contract_site", "site_id", "expires_on", "id"),
        sa.Index(
            "uq_contract_external_ref",
            "organization_id",
            "external_ref",
            unique=True,
            postgresql_where=sa.text("external_ref IS NOT NULL"),
        ),
    )

    client_id: uuid.UUID
    site_id: uuid.UUID | None = None
    number: str = Field(max_length=32)
    kind: str = Field(max_length=100)
    description: str = Field(default="")
    starts_on: date
    expires_on: date
    # The record's key in the system it is imported from (sportello import), unique per
    # organization among the rows that have one.
    external_ref: str | None = Field(default=None, max_length=100)
