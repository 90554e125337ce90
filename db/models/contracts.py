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
    )

    client_id: uuid.UUID
    site_id: uuid.UUID | None = None
    number: str = Field(max_length=32)
    kind: str = Field(max_length=100)
    description: str = Field(default="")
    starts_on: date
    expires_on: date
