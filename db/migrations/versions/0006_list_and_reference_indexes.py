"""Indexes for lists read in order and for references checked on delete.

Two rules, asserted by tests/db/test_indexes.py:

- every list that grows with the work done (documents, contracts, equipment, quotes, invoices,
  revisions, work sheets, sites, outbox) reads its page in order from an index for each scope
  it is paged under (an organization for staff, a client, a site): keyset pagination then
  reads a page's rows and stops, instead of sorting the whole scope for every page;
- every foreign key has an index led by one of its columns: deleting a contact, a staff user,
  a site or an appointment checks the rows referring to it without reading whole tables, and
  the reverse lookups (an appointment's reschedules, a ticket's appointments, an
  appointment's clock-ins) use it. Optional references get partial indexes (only the rows
  that have one).

Indexes that a wider one now covers are replaced by it (same name, more columns). Plain
``CREATE INDEX`` inside the migration's transaction, like every migration here (a failed one
leaves the database as it was); it holds writes on a table while its index is built, seconds
at the sizes the benchmarks seed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# (table, index, columns before, columns now): indexes widened to serve a list's order.
WIDENED = (
    ("equipment", "ix_equipment_client", ("client_id",), ("client_id", "kind", "id")),
    (
        "contract",
        "ix_contract_client",
        ("client_id", "expires_on"),
        ("client_id", "expires_on", "id"),
    ),
    ("contract", "ix_contract_site", ("site_id",), ("site_id", "expires_on", "id")),
    ("quote", "ix_quote_site", ("site_id",), ("site_id", "issued_on", "id")),
    ("invoice", "ix_invoice_site", ("site_id",), ("site_id", "issued_on", "id")),
    ("document", "ix_document_client", ("client_id",), ("client_id", "created_at", "id")),
    ("document", "ix_document_site", ("site_id",), ("site_id", "created_at", "id")),
    ("revision", "ix_revision_client", ("client_id",), ("client_id", "due_month", "id")),
    ("work_sheet", "ix_work_sheet_client", ("client_id",), ("client_id", "work_date", "id")),
)

# (table, index, columns, partial condition or None): new indexes.
ADDED = (
    ("site", "ix_site_org_name", ("organization_id", "name", "id"), None),
    ("equipment", "ix_equipment_org_kind", ("organization_id", "kind", "id"), None),
    ("document", "ix_document_org_created", ("organization_id", "created_at", "id"), None),
    (
        "outbox_message",
        "ix_outbox_message_org_created",
        ("organization_id", "created_at", "id"),
        None,
    ),
    (
        "revision",
        "ix_revision_site_performed",
        ("site_id", "performed_at", "id"),
        "performed_at IS NOT NULL",
    ),
    ("revision_item", "ix_revision_item_site", ("site_id",), None),
    ("ticket_comment", "ix_ticket_comment_site", ("site_id",), None),
    *(
        (table, f"ix_{table}_{column}", (column,), f"{column} IS NOT NULL")
        for table, column in (
            ("revision", "contract_id"),
            ("revision", "technician_id"),
            ("ticket", "opened_by_contact_id"),
            ("ticket", "opened_by_staff_id"),
            ("ticket", "assigned_to_id"),
            ("ticket_comment", "author_staff_id"),
            ("ticket_comment", "author_contact_id"),
            ("intervention", "reschedules_id"),
            ("intervention", "ticket_id"),
            ("intervention", "booked_by_contact_id"),
            ("timesheet_entry", "intervention_id"),
            ("partner_token", "created_by_id"),
        )
    ),
)


def _create(table: str, name: str, columns: tuple[str, ...], where: str | None = None) -> None:
    condition = sa.text(where) if where is not None else None
    op.create_index(name, table, list(columns), unique=False, postgresql_where=condition)


def upgrade() -> None:
    for table, name, _, now in WIDENED:
        op.drop_index(name, table_name=table)
        _create(table, name, now)
    for table, name, columns, where in ADDED:
        _create(table, name, columns, where)


def downgrade() -> None:
    for table, name, _, _ in reversed(ADDED):
        op.drop_index(name, table_name=table)
    for table, name, before, _ in reversed(WIDENED):
        op.drop_index(name, table_name=table)
        _create(table, name, before)
