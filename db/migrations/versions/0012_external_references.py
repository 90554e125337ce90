"""External references: the key of a record in the system it is imported from.

Clients, sites, departments, equipment and contracts get an optional ``external_ref`` (at
most 100 characters), unique per organization among the rows of a table that have one (a
partial unique index): ``sportello import`` and ``importRecords`` match the rows of a file
to the records they created before by it, so importing a file again changes nothing. The
tables keep their row-level security policies and the grants of ``sportello_app`` (migration
0004): a new column inherits both.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("client", "site", "department", "equipment", "contract")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("external_ref", sa.String(length=100), nullable=True))
        op.create_index(
            f"uq_{table}_external_ref",
            table,
            ["organization_id", "external_ref"],
            unique=True,
            postgresql_where=sa.text("external_ref IS NOT NULL"),
        )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_index(f"uq_{table}_external_ref", table_name=table)
        op.drop_column(table, "external_ref")
