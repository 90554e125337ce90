"""Admission counters: anonymous requests per client address, query cost per account.

``address_usage`` belongs to no organization (its callers have not said who they are), like
``login_throttle``. ``account_usage`` belongs to an organization like every tenant table, so it
gets the row-level security policy of 0004 and the grants of ``sportello_app`` here.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ROLE = "sportello_app"
CURRENT_ORG = "nullif(current_setting('app.organization_id', true), '')::uuid"


def upgrade() -> None:
    op.create_table(
        "address_usage",
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_address_usage")),
    )
    op.create_index(
        "ix_address_usage_window_start", "address_usage", ["window_start"], unique=False
    )
    op.create_table(
        "account_usage",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_account_usage_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_usage")),
        sa.UniqueConstraint("account_id", name=op.f("uq_account_usage_account_id")),
    )
    op.create_index(
        op.f("ix_account_usage_organization_id"),
        "account_usage",
        ["organization_id"],
        unique=False,
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON account_usage TO {ROLE}")
    op.execute("ALTER TABLE account_usage ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant ON account_usage TO {ROLE} "
        f"USING (organization_id = {CURRENT_ORG}) "
        f"WITH CHECK (organization_id = {CURRENT_ORG})"
    )


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS tenant ON account_usage")
    op.execute(f"REVOKE ALL ON account_usage FROM {ROLE}")
    op.drop_index(op.f("ix_account_usage_organization_id"), table_name="account_usage")
    op.drop_table("account_usage")
    op.drop_index("ix_address_usage_window_start", table_name="address_usage")
    op.drop_table("address_usage")
