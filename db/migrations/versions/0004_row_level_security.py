"""Row-level security: a second wall between organizations.

Every tenant table gets a policy that shows and accepts only rows of the organization named by
the transaction-local setting ``app.organization_id``. Requests of a logged-in principal run as
the role ``sportello_app`` (``SET LOCAL ROLE``), which these policies bind; a query that forgot
its organization filter still returns nothing of another organization. The connecting role
owns the tables and is not bound (no FORCE): migrations, the seed, and the authentication step
that has to find a session before it knows the organization run as it.

The role is cluster-wide and created only when missing. With an external DATABASE_URL whose
user may not create roles, an administrator creates ``sportello_app`` (NOLOGIN) and grants it
to that user first.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ROLE = "sportello_app"

TENANT_TABLES = (
    "absence",
    "account_token",
    "activity_type",
    "audit_event",
    "client",
    "contact",
    "contract",
    "department",
    "document",
    "equipment",
    "intervention",
    "invoice",
    "outbox_message",
    "partner_token",
    "partner_token_client",
    "portal_grant",
    "quote",
    "revision",
    "revision_item",
    "session",
    "site",
    "staff_user",
    "technician_skill",
    "ticket",
    "ticket_comment",
    "timesheet_entry",
    "work_sheet",
    "working_hours",
)

CURRENT_ORG = "nullif(current_setting('app.organization_id', true), '')::uuid"


def upgrade() -> None:
    op.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN
                CREATE ROLE {ROLE} NOLOGIN;
            END IF;
        END
        $$
        """
    )
    op.execute(f"GRANT {ROLE} TO CURRENT_USER")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {ROLE}")
    for table in (*TENANT_TABLES, "organization"):
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {ROLE}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    # Login throttling is keyed by identifier and address, not by organization.
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO {ROLE}")
    op.execute(
        f"CREATE POLICY tenant ON organization TO {ROLE} "
        f"USING (id = {CURRENT_ORG}) WITH CHECK (id = {CURRENT_ORG})"
    )
    for table in TENANT_TABLES:
        op.execute(
            f"CREATE POLICY tenant ON {table} TO {ROLE} "
            f"USING (organization_id = {CURRENT_ORG}) "
            f"WITH CHECK (organization_id = {CURRENT_ORG})"
        )


def downgrade() -> None:
    for table in (*TENANT_TABLES, "organization"):
        op.execute(f"DROP POLICY IF EXISTS tenant ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute(f"REVOKE ALL ON {table} FROM {ROLE}")
    op.execute(f"REVOKE ALL ON login_throttle FROM {ROLE}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {ROLE}")
