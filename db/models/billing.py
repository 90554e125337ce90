"""Quotes and invoices sent to clients. Amounts are in cents; cost is staff-only."""

from __future__ import annotations

import enum
import uuid
from datetime import date

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import TenantBase, client_scope_constraints, enum_field


class QuoteStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    SENT = "SENT"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"


class InvoiceStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    CLOSED = "CLOSED"
    PAID = "PAID"
    VOID = "VOID"


def _amount_checks() -> tuple[sa.CheckConstraint, ...]:
    return (
        sa.CheckConstraint(
            "net_cents >= 0 AND vat_cents >= 0 AND cost_cents >= 0", name="amounts_not_negative"
        ),
        sa.CheckConstraint("total_cents = net_cents + vat_cents", name="total_is_net_plus_vat"),
    )


class Quote(TenantBase, table=True):
    __tablename__ = "quote"
    __table_args__ = (
        *client_scope_constraints("quote"),
        *_amount_checks(),
        sa.UniqueConstraint("organization_id", "number"),
        sa.CheckConstraint("valid_until >= issued_on", name="valid_after_issue"),
        sa.Index("ix_quote_org_issued", "organization_id", "issued_on", "id"),
        sa.Index("ix_quote_client_issued", "client_id", "issued_on", "id"),
        sa.Index("ix_quote_site", "site_id", "issued_on", "id"),
    )

    client_id: uuid.UUID
    site_id: uuid.UUID | None = None
    number: str = Field(max_length=32)
    title: str = Field(max_length=200)
    issued_on: date
    valid_until: date
    status: QuoteStatus = enum_field(QuoteStatus)
    net_cents: int = Field(sa_type=sa.BigInteger)
    vat_cents: int = Field(sa_type=sa.BigInteger)
    total_cents: int = Field(sa_type=sa.BigInteger)
    cost_cents: int = Field(default=0, sa_type=sa.BigInteger)


class Invoice(TenantBase, table=True):
    __tablename__ = "invoice"
    __table_args__ = (
        *client_scope_constraints("invoice"),
        *_amount_checks(),
        sa.UniqueConstraint("organization_id", "number"),
        sa.CheckConstraint("due_on >= issued_on", name="due_after_issue"),
        sa.CheckConstraint("(status = 'PAID') = (paid_on IS NOT NULL)", name="paid_has_date"),
        sa.Index("ix_invoice_org_issued", "organization_id", "issued_on", "id"),
        sa.Index("ix_invoice_client_issued", "client_id", "issued_on", "id"),
        sa.Index("ix_invoice_site", "site_id", "issued_on", "id"),
    )

    client_id: uuid.UUID
    site_id: uuid.UUID | None = None
    number: str = Field(max_length=32)
    issued_on: date
    due_on: date
    paid_on: date | None = None
    status: InvoiceStatus = enum_field(InvoiceStatus)
    net_cents: int = Field(sa_type=sa.BigInteger)
    vat_cents: int = Field(sa_type=sa.BigInteger)
    total_cents: int = Field(sa_type=sa.BigInteger)
    cost_cents: int = Field(default=0, sa_type=sa.BigInteger)
