"""Client contacts (the portal users) and what they may see (portal grants)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import TenantBase, enum_field, same_organization, tz


class ContactState(enum.StrEnum):
    INVITED = "INVITED"
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"


class Contact(TenantBase, table=True):
    """A person at a client with a portal access.

    Deleting an access keeps the row with ``deleted_at`` set: the access must still be billed for
    the month it existed in. Email and username are unique among the accesses not deleted.
    """

    __tablename__ = "contact"
    __table_args__ = (
        sa.Index(
            "uq_contact_org_email",
            "organization_id",
            sa.text("lower(email)"),
            unique=True,
            postgresql_where=sa.text("deleted_at IS NULL"),
        ),
        sa.Index(
            "uq_contact_org_username",
            "organization_id",
            sa.text("lower(username)"),
            unique=True,
            postgresql_where=sa.text("deleted_at IS NULL"),
        ),
        sa.UniqueConstraint("id", "organization_id", name="uq_contact_id_org"),
        sa.Index("ix_contact_org_name", "organization_id", "last_name", "first_name", "id"),
        sa.Index("ix_contact_org_mobile", "organization_id", "mobile"),
    )

    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str = Field(max_length=254)
    username: str = Field(max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    mobile: str | None = Field(default=None, max_length=40)
    notes: str = Field(default="")
    locale: str | None = Field(default=None, max_length=8)
    password_hash: str | None = Field(default=None, max_length=255)
    state: ContactState = enum_field(ContactState, default=ContactState.INVITED)
    last_login_at: datetime | None = tz(nullable=True, default=None)
    deleted_at: datetime | None = tz(nullable=True, default=None)
    # Feature flags: what this access may use of the portal.
    portal_access: bool = True
    receives_visit_reminders: bool = False
    receives_signed_worksheets: bool = False
    can_view_contracts: bool = False
    can_view_invoices: bool = False
    can_open_tickets: bool = False
    can_book_appointments: bool = False


class PortalGrant(TenantBase, table=True):
    """A contact sees a whole client (all its sites, future ones too) or one site of it."""

    __tablename__ = "portal_grant"
    __table_args__ = (
        sa.CheckConstraint("num_nonnulls(client_id, site_id) = 1", name="client_or_site"),
        sa.UniqueConstraint(
            "contact_id",
            "client_id",
            "organization_id",
            name="uq_portal_grant_contact_id_client_id_org",
        ),
        sa.UniqueConstraint(
            "contact_id",
            "site_id",
            "organization_id",
            name="uq_portal_grant_contact_id_site_id_org",
        ),
        same_organization("portal_grant", "contact_id", "contact", "contact"),
        same_organization("portal_grant", "client_id", "client", "client"),
        same_organization("portal_grant", "site_id", "site", "site"),
        sa.Index("ix_portal_grant_client", "client_id"),
        sa.Index("ix_portal_grant_site", "site_id"),
    )

    contact_id: uuid.UUID
    client_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None
