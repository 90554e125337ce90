"""Sessions, one-use account tokens and partner API tokens. Only hashes of secrets are stored."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models.base import (
    TenantBase,
    enum_field,
    reference_index,
    same_organization,
    text_array,
    tz,
)


class Session(TenantBase, table=True):
    """A login of a staff user or a contact; the token itself is never stored."""

    __tablename__ = "session"
    __table_args__ = (
        sa.CheckConstraint("num_nonnulls(staff_user_id, contact_id) = 1", name="one_account"),
        sa.ForeignKeyConstraint(
            ["staff_user_id"], ["staff_user.id"], name="fk_session_staff_user", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name="fk_session_contact", ondelete="CASCADE"
        ),
        sa.Index("ix_session_staff_user", "staff_user_id"),
        sa.Index("ix_session_contact", "contact_id"),
        sa.UniqueConstraint("token_hash", "organization_id", name="uq_session_token_hash_org"),
    )

    token_hash: bytes = Field(sa_type=sa.LargeBinary)
    staff_user_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    last_seen_at: datetime = tz(server_now=True)
    expires_at: datetime = tz()
    revoked_at: datetime | None = tz(nullable=True, default=None)
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)


class TokenPurpose(enum.StrEnum):
    INVITATION = "INVITATION"
    PASSWORD_RESET = "PASSWORD_RESET"  # noqa: S105 (a purpose, not a secret)


class AccountToken(TenantBase, table=True):
    """A one-use link token (invitation or password reset) bound to one account and purpose."""

    __tablename__ = "account_token"
    __table_args__ = (
        sa.CheckConstraint("num_nonnulls(staff_user_id, contact_id) = 1", name="one_account"),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name="fk_account_token_staff_user",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name="fk_account_token_contact", ondelete="CASCADE"
        ),
        sa.Index("ix_account_token_contact", "contact_id"),
        sa.Index("ix_account_token_staff_user", "staff_user_id"),
        sa.UniqueConstraint(
            "token_hash", "organization_id", name="uq_account_token_token_hash_org"
        ),
    )

    token_hash: bytes = Field(sa_type=sa.LargeBinary)
    purpose: TokenPurpose = enum_field(TokenPurpose)
    staff_user_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    expires_at: datetime = tz()
    used_at: datetime | None = tz(nullable=True, default=None)
    # Set when a newer token of the same purpose replaces this one.
    superseded_at: datetime | None = tz(nullable=True, default=None)


class PartnerToken(TenantBase, table=True):
    """An API token of a reporting partner; optionally limited to some clients."""

    __tablename__ = "partner_token"
    __table_args__ = (
        sa.UniqueConstraint("id", "organization_id", name="uq_partner_token_id_org"),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff_user.id"], name="fk_partner_token_created_by"
        ),
        reference_index("partner_token", "created_by_id"),
        sa.UniqueConstraint(
            "token_hash", "organization_id", name="uq_partner_token_token_hash_org"
        ),
    )

    name: str = Field(max_length=120)
    token_hash: bytes = Field(sa_type=sa.LargeBinary)
    last_four: str = Field(max_length=4)
    scopes: list[str] = text_array(default_factory=list)
    expires_at: datetime | None = tz(nullable=True, default=None)
    last_used_at: datetime | None = tz(nullable=True, default=None)
    revoked_at: datetime | None = tz(nullable=True, default=None)
    created_by_id: uuid.UUID | None = None


class PartnerTokenClient(TenantBase, table=True):
    """A client a restricted partner token may report on. No rows: the whole organization."""

    __tablename__ = "partner_token_client"
    __table_args__ = (
        sa.UniqueConstraint(
            "partner_token_id",
            "client_id",
            "organization_id",
            name="uq_partner_token_client_partner_token_id_client_id_org",
        ),
        same_organization("partner_token_client", "partner_token_id", "partner_token", "token"),
        same_organization("partner_token_client", "client_id", "client", "client"),
    )

    partner_token_id: uuid.UUID
    client_id: uuid.UUID


class PartnerUsage(TenantBase, table=True):
    """What one partner token used in its current one-minute window: requests and query cost.

    One row per token, restarted when a new minute begins (sportello/rate_limit.py).
    """

    __tablename__ = "partner_usage"
    __table_args__ = (
        sa.UniqueConstraint(
            "partner_token_id", "organization_id", name="uq_partner_usage_partner_token_id_org"
        ),
        same_organization("partner_usage", "partner_token_id", "partner_token", "token"),
    )

    partner_token_id: uuid.UUID
    window_start: datetime = tz()
    requests: int
    cost: int


class PasswordResetRequest(TenantBase, table=True):
    """A password reset someone asked for, as typed, waiting for the mail worker.

    Asking only inserts this row, the same for every identifier; the worker looks the account
    up and queues the link (authz/identity/login.py), so the request's time tells nothing.
    The worker deletes the row in the transaction that queues the mail.
    """

    __tablename__ = "password_reset_request"

    identifier: str = Field(max_length=254)
    ip: str | None = Field(default=None, max_length=64)


class LoginThrottle(SQLModel, table=True):
    """Failed logins counted per key: an identifier of an organization (normalised), an
    address, or an account (authz/identity/login.py says which of them may answer RATE_LIMITED).
    """

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=400)
    failures: int = 0
    last_failure_at: datetime = tz()
    blocked_until: datetime | None = tz(nullable=True, default=None)
