"""Calendar feeds: one per contact, its secret stored as a SHA-256 hash.

A table of its own rather than columns on ``contact``: a feed has its own life (issued by whom
and when, revoked, re-issued, fetched how often) that would otherwise widen every contact
read. It belongs to an organization like every tenant table, so it gets the row-level security
policy of 0004 and the grants of ``sportello_app`` here.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

ROLE = "sportello_app"
CURRENT_ORG = "nullif(current_setting('app.organization_id', true), '')::uuid"


def upgrade() -> None:
    op.create_table(
        "calendar_feed",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("seed", sa.LargeBinary(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fetch_count", sa.Integer(), nullable=False),
        sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id", "organization_id"],
            ["contact.id", "contact.organization_id"],
            name="fk_calendar_feed_contact_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["staff_user.id"], name="fk_calendar_feed_issued_by"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_calendar_feed_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed")),
        sa.UniqueConstraint("contact_id", "organization_id", name="uq_calendar_feed_contact_org"),
        sa.UniqueConstraint(
            "token_hash", "organization_id", name="uq_calendar_feed_token_hash_org"
        ),
    )
    op.create_index(op.f("ix_calendar_feed_organization_id"), "calendar_feed", ["organization_id"])
    op.create_index(
        "ix_calendar_feed_issued_by_id",
        "calendar_feed",
        ["issued_by_id"],
        postgresql_where=sa.text("issued_by_id IS NOT NULL"),
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON calendar_feed TO {ROLE}")
    op.execute("ALTER TABLE calendar_feed ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant ON calendar_feed TO {ROLE} "
        f"USING (organization_id = {CURRENT_ORG}) "
        f"WITH CHECK (organization_id = {CURRENT_ORG})"
    )


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS tenant ON calendar_feed")
    op.execute(f"REVOKE ALL ON calendar_feed FROM {ROLE}")
    op.drop_index("ix_calendar_feed_issued_by_id", table_name="calendar_feed")
    op.drop_index(op.f("ix_calendar_feed_organization_id"), table_name="calendar_feed")
    op.drop_table("calendar_feed")
