"""Partner usage: requests and query cost per partner token in its current minute.

The table belongs to an organization like every tenant table, so it gets the row-level
security policy of 0004 and the grants of ``sportello_app`` here.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ROLE = "sportello_app"
CURRENT_ORG = "nullif(current_setting('app.organization_id', true), '')::uuid"


def upgrade() -> None:
    op.create_table(
        "partner_usage",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("partner_token_id", sa.Uuid(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_partner_usage_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_token_id", "organization_id"],
            ["partner_token.id", "partner_token.organization_id"],
            name="fk_partner_usage_token_org",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_usage")),
        sa.UniqueConstraint("partner_token_id", name=op.f("uq_partner_usage_partner_token_id")),
    )
    op.create_index(
        op.f("ix_partner_usage_organization_id"),
        "partner_usage",
        ["organization_id"],
        unique=False,
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON partner_usage TO {ROLE}")
    op.execute("ALTER TABLE partner_usage ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant ON partner_usage TO {ROLE} "
        f"USING (organization_id = {CURRENT_ORG}) "
        f"WITH CHECK (organization_id = {CURRENT_ORG})"
    )


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS tenant ON partner_usage")
    op.execute(f"REVOKE ALL ON partner_usage FROM {ROLE}")
    op.drop_index(op.f("ix_partner_usage_organization_id"), table_name="partner_usage")
    op.drop_table("partner_usage")
