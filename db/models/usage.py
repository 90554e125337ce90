"""What callers used in their current minute: anonymous requests per address, query cost per
account. One row per key, restarted when a new minute begins (sportello/admission.py,
sportello/rate_limit.py); the partner tokens' own row is PartnerUsage (db/models/identity.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models.base import TenantBase, tz


class AddressUsage(SQLModel, table=True):
    """Requests of anonymous callers from one client address (an IPv6 /64) in one minute.

    Belongs to no organization: the caller has not said who it is. Rows of past minutes mean
    nothing and are deleted as processes see a new minute begin.
    """

    __tablename__ = "address_usage"
    __table_args__ = (sa.Index("ix_address_usage_window_start", "window_start"),)

    address: str = Field(primary_key=True, max_length=64)
    window_start: datetime = tz()
    requests: int


class AccountUsage(TenantBase, table=True):
    """Query cost spent by one staff user or contact, all its sessions together, in one minute.

    Keyed by the account rather than the session: logging in again must not buy a new budget.
    ``account_id`` is a staff user's or a contact's id (random UUIDs, so one column holds both).
    """

    __tablename__ = "account_usage"
    __table_args__ = (
        sa.UniqueConstraint(
            "account_id", "organization_id", name="uq_account_usage_account_id_org"
        ),
    )

    account_id: uuid.UUID
    window_start: datetime = tz()
    requests: int
    cost: int
