"""Inputs of the staff mutations on equipment, contracts, quotes and invoices, and the checks
of their plain fields (each refusal names the GraphQL input field).

On an update a field left out (null) stays as it is; an optional text given as "" clears it.
Amounts are integer cents; the total is always net plus VAT, so it is never an input.
"""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.kit.errors import BadUserInput

# The largest amount accepted, in cents (10 million): net + VAT then stays within GraphQL's
# 32-bit Int, which every amount is read back as.
MAX_CENTS = 1_000_000_000


def required_text(field: str, value: str, limit: int) -> str:
    """``value`` trimmed; refused when empty or longer than ``limit`` characters."""
    text = value.strip()
    if not text:
        raise BadUserInput(field, "must not be empty")
    if len(text) > limit:
        raise BadUserInput(field, f"use at most {limit} characters")
    return text


def optional_text(field: str, value: str, limit: int) -> str | None:
    """``value`` trimmed, None when empty (clears the column); refused beyond ``limit``."""
    text = value.strip()
    if len(text) > limit:
        raise BadUserInput(field, f"use at most {limit} characters")
    return text or None


def cents(field: str, value: int) -> int:
    if not 0 <= value <= MAX_CENTS:
        raise BadUserInput(field, f"give cents from 0 to {MAX_CENTS}")
    return value


@strawberry.input(description="A piece of equipment installed at a site.")
class CreateEquipmentInput:
    site_id: strawberry.ID
    kind: str = strawberry.field(description="At most 100 characters (extinguisher, boiler...).")
    model: str | None = strawberry.field(default=None, description="At most 200 characters.")
    serial_number: str | None = strawberry.field(default=None, description="At most 100.")
    location: str | None = strawberry.field(
        default=None, description="Where it stands in the site; at most 200 characters."
    )
    installed_on: dt.date | None = None


@strawberry.input(description="Changes to a piece of equipment; a field left out stays.")
class UpdateEquipmentInput:
    kind: str | None = None
    model: str | None = strawberry.field(default=None, description='"" clears it.')
    serial_number: str | None = strawberry.field(default=None, description='"" clears it.')
    location: str | None = strawberry.field(default=None, description='"" clears it.')
    installed_on: dt.date | None = None


@strawberry.input(description="A service contract with a client, or with one of its sites.")
class CreateContractInput:
    client_id: strawberry.ID
    site_id: strawberry.ID | None = strawberry.field(
        default=None, description="A site of that client; left out, the contract is client-wide."
    )
    number: str = strawberry.field(description="Unique in the organization; at most 32.")
    kind: str = strawberry.field(description="At most 100 characters.")
    description: str = ""
    starts_on: dt.date
    expires_on: dt.date = strawberry.field(description="On or after startsOn.")


@strawberry.input(description="Changes to a contract; a field left out stays as it is.")
class UpdateContractInput:
    number: str | None = None
    kind: str | None = None
    description: str | None = None
    starts_on: dt.date | None = None
    expires_on: dt.date | None = None


@strawberry.input(description="A quote, created as a DRAFT (contacts never see drafts).")
class CreateQuoteInput:
    client_id: strawberry.ID
    site_id: strawberry.ID | None = strawberry.field(
        default=None, description="A site of that client; left out, the quote is client-wide."
    )
    number: str = strawberry.field(description="Unique in the organization; at most 32.")
    title: str = strawberry.field(description="At most 200 characters.")
    issued_on: dt.date
    valid_until: dt.date = strawberry.field(description="On or after issuedOn.")
    net_cents: int
    vat_cents: int
    cost_cents: int = strawberry.field(default=0, description="Staff only, for the margin.")


@strawberry.input(description="Changes to a DRAFT quote; a field left out stays as it is.")
class UpdateQuoteInput:
    number: str | None = None
    title: str | None = None
    issued_on: dt.date | None = None
    valid_until: dt.date | None = None
    net_cents: int | None = None
    vat_cents: int | None = None
    cost_cents: int | None = None


@strawberry.input(description="An invoice, created as a DRAFT (contacts see it once CLOSED).")
class CreateInvoiceInput:
    client_id: strawberry.ID
    site_id: strawberry.ID | None = strawberry.field(
        default=None, description="A site of that client; left out, the invoice is client-wide."
    )
    number: str = strawberry.field(description="Unique in the organization; at most 32.")
    issued_on: dt.date
    due_on: dt.date = strawberry.field(description="On or after issuedOn.")
    net_cents: int
    vat_cents: int
    cost_cents: int = strawberry.field(default=0, description="Staff only, for the margin.")


@strawberry.input(description="Changes to a DRAFT invoice; a field left out stays as it is.")
class UpdateInvoiceInput:
    number: str | None = None
    issued_on: dt.date | None = None
    due_on: dt.date | None = None
    net_cents: int | None = None
    vat_cents: int | None = None
    cost_cents: int | None = None
