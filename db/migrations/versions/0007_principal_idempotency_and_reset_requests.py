"""Idempotency keys scoped to the principal that sent them; password reset requests queued.

- Appointments and tickets: an idempotency key was unique per organization, so another
  client's contact sending a key already used got CONFLICT (an oracle) and could take a
  predictable key first. Now it is unique per organization and author: the contact
  (``booked_by_contact_id``, ``opened_by_contact_id``) or the staff user
  (``booked_by_staff_id``, new, and ``opened_by_staff_id``). Two constraints per table, one
  per kind of author, so that neither holds a NULL author (PostgreSQL 14 has no
  ``NULLS NOT DISTINCT``). Keys of appointments booked by staff before this migration have no
  recorded author and are forgotten (a key only guards a retry made seconds later).
- ``password_reset_request``: what ``requestPasswordReset`` records, the same single insert
  whether the account exists or not; the mail worker looks the account up and queues the link.
  A tenant table, so it gets the row-level security policy of 0004 and the grants of
  ``sportello_app`` here.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ROLE = "sportello_app"
CURRENT_ORG = "nullif(current_setting('app.organization_id', true), '')::uuid"
# (table, the author columns, the old constraint)
KEYED = (
    (
        "intervention",
        ("booked_by_contact_id", "booked_by_staff_id"),
        "uq_intervention_organization_id_idempotency_key",
    ),
    (
        "ticket",
        ("opened_by_contact_id", "opened_by_staff_id"),
        "uq_ticket_organization_id_idempotency_key",
    ),
)


def upgrade() -> None:
    op.add_column("intervention", sa.Column("booked_by_staff_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_intervention_booked_by_staff_id_staff_user"),
        "intervention",
        "staff_user",
        ["booked_by_staff_id"],
        ["id"],
    )
    op.create_index(
        "ix_intervention_booked_by_staff_id",
        "intervention",
        ["booked_by_staff_id"],
        unique=False,
        postgresql_where=sa.text("booked_by_staff_id IS NOT NULL"),
    )
    op.execute(
        "UPDATE intervention SET idempotency_key = NULL "
        "WHERE idempotency_key IS NOT NULL AND booked_by_contact_id IS NULL"
    )
    op.create_check_constraint(
        op.f("ck_intervention_idempotency_key_has_owner"),
        "intervention",
        "idempotency_key IS NULL OR num_nonnulls(booked_by_contact_id, booked_by_staff_id) = 1",
    )
    for table, (contact, staff), old in KEYED:
        op.drop_constraint(old, table, type_="unique")
        op.create_unique_constraint(
            f"uq_{table}_idempotency_contact",
            table,
            ["organization_id", contact, "idempotency_key"],
        )
        op.create_unique_constraint(
            f"uq_{table}_idempotency_staff", table, ["organization_id", staff, "idempotency_key"]
        )

    op.create_table(
        "password_reset_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("identifier", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_password_reset_request_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset_request")),
    )
    op.create_index(
        op.f("ix_password_reset_request_organization_id"),
        "password_reset_request",
        ["organization_id"],
        unique=False,
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON password_reset_request TO {ROLE}")
    op.execute("ALTER TABLE password_reset_request ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant ON password_reset_request TO {ROLE} "
        f"USING (organization_id = {CURRENT_ORG}) "
        f"WITH CHECK (organization_id = {CURRENT_ORG})"
    )


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS tenant ON password_reset_request")
    op.execute(f"REVOKE ALL ON password_reset_request FROM {ROLE}")
    op.drop_index(
        op.f("ix_password_reset_request_organization_id"), table_name="password_reset_request"
    )
    op.drop_table("password_reset_request")
    for table, _, old in KEYED:
        op.drop_constraint(f"uq_{table}_idempotency_staff", table, type_="unique")
        op.drop_constraint(f"uq_{table}_idempotency_contact", table, type_="unique")
        # Keys that only differed by author cannot all stay unique per organization.
        op.execute(
            f"UPDATE {table} AS t SET idempotency_key = NULL FROM {table} AS o "  # noqa: S608
            "WHERE o.organization_id = t.organization_id "
            "AND o.idempotency_key = t.idempotency_key AND o.id < t.id"
        )
        op.create_unique_constraint(old, table, ["organization_id", "idempotency_key"])
    op.drop_constraint(
        op.f("ck_intervention_idempotency_key_has_owner"), "intervention", type_="check"
    )
    op.drop_index("ix_intervention_booked_by_staff_id", table_name="intervention")
    op.drop_constraint(
        op.f("fk_intervention_booked_by_staff_id_staff_user"), "intervention", type_="foreignkey"
    )
    op.drop_column("intervention", "booked_by_staff_id")
