"""Files attached to records: checklists, certificates, signed work sheets, contracts, ..."""

from __future__ import annotations

import enum
import uuid

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import TenantBase, client_scope_constraints, enum_field

# The records a document can belong to; exactly one of these columns is set.
OWNER_COLUMNS = (
    "revision_id",
    "work_sheet_id",
    "contract_id",
    "quote_id",
    "invoice_id",
    "intervention_id",
)


class DocumentKind(enum.StrEnum):
    CHECKLIST = "CHECKLIST"
    INCIDENT_REPORT = "INCIDENT_REPORT"
    MAINTENANCE_CERTIFICATE = "MAINTENANCE_CERTIFICATE"
    WORK_SHEET_PDF = "WORK_SHEET_PDF"
    CONTRACT = "CONTRACT"
    QUOTE = "QUOTE"
    INVOICE = "INVOICE"
    OTHER = "OTHER"


class Document(TenantBase, table=True):
    """A stored file. ``client_id``/``site_id`` repeat the owner's, so scope filters it alike."""

    __tablename__ = "document"
    __table_args__ = (
        *client_scope_constraints("document"),
        sa.CheckConstraint(f"num_nonnulls({', '.join(OWNER_COLUMNS)}) = 1", name="one_owner"),
        sa.CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revision.id"], name="fk_document_revision", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["work_sheet_id"], ["work_sheet.id"], name="fk_document_work_sheet", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"], name="fk_document_contract", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quote.id"], name="fk_document_quote", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name="fk_document_invoice", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["intervention.id"],
            name="fk_document_intervention",
            ondelete="CASCADE",
        ),
        *(sa.Index(f"ix_document_{column}", column) for column in OWNER_COLUMNS),
        sa.Index("ix_document_client", "client_id", "created_at", "id"),
        sa.Index("ix_document_site", "site_id", "created_at", "id"),
        sa.Index("ix_document_org_created", "organization_id", "created_at", "id"),
        sa.UniqueConstraint("storage_key", "organization_id", name="uq_document_storage_key_org"),
    )

    client_id: uuid.UUID
    site_id: uuid.UUID | None = None
    revision_id: uuid.UUID | None = None
    work_sheet_id: uuid.UUID | None = None
    contract_id: uuid.UUID | None = None
    quote_id: uuid.UUID | None = None
    invoice_id: uuid.UUID | None = None
    intervention_id: uuid.UUID | None = None
    kind: DocumentKind = enum_field(DocumentKind)
    file_name: str = Field(max_length=255)
    mime_type: str = Field(max_length=100)
    size_bytes: int = Field(sa_type=sa.BigInteger)
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=300)
    portal_visible: bool = False
