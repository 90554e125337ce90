"""Files attached to records: checklists, certificates, signed work sheets, contracts, ..."""

from __future__ import annotations

import enum
import uuid

import sqlalchemy as sa
from sqlmodel import Field

from db.models.appointments import Intervention
from db.models.base import TenantBase, client_scope_constraints, enum_field
from db.models.billing import Invoice, Quote
from db.models.contracts import Contract
from db.models.revisions import Revision
from db.models.worksheets import WorkSheet

# The records a document can belong to, by the column of the document that points to them;
# exactly one of these columns is set. The one list of document owners: the rest derive it.
DOCUMENT_OWNERS: dict[str, type[TenantBase]] = {
    "revision_id": Revision,
    "work_sheet_id": WorkSheet,
    "contract_id": Contract,
    "quote_id": Quote,
    "invoice_id": Invoice,
    "intervention_id": Intervention,
}
OWNER_COLUMNS = tuple(DOCUMENT_OWNERS)


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
        *(
            sa.ForeignKeyConstraint(
                [column],
                [f"{owner.__tablename__}.id"],
                name=f"fk_document_{owner.__tablename__}",
                ondelete="CASCADE",
            )
            for column, owner in DOCUMENT_OWNERS.items()
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
