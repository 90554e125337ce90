"""A contact's calendar feed: the link their calendar application polls (README "Calendar feed").

One row per contact. Re-issuing replaces its seed and hash (the old link stops at once);
revoking sets ``revoked_at``. Only the SHA-256 of the link's secret is stored, and the secret
itself is derived from ``seed`` with the server's signing key (authz/identity/calendar_links.py), so
the database alone never yields a working link.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import TenantBase, reference_index, same_organization, tz


class CalendarFeed(TenantBase, table=True):
    __tablename__ = "calendar_feed"
    __table_args__ = (
        sa.UniqueConstraint("contact_id", "organization_id", name="uq_calendar_feed_contact_org"),
        sa.UniqueConstraint(
            "token_hash", "organization_id", name="uq_calendar_feed_token_hash_org"
        ),
        same_organization("calendar_feed", "contact_id", "contact", "contact"),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["staff_user.id"], name="fk_calendar_feed_issued_by"
        ),
        reference_index("calendar_feed", "issued_by_id"),
    )

    contact_id: uuid.UUID
    seed: bytes = Field(sa_type=sa.LargeBinary)
    token_hash: bytes = Field(sa_type=sa.LargeBinary)
    issued_at: datetime = tz()
    issued_by_id: uuid.UUID | None = None
    revoked_at: datetime | None = tz(nullable=True, default=None)
    # Fetches of the current link: counted, not audited one by one (a calendar polls hourly).
    fetch_count: int = 0
    last_fetched_at: datetime | None = tz(nullable=True, default=None)
