"""Revisions can be cancelled by the office: ``cancelled_at`` on the revision row.

A cancelled revision is kept (a contact may have seen it as a site's next revision, and it
stays in their list marked cancelled) and is never a site's "next" one again; a revision is
performed or cancelled, never both. The column sits on ``revision``, which already has its
row-level security policy and the grants of ``sportello_app`` (migration 0004); a new column
inherits both.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("revision", sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        op.f("ck_revision_performed_or_cancelled"),
        "revision",
        "performed_at IS NULL OR cancelled_at IS NULL",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_revision_performed_or_cancelled"), "revision", type_="check")
    op.drop_column("revision", "cancelled_at")
