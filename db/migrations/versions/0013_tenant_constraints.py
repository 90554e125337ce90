"""Unique and exclusion constraints of tenant tables include organization_id.

A database distributed by organization (Citus) can only enforce a unique or exclusion
constraint, or a foreign key between two distributed tables, when it includes the
distribution column; each organization's rows then live together and every check stays on one
node. Values that were unique across the whole database (token hashes, storage keys) stay
unique per organization, which is what the code relies on. The two composite keys that other
tables reference (a site of a client, an equipment of a site) gain the column too, and so do
the foreign keys that point at them. Primary keys stay ``(id)``: docs/scaling.md says why.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Unique constraints: table, name before (``_org`` is added after), columns before.
UNIQUE = [
    ("account_token", "uq_account_token_token_hash", ["token_hash"]),
    ("account_usage", "uq_account_usage_account_id", ["account_id"]),
    ("document", "uq_document_storage_key", ["storage_key"]),
    ("partner_token", "uq_partner_token_token_hash", ["token_hash"]),
    (
        "partner_token_client",
        "uq_partner_token_client_partner_token_id_client_id",
        ["partner_token_id", "client_id"],
    ),
    ("partner_usage", "uq_partner_usage_partner_token_id", ["partner_token_id"]),
    ("portal_grant", "uq_portal_grant_contact_id_client_id", ["contact_id", "client_id"]),
    ("portal_grant", "uq_portal_grant_contact_id_site_id", ["contact_id", "site_id"]),
    (
        "revision_item",
        "uq_revision_item_revision_id_equipment_id",
        ["revision_id", "equipment_id"],
    ),
    ("session", "uq_session_token_hash", ["token_hash"]),
    (
        "technician_skill",
        "uq_technician_skill_technician_id_activity_type_id",
        ["technician_id", "activity_type_id"],
    ),
]

# The same for the keys other tables reference, which their foreign keys follow.
REFERENCED = [
    ("site", "uq_site_id_client", ["id", "client_id"]),
    ("equipment", "uq_equipment_id_site", ["id", "site_id"]),
]

# Foreign keys onto those: (table, name, columns before, referred table, its columns, on delete).
SITE_TABLES = [
    "contract",
    "document",
    "equipment",
    "intervention",
    "invoice",
    "quote",
    "revision",
    "revision_item",
    "ticket",
    "ticket_comment",
    "timesheet_entry",
    "work_sheet",
]
FOREIGN = [
    *(
        (table, f"fk_{table}_site_client", ["site_id", "client_id"], "site", ["id", "client_id"])
        for table in SITE_TABLES
    ),
    (
        "revision_item",
        "fk_revision_item_equipment_site",
        ["equipment_id", "site_id"],
        "equipment",
        ["id", "site_id"],
    ),
    (
        "ticket",
        "fk_ticket_equipment_site",
        ["equipment_id", "site_id"],
        "equipment",
        ["id", "site_id"],
    ),
]
# The one key onto these whose deletes do not cascade: a ticket keeps its equipment.
NOT_CASCADING = {"fk_ticket_equipment_site"}

OVERLAP = "ex_intervention_technician_overlap"
OVERLAP_WHERE = "status <> 'CANCELLED' AND technician_id IS NOT NULL"
PERIOD = "tstzrange(starts_at, ends_at) WITH &&"


def _foreign_keys(with_org: bool) -> None:
    extra = ["organization_id"] if with_org else []
    for table, name, columns, referred, referred_columns in FOREIGN:
        op.create_foreign_key(
            name,
            table,
            referred,
            columns + extra,
            referred_columns + extra,
            ondelete=None if name in NOT_CASCADING else "CASCADE",
        )


def _exclusion(*columns: str) -> None:
    equal = ", ".join(f"{column} WITH =" for column in columns)
    op.execute(
        f"ALTER TABLE intervention ADD CONSTRAINT {OVERLAP} "
        f"EXCLUDE USING gist ({equal}, {PERIOD}) WHERE ({OVERLAP_WHERE})"
    )


def upgrade() -> None:
    for table, name, *_ in FOREIGN:
        op.drop_constraint(name, table, type_="foreignkey")
    for table, name, columns in [*REFERENCED, *UNIQUE]:
        op.drop_constraint(name, table, type_="unique")
        op.create_unique_constraint(f"{name}_org", table, [*columns, "organization_id"])
    _foreign_keys(with_org=True)
    op.drop_constraint(OVERLAP, "intervention")
    _exclusion("organization_id", "technician_id")


def downgrade() -> None:
    op.drop_constraint(OVERLAP, "intervention")
    _exclusion("technician_id")
    for table, name, *_ in FOREIGN:
        op.drop_constraint(name, table, type_="foreignkey")
    for table, name, columns in [*REFERENCED, *UNIQUE]:
        op.drop_constraint(f"{name}_org", table, type_="unique")
        op.create_unique_constraint(name, table, columns)
    _foreign_keys(with_org=False)
