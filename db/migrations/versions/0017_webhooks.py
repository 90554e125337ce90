"""Partner webhooks: endpoints per partner token and the deliveries the worker drains.

Both tables belong to an organization, so they get the row-level security policy of 0004 and
the grants of ``sportello_app``. An endpoint keeps a random seed, not its signing secret (the
secret is derived from the seed with the server's signing key, mailer/webhooks.py).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

ROLE = "sportello_app"
CURRENT_ORG = "nullif(current_setting('app.organization_id', true), '')::uuid"
TABLES = ("webhook_endpoint", "webhook_delivery")


def _common() -> list[sa.Column[Any]]:
    """The id, creation time and organization every tenant table starts with."""
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
    ]


def _tenant(table: str) -> list[sa.Constraint]:
    """The organization key and primary key every tenant table has."""
    return [
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f(f"fk_{table}_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "webhook_endpoint",
        *_common(),
        sa.Column("partner_token_id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("seed", sa.LargeBinary(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        *_tenant("webhook_endpoint"),
        sa.ForeignKeyConstraint(
            ["partner_token_id", "organization_id"],
            ["partner_token.id", "partner_token.organization_id"],
            name="fk_webhook_endpoint_token_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff_user.id"], name="fk_webhook_endpoint_created_by"
        ),
        sa.UniqueConstraint("id", "organization_id", name="uq_webhook_endpoint_id_org"),
    )
    op.create_index(
        op.f("ix_webhook_endpoint_organization_id"), "webhook_endpoint", ["organization_id"]
    )
    op.create_index(
        "ix_webhook_endpoint_partner_token_id", "webhook_endpoint", ["partner_token_id"]
    )
    op.create_index(
        "ix_webhook_endpoint_created_by_id",
        "webhook_endpoint",
        ["created_by_id"],
        postgresql_where=sa.text("created_by_id IS NOT NULL"),
    )
    op.create_table(
        "webhook_delivery",
        *_common(),
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "SENT",
                "DEAD",
                "CANCELLED",
                name="outboxstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_webhook_delivery_attempts_not_negative")),
        *_tenant("webhook_delivery"),
        sa.ForeignKeyConstraint(
            ["endpoint_id", "organization_id"],
            ["webhook_endpoint.id", "webhook_endpoint.organization_id"],
            name="fk_webhook_delivery_endpoint_org",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        op.f("ix_webhook_delivery_organization_id"), "webhook_delivery", ["organization_id"]
    )
    op.create_index(
        "ix_webhook_delivery_due",
        "webhook_delivery",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'PENDING'"),
    )
    op.create_index(
        "ix_webhook_delivery_endpoint_created",
        "webhook_delivery",
        ["endpoint_id", "created_at", "id"],
    )
    for table in TABLES:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {ROLE}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant ON {table} TO {ROLE} "
            f"USING (organization_id = {CURRENT_ORG}) "
            f"WITH CHECK (organization_id = {CURRENT_ORG})"
        )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"DROP POLICY IF EXISTS tenant ON {table}")
        op.execute(f"REVOKE ALL ON {table} FROM {ROLE}")
        op.drop_table(table)
