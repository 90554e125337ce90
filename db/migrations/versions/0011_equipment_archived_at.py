"""Equipment can be archived (retired) by staff: ``archived_at`` on the equipment row.

The row is never deleted: revisions, tickets and work sheets that name the equipment keep
reading it. The column sits on ``equipment``, which already has its row-level security policy
and the grants of ``sportello_app`` (migration 0004); a new column inherits both.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("equipment", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("equipment", "archived_at")
