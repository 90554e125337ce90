"""Clients, sites and departments can be archived (soft delete) by staff.

``archived_at`` is null for a record in use. An archived record stays in its table because
appointments, tickets, work sheets, invoices and a contact's history point to it; what
archiving changes is written in the README ("Back office"). The tables keep their row-level
security policies and grants (migration 0004): new columns inherit both.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("client", "site", "department")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_column(table, "archived_at")
