"""Initial schema: every table of SPEC §2.

btree_gist backs the exclusion constraint that keeps a technician's appointments apart.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "organization",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("logo_url", sa.String(length=500), nullable=True),
        sa.Column("portal_info_text", sa.String(), nullable=False),
        sa.Column("notification_email", sa.String(length=254), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("portal_enabled", sa.Boolean(), nullable=False),
        sa.Column("portal_fee_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("vat_rate_percent", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("reminder_offsets_days", sa.ARRAY(sa.Integer()), nullable=False),
        sa.Column("contract_alert_days", sa.Integer(), nullable=False),
        sa.Column("travel_average_speed_kmh", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("travel_road_factor", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column("travel_buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("booking_min_lead_hours", sa.Integer(), nullable=False),
        sa.Column("booking_horizon_days", sa.Integer(), nullable=False),
        sa.Column("ticket_counter", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "portal_fee_cents >= 0", name=op.f("ck_organization_portal_fee_not_negative")
        ),
        sa.CheckConstraint(
            "ticket_counter >= 0", name=op.f("ck_organization_ticket_counter_not_negative")
        ),
        sa.CheckConstraint(
            "travel_average_speed_kmh > 0", name=op.f("ck_organization_speed_positive")
        ),
        sa.CheckConstraint(
            "travel_buffer_minutes >= 0", name=op.f("ck_organization_buffer_not_negative")
        ),
        sa.CheckConstraint(
            "travel_road_factor >= 1", name=op.f("ck_organization_road_factor_at_least_one")
        ),
        sa.CheckConstraint("vat_rate_percent >= 0", name=op.f("ck_organization_vat_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
        sa.UniqueConstraint("slug", name=op.f("uq_organization_slug")),
    )
    op.create_table(
        "activity_type",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "MAINTENANCE",
                "CORRECTIVE",
                "INSTALLATION",
                "INSPECTION",
                "CLEANING",
                "SURVEY",
                name="activitykind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("portal_visible", sa.Boolean(), nullable=False),
        sa.Column("portal_bookable", sa.Boolean(), nullable=False),
        sa.Column("portal_title", sa.String(length=200), nullable=False),
        sa.Column("portal_description", sa.String(length=1000), nullable=False),
        sa.Column("portal_long_description", sa.String(), nullable=False),
        sa.Column("reschedule_allowed_statuses", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("reschedule_min_lead_hours", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "NOT portal_bookable OR portal_visible",
            name=op.f("ck_activity_type_bookable_is_visible"),
        ),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_activity_type_duration_positive")),
        sa.CheckConstraint(
            "reschedule_min_lead_hours >= 0", name=op.f("ck_activity_type_lead_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_activity_type_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_type")),
        sa.UniqueConstraint("id", "organization_id", name="uq_activity_type_id_org"),
        sa.UniqueConstraint(
            "organization_id", "name", name=op.f("uq_activity_type_organization_id_name")
        ),
    )
    op.create_index(
        op.f("ix_activity_type_organization_id"), "activity_type", ["organization_id"], unique=False
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("actor_type", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=64), nullable=True),
        sa.Column("subject_id", sa.Uuid(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_audit_event_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index(
        "ix_audit_event_org_created",
        "audit_event",
        ["organization_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_audit_event_organization_id"), "audit_event", ["organization_id"], unique=False
    )
    op.create_table(
        "client",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tax_id", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("portal_enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_client_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client")),
        sa.UniqueConstraint("id", "organization_id", name="uq_client_id_org"),
        sa.UniqueConstraint("organization_id", "code", name=op.f("uq_client_organization_id_code")),
    )
    op.create_index("ix_client_org_name", "client", ["organization_id", "name", "id"], unique=False)
    op.create_index(op.f("ix_client_organization_id"), "client", ["organization_id"], unique=False)
    op.create_table(
        "contact",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("mobile", sa.String(length=40), nullable=True),
        sa.Column("notes", sa.String(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "INVITED",
                "ACTIVE",
                "DISABLED",
                name="contactstate",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("portal_access", sa.Boolean(), nullable=False),
        sa.Column("receives_visit_reminders", sa.Boolean(), nullable=False),
        sa.Column("receives_signed_worksheets", sa.Boolean(), nullable=False),
        sa.Column("can_view_contracts", sa.Boolean(), nullable=False),
        sa.Column("can_view_invoices", sa.Boolean(), nullable=False),
        sa.Column("can_open_tickets", sa.Boolean(), nullable=False),
        sa.Column("can_book_appointments", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_contact_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sa.UniqueConstraint("id", "organization_id", name="uq_contact_id_org"),
    )
    op.create_index("ix_contact_org_mobile", "contact", ["organization_id", "mobile"], unique=False)
    op.create_index(
        "ix_contact_org_name",
        "contact",
        ["organization_id", "last_name", "first_name", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_contact_organization_id"), "contact", ["organization_id"], unique=False
    )
    op.create_index(
        "uq_contact_org_email",
        "contact",
        ["organization_id", sa.literal_column("lower(email)")],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "uq_contact_org_username",
        "contact",
        ["organization_id", sa.literal_column("lower(username)")],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "department",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("portal_visible", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_department_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department")),
        sa.UniqueConstraint("id", "organization_id", name="uq_department_id_org"),
        sa.UniqueConstraint(
            "organization_id", "name", name=op.f("uq_department_organization_id_name")
        ),
    )
    op.create_index(
        op.f("ix_department_organization_id"), "department", ["organization_id"], unique=False
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.String(), nullable=False),
        sa.Column("body_html", sa.String(), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "SENT",
                "DEAD",
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
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_message_attempts_not_negative")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_outbox_message_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint(
            "organization_id",
            "dedupe_key",
            name=op.f("uq_outbox_message_organization_id_dedupe_key"),
        ),
    )
    op.create_index(
        "ix_outbox_message_due",
        "outbox_message",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status = 'PENDING'"),
    )
    op.create_index(
        op.f("ix_outbox_message_organization_id"),
        "outbox_message",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "ADMIN",
                "OFFICE",
                "TECHNICIAN",
                name="staffrole",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("home_lat", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("home_lng", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("weekly_hours", sa.Numeric(precision=4, scale=1), nullable=True),
        sa.CheckConstraint(
            "home_lat BETWEEN -90 AND 90", name=op.f("ck_staff_user_home_lat_range")
        ),
        sa.CheckConstraint(
            "home_lng BETWEEN -180 AND 180", name=op.f("ck_staff_user_home_lng_range")
        ),
        sa.CheckConstraint(
            "weekly_hours >= 0 AND weekly_hours <= 80",
            name=op.f("ck_staff_user_weekly_hours_range"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_staff_user_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint("id", "organization_id", name="uq_staff_user_id_org"),
    )
    op.create_index(
        op.f("ix_staff_user_organization_id"), "staff_user", ["organization_id"], unique=False
    )
    op.create_index(
        "uq_staff_user_org_email",
        "staff_user",
        ["organization_id", sa.literal_column("lower(email)")],
        unique=True,
    )
    op.create_table(
        "absence",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("technician_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_absence_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_absence_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["technician_id", "organization_id"],
            ["staff_user.id", "staff_user.organization_id"],
            name="fk_absence_technician_org",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absence")),
    )
    op.create_index(
        op.f("ix_absence_organization_id"), "absence", ["organization_id"], unique=False
    )
    op.create_index(
        "ix_absence_technician_period", "absence", ["technician_id", "starts_at"], unique=False
    )
    op.create_table(
        "account_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "INVITATION",
                "PASSWORD_RESET",
                name="tokenpurpose",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("staff_user_id", sa.Uuid(), nullable=True),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "num_nonnulls(staff_user_id, contact_id) = 1", name=op.f("ck_account_token_one_account")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name="fk_account_token_contact", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_account_token_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name="fk_account_token_staff_user",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_token_token_hash")),
    )
    op.create_index("ix_account_token_contact", "account_token", ["contact_id"], unique=False)
    op.create_index(
        op.f("ix_account_token_organization_id"), "account_token", ["organization_id"], unique=False
    )
    op.create_index("ix_account_token_staff_user", "account_token", ["staff_user_id"], unique=False)
    op.create_table(
        "partner_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        sa.Column("last_four", sa.String(length=4), nullable=False),
        sa.Column("scopes", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff_user.id"], name="fk_partner_token_created_by"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_partner_token_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_token")),
        sa.UniqueConstraint("id", "organization_id", name="uq_partner_token_id_org"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_partner_token_token_hash")),
    )
    op.create_index(
        op.f("ix_partner_token_organization_id"), "partner_token", ["organization_id"], unique=False
    )
    op.create_table(
        "session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        sa.Column("staff_user_id", sa.Uuid(), nullable=True),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column(
            "last_seen_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            "num_nonnulls(staff_user_id, contact_id) = 1", name=op.f("ck_session_one_account")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name="fk_session_contact", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_session_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"], ["staff_user.id"], name="fk_session_staff_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_session_token_hash")),
    )
    op.create_index("ix_session_contact", "session", ["contact_id"], unique=False)
    op.create_index(
        op.f("ix_session_organization_id"), "session", ["organization_id"], unique=False
    )
    op.create_index("ix_session_staff_user", "session", ["staff_user_id"], unique=False)
    op.create_table(
        "site",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("postal_code", sa.String(length=16), nullable=False),
        sa.Column("province", sa.String(length=64), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("lat", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("lng", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.CheckConstraint("lat BETWEEN -90 AND 90", name=op.f("ck_site_lat_range")),
        sa.CheckConstraint("lng BETWEEN -180 AND 180", name=op.f("ck_site_lng_range")),
        sa.ForeignKeyConstraint(
            ["client_id", "organization_id"],
            ["client.id", "client.organization_id"],
            name="fk_site_client_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_site_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
        sa.UniqueConstraint("id", "client_id", name="uq_site_id_client"),
        sa.UniqueConstraint("id", "organization_id", name="uq_site_id_org"),
    )
    op.create_index("ix_site_client", "site", ["client_id", "name", "id"], unique=False)
    op.create_index(op.f("ix_site_organization_id"), "site", ["organization_id"], unique=False)
    op.create_table(
        "technician_skill",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("technician_id", sa.Uuid(), nullable=False),
        sa.Column("activity_type_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_type_id", "organization_id"],
            ["activity_type.id", "activity_type.organization_id"],
            name="fk_technician_skill_activity_type_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_technician_skill_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["technician_id", "organization_id"],
            ["staff_user.id", "staff_user.organization_id"],
            name="fk_technician_skill_technician_org",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technician_skill")),
        sa.UniqueConstraint(
            "technician_id",
            "activity_type_id",
            name=op.f("uq_technician_skill_technician_id_activity_type_id"),
        ),
    )
    op.create_index(
        "ix_technician_skill_activity_type", "technician_skill", ["activity_type_id"], unique=False
    )
    op.create_index(
        op.f("ix_technician_skill_organization_id"),
        "technician_skill",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "working_hours",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("technician_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_working_hours_ends_after_start")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_working_hours_weekday_range")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_working_hours_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["technician_id", "organization_id"],
            ["staff_user.id", "staff_user.organization_id"],
            name="fk_working_hours_technician_org",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_hours")),
    )
    op.create_index(
        op.f("ix_working_hours_organization_id"), "working_hours", ["organization_id"], unique=False
    )
    op.create_index(
        "ix_working_hours_technician", "working_hours", ["technician_id", "weekday"], unique=False
    )
    op.create_table(
        "contract",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=True),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.CheckConstraint("expires_on >= starts_on", name=op.f("ck_contract_expires_after_start")),
        sa.ForeignKeyConstraint(
            ["client_id", "organization_id"],
            ["client.id", "client.organization_id"],
            name="fk_contract_client_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_contract_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id", "client_id"],
            ["site.id", "site.client_id"],
            name="fk_contract_site_client",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract")),
        sa.UniqueConstraint(
            "organization_id", "number", name=op.f("uq_contract_organization_id_number")
        ),
    )
    op.create_index("ix_contract_client", "contract", ["client_id", "expires_on"], unique=False)
    op.create_index(
        "ix_contract_org_expires", "contract", ["organization_id", "expires_on", "id"], unique=False
    )
    op.create_index(
        op.f("ix_contract_organization_id"), "contract", ["organization_id"], unique=False
    )
    op.create_index("ix_contract_site", "contract", ["site_id"], unique=False)
    op.create_table(
        "equipment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("serial_number", sa.String(length=100), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id", "organization_id"],
            ["client.id", "client.organization_id"],
            name="fk_equipment_client_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_equipment_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id", "client_id"],
            ["site.id", "site.client_id"],
            name="fk_equipment_site_client",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment")),
        sa.UniqueConstraint("id", "site_id", name="uq_equipment_id_site"),
    )
    op.create_index("ix_equipment_client", "equipment", ["client_id"], unique=False)
    op.create_index(
        op.f("ix_equipment_organization_id"), "equipment", ["organization_id"], unique=False
    )
    op.create_index("ix_equipment_site", "equipment", ["site_id", "kind", "id"], unique=False)
    op.create_table(
        "invoice",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=True),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "DRAFT",
                "CLOSED",
                "PAID",
                "VOID",
                name="invoicestatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("net_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("cost_cents", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "(status = 'PAID') = (paid_on IS NOT NULL)", name=op.f("ck_invoice_paid_has_date")
        ),
        sa.CheckConstraint("due_on >= issued_on", name=op.f("ck_invoice_due_after_issue")),
        sa.CheckConstraint(
            "net_cents >= 0 AND vat_cents >= 0 AND cost_cents >= 0",
            name=op.f("ck_invoice_amounts_not_negative"),
        ),
        sa.CheckConstraint(
            "total_cents = net_cents + vat_cents", name=op.f("ck_invoice_total_is_net_plus_vat")
        ),
        sa.ForeignKeyConstraint(
            ["client_id", "organization_id"],
            ["client.id", "client.organization_id"],
            name="fk_invoice_client_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_invoice_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id", "client_id"],
            ["site.id", "site.client_id"],
            name="fk_invoice_site_client",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice")),
        sa.UniqueConstraint(
            "organization_id", "number", name=op.f("uq_invoice_organization_id_number")
        ),
    )
    op.create_index(
        "ix_invoice_client_issued", "invoice", ["client_id", "issued_on", "id"], unique=False
    )
    op.create_index(
        "ix_invoice_org_issued", "invoice", ["organization_id", "issued_on", "id"], unique=False
    )
    op.create_index(
        op.f("ix_invoice_organization_id"), "invoice", ["organization_id"], unique=False
    )
    op.create_index("ix_invoice_site", "invoice", ["site_id"], unique=False)
    op.create_table(
        "partner_token_client",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("partner_token_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id", "organization_id"],
            ["client.id", "client.organization_id"],
            name="fk_partner_token_client_client_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_partner_token_client_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_token_id", "organization_id"],
            ["partner_token.id", "partner_token.organization_id"],
            name="fk_partner_token_client_token_org",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_token_client")),
        sa.UniqueConstraint(
            "partner_token_id",
            "client_id",
            name=op.f("uq_partner_token_client_partner_token_id_client_id"),
        ),
    )
    op.create_index(
        op.f("ix_partner_token_client_organization_id"),
        "partner_token_client",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "portal_grant",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("site_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "num_nonnulls(client_id, site_id) = 1", name=op.f("ck_portal_grant_client_or_site")
        ),
        sa.ForeignKeyConstraint(
            ["client_id", "organization_id"],
            ["client.id", "client.organization_id"],
            name="fk_portal_grant_client_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id", "organization_id"],
            ["contact.id", "contact.organization_id"],
            name="fk_portal_grant_contact_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_portal_grant_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id", "organization_id"],
            ["site.id", "site.organization_id"],
            name="fk_portal_grant_site_org",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_grant")),
        sa.UniqueConstraint(
            "contact_id", "client_id", name=op.f("uq_portal_grant_contact_id_client_id")
        ),
        sa.UniqueConstraint(
            "contact_id", "site_id", name=op.f("uq_portal_grant_contact_id_site_id")
        ),
    )
    op.create_index("ix_portal_grant_client", "portal_grant", ["client_id"], unique=False)
    op.create_index(
        op.f("ix_portal_grant_organization_id"), "portal_grant", ["organization_id"], unique=False
    )
    op.create_index("ix_portal_grant_site", "portal_grant", ["site_id"], unique=False)
    op.create_table(
        "quote",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=True),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "DRAFT",
                "SENT",
                "ACCEPTED",
                "DECLINED",
                "EXPIRED",
                name="quotestatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("net_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("cost_cents", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "net_cents >= 0 AND vat_cents >= 0 AND cost_cents >= 0",
            name=op.f("ck_quote_amounts_not_negative"),
        ),
        sa.CheckConstraint(
            "total_cents = net_cents + vat_cents", name=op.f("ck_quote_total_is_net_plus_vat")
        ),
        sa.CheckConstraint("valid_until >= issued_on", name=op.f("ck_quote_valid_after_issue")),
        sa.ForeignKeyConstraint(
            ["client_id", "organization_id"],
            ["client.id", "client.organization_id"],
            name="fk_quote_client_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_quote_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id", "client_id"],
            ["site.id", "site.client_id"],
            name="fk_quote_site_client",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote")),
        sa.UniqueConstraint(
            "organization_id", "number", name=op.f("uq_quote_organization_id_number")
        ),
    )
    op.create_index(
        "ix_quote_client_issued", "quote", ["client_id", "issued_on", "id"], unique=False
    )
    op.create_index(
        "ix_quote_org_issued", "quote", ["organization_id", "issued_on", "id"], unique=False
    )
    op.create_index(op.f("ix_quote_organization_id"), "quote", ["organization_id"], unique=False)
    op.create_index("ix_quote_site", "quote", ["site_id"], unique=False)
    op.create_table(
        "revision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=True),
        sa.Column("technician_id", sa.Uuid(), nullable=True),
        sa.Column("due_month", sa.Date(), nullable=False),
        sa.Column("planned_date", sa.Date(), nullable=True),
        sa.Column("performed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "result",
            sa.Enum(
                "PASS",
                "PASS_WITH_REMARKS",
                "FAIL",
                name="revisionresult",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("notes", sa.String(), nullable=False),
        sa.CheckConstraint(
            "(performed_at IS NULL) = (result IS NULL)",
            name=op.f("ck_revision_performed_has_result"),
        ),
        sa.CheckConstraint(
            "extract(day FROM due_month) = 1", name=op.f("ck_revision_due_month_first_day")
        ),
        sa.ForeignKeyConstraint(
            ["client_id", "organization_id"],
            ["client.id", "client.organization_id"],
            name="fk_revision_client_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name="fk_revision_contract"),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_revision_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id", "client_id"],
            ["site.id", "site.client_id"],
            name="fk_revision_site_client",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"], ["staff_user.id"], name="fk_revision_technician"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revision")),
    )
    op.create_index("ix_revision_client", "revision", ["client_id"], unique=False)
    op.create_index(
        "ix_revision_org_due", "revision", ["organization_id", "due_month", "id"], unique=False
    )
    op.create_index(
        op.f("ix_revision_organization_id"), "revision", ["organization_id"], unique=False
    )
    op.create_index(
        "ix_revision_site_due", "revision", ["site_id", "due_month", "id"], unique=False
    )
    op.create_table(
        "ticket",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("department_id", sa.Uuid(), nullable=False),
        sa.Column("equipment_id", sa.Uuid(), nullable=True),
        sa.Column("reference_person", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("notes", sa.String(length=4000), nullable=False),
        sa.Column(
            "urgency",
            sa.Enum(
                "LOW",
                "NORMAL",
                "HIGH",
                "CRITICAL",
                name="urgency",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "urgency_rank",
            sa.SmallInteger(),
            sa.Computed(
                "CASE urgency WHEN 'CRITICAL' THEN 0 WHEN 'HIGH' THEN 1 WHEN 'NORMAL' THEN 2 ELSE 3 END",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN",
                "IN_PROGRESS",
                "WAITING_CLIENT",
                "RESOLVED",
                "CLOSED",
                name="ticketstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "opened_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("opened_by_contact_id", sa.Uuid(), nullable=True),
        sa.Column("opened_by_staff_id", sa.Uuid(), nullable=True),
        sa.Column("assigned_to_id", sa.Uuid(), nullable=True),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "num_nonnulls(opened_by_contact_id, opened_by_staff_id) = 1",
            name=op.f("ck_ticket_one_author"),
        ),
        sa.CheckConstraint("number > 0", name=op.f("ck_ticket_number_positive")),
        sa.ForeignKeyConstraint(["assigned_to_id"], ["staff_user.id"], name="fk_ticket_assignee"),
        sa.ForeignKeyConstraint(
            ["client_id", "organization_id"],
            ["client.id", "client.organization_id"],
            name="fk_ticket_client_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id", "organization_id"],
            ["department.id", "department.organization_id"],
            name="fk_ticket_department_org",
        ),
        sa.ForeignKeyConstraint(
            ["equipment_id", "site_id"],
            ["equipment.id", "equipment.site_id"],
            name="fk_ticket_equipment_site",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_contact_id"], ["contact.id"], name="fk_ticket_opened_by_contact"
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_staff_id"], ["staff_user.id"], name="fk_ticket_opened_by_staff"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_ticket_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id", "client_id"],
            ["site.id", "site.client_id"],
            name="fk_ticket_site_client",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket")),
        sa.UniqueConstraint(
            "organization_id",
            "idempotency_key",
            name=op.f("uq_ticket_organization_id_idempotency_key"),
        ),
        sa.UniqueConstraint(
            "organization_id", "number", name=op.f("uq_ticket_organization_id_number")
        ),
    )
    op.create_index(
        "ix_ticket_client_rank",
        "ticket",
        ["client_id", "urgency_rank", "opened_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_ticket_org_rank",
        "ticket",
        ["organization_id", "urgency_rank", "opened_at", "id"],
        unique=False,
    )
    op.create_index(op.f("ix_ticket_organization_id"), "ticket", ["organization_id"], unique=False)
    op.create_index(
        "ix_ticket_site_rank",
        "ticket",
        ["site_id", "urgency_rank", "opened_at", "id"],
        unique=False,
    )
    op.create_table(
        "intervention",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("activity_type_id", sa.Uuid(), nullable=False),
        sa.Column("technician_id", sa.Uuid(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "REQUESTED",
                "PLANNED",
                "IN_PROGRESS",
                "DONE",
                "CANCELLED",
                name="interventionstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "origin",
            sa.Enum(
                "STAFF",
                "PORTAL",
                "TICKET",
                "CONTRACT",
                name="interventionorigin",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reschedules_id", sa.Uuid(), nullable=True),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("notes", sa.String(), nullable=False),
        sa.Column("booked_by_contact_id", sa.Uuid(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        postgresql.ExcludeConstraint(
            (sa.column("technician_id"), "="),
            (sa.text("tstzrange(starts_at, ends_at)"), "&&"),
            where=sa.text("status <> 'CANCELLED' AND technician_id IS NOT NULL"),
            using="gist",
            name="ex_intervention_technician_overlap",
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_intervention_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["activity_type_id", "organization_id"],
            ["activity_type.id", "activity_type.organization_id"],
            name="fk_intervention_activity_type_org",
        ),
        sa.ForeignKeyConstraint(
            ["booked_by_contact_id"],
            ["contact.id"],
            name=op.f("fk_intervention_booked_by_contact_id_contact"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id", "organization_id"],
            ["client.id", "client.organization_id"],
            name="fk_intervention_client_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_intervention_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reschedules_id"], ["intervention.id"], name="fk_intervention_reschedules"
        ),
        sa.ForeignKeyConstraint(
            ["site_id", "client_id"],
            ["site.id", "site.client_id"],
            name="fk_intervention_site_client",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["technician_id", "organization_id"],
            ["staff_user.id", "staff_user.organization_id"],
            name="fk_intervention_technician_org",
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], name="fk_intervention_ticket"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervention")),
        sa.UniqueConstraint(
            "organization_id",
            "idempotency_key",
            name=op.f("uq_intervention_organization_id_idempotency_key"),
        ),
    )
    op.create_index(
        "ix_intervention_client_start",
        "intervention",
        ["client_id", "starts_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_intervention_org_start",
        "intervention",
        ["organization_id", "starts_at", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_intervention_organization_id"), "intervention", ["organization_id"], unique=False
    )
    op.create_index(
        "ix_intervention_site_start", "intervention", ["site_id", "starts_at", "id"], unique=False
    )
    op.create_index(
        "ix_intervention_technician_start",
        "intervention",
        ["technician_id", "starts_at"],
        unique=False,
    )
    op.create_table(
        "revision_item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("revision_id", sa.Uuid(), nullable=False),
        sa.Column("equipment_id", sa.Uuid(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "COMPLIANT",
                "NON_COMPLIANT",
                "NOT_CHECKED",
                name="itemoutcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id", "organization_id"],
            ["client.id", "client.organization_id"],
            name="fk_revision_item_client_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["equipment_id", "site_id"],
            ["equipment.id", "equipment.site_id"],
            name="fk_revision_item_equipment_site",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_revision_item_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revision.id"], name="fk_revision_item_revision", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["site_id", "client_id"],
            ["site.id", "site.client_id"],
            name="fk_revision_item_site_client",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revision_item")),
        sa.UniqueConstraint(
            "revision_id", "equipment_id", name=op.f("uq_revision_item_revision_id_equipment_id")
        ),
    )
    op.create_index("ix_revision_item_equipment", "revision_item", ["equipment_id"], unique=False)
    op.create_index(
        op.f("ix_revision_item_organization_id"), "revision_item", ["organization_id"], unique=False
    )
    op.create_table(
        "ticket_comment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("author_staff_id", sa.Uuid(), nullable=True),
        sa.Column("author_contact_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.String(length=4000), nullable=False),
        sa.Column("visible_to_client", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "num_nonnulls(author_staff_id, author_contact_id) = 1",
            name=op.f("ck_ticket_comment_one_author"),
        ),
        sa.ForeignKeyConstraint(
            ["author_contact_id"], ["contact.id"], name="fk_ticket_comment_contact"
        ),
        sa.ForeignKeyConstraint(
            ["author_staff_id"], ["staff_user.id"], name="fk_ticket_comment_staff"
        ),
        sa.ForeignKeyConstraint(
            ["client_id", "organization_id"],
            ["client.id", "client.organization_id"],
            name="fk_ticket_comment_client_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_ticket_comment_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id", "client_id"],
            ["site.id", "site.client_id"],
            name="fk_ticket_comment_site_client",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name="fk_ticket_comment_ticket", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_comment")),
    )
    op.create_index(
        op.f("ix_ticket_comment_organization_id"),
        "ticket_comment",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        "ix_ticket_comment_ticket", "ticket_comment", ["ticket_id", "created_at"], unique=False
    )
    op.create_table(
        "timesheet_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("technician_id", sa.Uuid(), nullable=False),
        sa.Column("intervention_id", sa.Uuid(), nullable=True),
        sa.Column("clock_in", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clock_out", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "APP",
                "NFC",
                "QR",
                "MANUAL",
                name="clocksource",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("lat", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("lng", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("internal_notes", sa.String(), nullable=False),
        sa.CheckConstraint(
            "clock_out IS NULL OR clock_out > clock_in",
            name=op.f("ck_timesheet_entry_clock_out_after_clock_in"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id", "organization_id"],
            ["client.id", "client.organization_id"],
            name="fk_timesheet_entry_client_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["intervention_id"], ["intervention.id"], name="fk_timesheet_entry_intervention"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_timesheet_entry_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id", "client_id"],
            ["site.id", "site.client_id"],
            name="fk_timesheet_entry_site_client",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["technician_id", "organization_id"],
            ["staff_user.id", "staff_user.organization_id"],
            name="fk_timesheet_entry_technician_org",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timesheet_entry")),
    )
    op.create_index(
        "ix_timesheet_entry_client_clock_in",
        "timesheet_entry",
        ["client_id", "clock_in", "id"],
        unique=False,
    )
    op.create_index(
        "ix_timesheet_entry_org_clock_in",
        "timesheet_entry",
        ["organization_id", "clock_in", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_timesheet_entry_organization_id"),
        "timesheet_entry",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        "ix_timesheet_entry_site_clock_in",
        "timesheet_entry",
        ["site_id", "clock_in", "id"],
        unique=False,
    )
    op.create_index(
        "ix_timesheet_entry_technician",
        "timesheet_entry",
        ["technician_id", "clock_in"],
        unique=False,
    )
    op.create_table(
        "work_sheet",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("intervention_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("materials", sa.String(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "DRAFT",
                "SIGNED",
                name="worksheetstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("signed_by", sa.String(length=200), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("internal_notes", sa.String(), nullable=False),
        sa.CheckConstraint(
            "(status = 'SIGNED') = (signed_at IS NOT NULL AND signed_by IS NOT NULL)",
            name=op.f("ck_work_sheet_signed_has_signature"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id", "organization_id"],
            ["client.id", "client.organization_id"],
            name="fk_work_sheet_client_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["intervention_id"], ["intervention.id"], name="fk_work_sheet_intervention"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_work_sheet_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id", "client_id"],
            ["site.id", "site.client_id"],
            name="fk_work_sheet_site_client",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_sheet")),
        sa.UniqueConstraint(
            "organization_id", "number", name=op.f("uq_work_sheet_organization_id_number")
        ),
    )
    op.create_index("ix_work_sheet_client", "work_sheet", ["client_id"], unique=False)
    op.create_index("ix_work_sheet_intervention", "work_sheet", ["intervention_id"], unique=False)
    op.create_index(
        "ix_work_sheet_org_date", "work_sheet", ["organization_id", "work_date", "id"], unique=False
    )
    op.create_index(
        op.f("ix_work_sheet_organization_id"), "work_sheet", ["organization_id"], unique=False
    )
    op.create_index(
        "ix_work_sheet_site_date", "work_sheet", ["site_id", "work_date", "id"], unique=False
    )
    op.create_table(
        "document",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=True),
        sa.Column("revision_id", sa.Uuid(), nullable=True),
        sa.Column("work_sheet_id", sa.Uuid(), nullable=True),
        sa.Column("contract_id", sa.Uuid(), nullable=True),
        sa.Column("quote_id", sa.Uuid(), nullable=True),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("intervention_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "CHECKLIST",
                "INCIDENT_REPORT",
                "MAINTENANCE_CERTIFICATE",
                "WORK_SHEET_PDF",
                "CONTRACT",
                "QUOTE",
                "INVOICE",
                "OTHER",
                name="documentkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("portal_visible", sa.Boolean(), nullable=False),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_document_sha256_hex")),
        sa.CheckConstraint(
            "num_nonnulls(revision_id, work_sheet_id, contract_id, quote_id, invoice_id, intervention_id) = 1",
            name=op.f("ck_document_one_owner"),
        ),
        sa.CheckConstraint("size_bytes >= 0", name=op.f("ck_document_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["client_id", "organization_id"],
            ["client.id", "client.organization_id"],
            name="fk_document_client_org",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"], name="fk_document_contract", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["intervention.id"],
            name="fk_document_intervention",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name="fk_document_invoice", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_document_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quote.id"], name="fk_document_quote", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revision.id"], name="fk_document_revision", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["site_id", "client_id"],
            ["site.id", "site.client_id"],
            name="fk_document_site_client",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_sheet_id"], ["work_sheet.id"], name="fk_document_work_sheet", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_document_storage_key")),
    )
    op.create_index("ix_document_client", "document", ["client_id"], unique=False)
    op.create_index("ix_document_contract_id", "document", ["contract_id"], unique=False)
    op.create_index("ix_document_intervention_id", "document", ["intervention_id"], unique=False)
    op.create_index("ix_document_invoice_id", "document", ["invoice_id"], unique=False)
    op.create_index(
        op.f("ix_document_organization_id"), "document", ["organization_id"], unique=False
    )
    op.create_index("ix_document_quote_id", "document", ["quote_id"], unique=False)
    op.create_index("ix_document_revision_id", "document", ["revision_id"], unique=False)
    op.create_index("ix_document_site", "document", ["site_id"], unique=False)
    op.create_index("ix_document_work_sheet_id", "document", ["work_sheet_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_document_work_sheet_id", table_name="document")
    op.drop_index("ix_document_site", table_name="document")
    op.drop_index("ix_document_revision_id", table_name="document")
    op.drop_index("ix_document_quote_id", table_name="document")
    op.drop_index(op.f("ix_document_organization_id"), table_name="document")
    op.drop_index("ix_document_invoice_id", table_name="document")
    op.drop_index("ix_document_intervention_id", table_name="document")
    op.drop_index("ix_document_contract_id", table_name="document")
    op.drop_index("ix_document_client", table_name="document")
    op.drop_table("document")
    op.drop_index("ix_work_sheet_site_date", table_name="work_sheet")
    op.drop_index(op.f("ix_work_sheet_organization_id"), table_name="work_sheet")
    op.drop_index("ix_work_sheet_org_date", table_name="work_sheet")
    op.drop_index("ix_work_sheet_intervention", table_name="work_sheet")
    op.drop_index("ix_work_sheet_client", table_name="work_sheet")
    op.drop_table("work_sheet")
    op.drop_index("ix_timesheet_entry_technician", table_name="timesheet_entry")
    op.drop_index("ix_timesheet_entry_site_clock_in", table_name="timesheet_entry")
    op.drop_index(op.f("ix_timesheet_entry_organization_id"), table_name="timesheet_entry")
    op.drop_index("ix_timesheet_entry_org_clock_in", table_name="timesheet_entry")
    op.drop_index("ix_timesheet_entry_client_clock_in", table_name="timesheet_entry")
    op.drop_table("timesheet_entry")
    op.drop_index("ix_ticket_comment_ticket", table_name="ticket_comment")
    op.drop_index(op.f("ix_ticket_comment_organization_id"), table_name="ticket_comment")
    op.drop_table("ticket_comment")
    op.drop_index(op.f("ix_revision_item_organization_id"), table_name="revision_item")
    op.drop_index("ix_revision_item_equipment", table_name="revision_item")
    op.drop_table("revision_item")
    op.drop_index("ix_intervention_technician_start", table_name="intervention")
    op.drop_index("ix_intervention_site_start", table_name="intervention")
    op.drop_index(op.f("ix_intervention_organization_id"), table_name="intervention")
    op.drop_index("ix_intervention_org_start", table_name="intervention")
    op.drop_index("ix_intervention_client_start", table_name="intervention")
    op.drop_table("intervention")
    op.drop_index("ix_ticket_site_rank", table_name="ticket")
    op.drop_index(op.f("ix_ticket_organization_id"), table_name="ticket")
    op.drop_index("ix_ticket_org_rank", table_name="ticket")
    op.drop_index("ix_ticket_client_rank", table_name="ticket")
    op.drop_table("ticket")
    op.drop_index("ix_revision_site_due", table_name="revision")
    op.drop_index(op.f("ix_revision_organization_id"), table_name="revision")
    op.drop_index("ix_revision_org_due", table_name="revision")
    op.drop_index("ix_revision_client", table_name="revision")
    op.drop_table("revision")
    op.drop_index("ix_quote_site", table_name="quote")
    op.drop_index(op.f("ix_quote_organization_id"), table_name="quote")
    op.drop_index("ix_quote_org_issued", table_name="quote")
    op.drop_index("ix_quote_client_issued", table_name="quote")
    op.drop_table("quote")
    op.drop_index("ix_portal_grant_site", table_name="portal_grant")
    op.drop_index(op.f("ix_portal_grant_organization_id"), table_name="portal_grant")
    op.drop_index("ix_portal_grant_client", table_name="portal_grant")
    op.drop_table("portal_grant")
    op.drop_index(
        op.f("ix_partner_token_client_organization_id"), table_name="partner_token_client"
    )
    op.drop_table("partner_token_client")
    op.drop_index("ix_invoice_site", table_name="invoice")
    op.drop_index(op.f("ix_invoice_organization_id"), table_name="invoice")
    op.drop_index("ix_invoice_org_issued", table_name="invoice")
    op.drop_index("ix_invoice_client_issued", table_name="invoice")
    op.drop_table("invoice")
    op.drop_index("ix_equipment_site", table_name="equipment")
    op.drop_index(op.f("ix_equipment_organization_id"), table_name="equipment")
    op.drop_index("ix_equipment_client", table_name="equipment")
    op.drop_table("equipment")
    op.drop_index("ix_contract_site", table_name="contract")
    op.drop_index(op.f("ix_contract_organization_id"), table_name="contract")
    op.drop_index("ix_contract_org_expires", table_name="contract")
    op.drop_index("ix_contract_client", table_name="contract")
    op.drop_table("contract")
    op.drop_index("ix_working_hours_technician", table_name="working_hours")
    op.drop_index(op.f("ix_working_hours_organization_id"), table_name="working_hours")
    op.drop_table("working_hours")
    op.drop_index(op.f("ix_technician_skill_organization_id"), table_name="technician_skill")
    op.drop_index("ix_technician_skill_activity_type", table_name="technician_skill")
    op.drop_table("technician_skill")
    op.drop_index(op.f("ix_site_organization_id"), table_name="site")
    op.drop_index("ix_site_client", table_name="site")
    op.drop_table("site")
    op.drop_index("ix_session_staff_user", table_name="session")
    op.drop_index(op.f("ix_session_organization_id"), table_name="session")
    op.drop_index("ix_session_contact", table_name="session")
    op.drop_table("session")
    op.drop_index(op.f("ix_partner_token_organization_id"), table_name="partner_token")
    op.drop_table("partner_token")
    op.drop_index("ix_account_token_staff_user", table_name="account_token")
    op.drop_index(op.f("ix_account_token_organization_id"), table_name="account_token")
    op.drop_index("ix_account_token_contact", table_name="account_token")
    op.drop_table("account_token")
    op.drop_index("ix_absence_technician_period", table_name="absence")
    op.drop_index(op.f("ix_absence_organization_id"), table_name="absence")
    op.drop_table("absence")
    op.drop_index("uq_staff_user_org_email", table_name="staff_user")
    op.drop_index(op.f("ix_staff_user_organization_id"), table_name="staff_user")
    op.drop_table("staff_user")
    op.drop_index(op.f("ix_outbox_message_organization_id"), table_name="outbox_message")
    op.drop_index(
        "ix_outbox_message_due",
        table_name="outbox_message",
        postgresql_where=sa.text("status = 'PENDING'"),
    )
    op.drop_table("outbox_message")
    op.drop_index(op.f("ix_department_organization_id"), table_name="department")
    op.drop_table("department")
    op.drop_index(
        "uq_contact_org_username",
        table_name="contact",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index(
        "uq_contact_org_email", table_name="contact", postgresql_where=sa.text("deleted_at IS NULL")
    )
    op.drop_index(op.f("ix_contact_organization_id"), table_name="contact")
    op.drop_index("ix_contact_org_name", table_name="contact")
    op.drop_index("ix_contact_org_mobile", table_name="contact")
    op.drop_table("contact")
    op.drop_index(op.f("ix_client_organization_id"), table_name="client")
    op.drop_index("ix_client_org_name", table_name="client")
    op.drop_table("client")
    op.drop_index(op.f("ix_audit_event_organization_id"), table_name="audit_event")
    op.drop_index("ix_audit_event_org_created", table_name="audit_event")
    op.drop_table("audit_event")
    op.drop_index(op.f("ix_activity_type_organization_id"), table_name="activity_type")
    op.drop_table("activity_type")
    op.drop_table("organization")
    op.execute("DROP EXTENSION IF EXISTS btree_gist")
