"""Staff (ADMIN, OFFICE) write contracts, quotes and invoices, and move quotes and invoices
through their statuses.

A contract, quote or invoice belongs to a client and optionally to one of that client's sites;
its number is unique in the organization. Quotes and invoices are created as DRAFT, which
contacts never see, and only a DRAFT can be edited: once a quote is sent or an invoice closed
its amounts are what the client received (a mistake on a closed invoice is voided and issued
anew). The status moves allowed are the two tables below, the only place they are written.
Every change is audited with the old and new value of each changed field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import strawberry
from strawberry import Info

from authz.policy import BACK_OFFICE_ONLY
from db import models as m
from db.queries import audit
from db.queries import billing as bills
from db.queries import billing_actions as actions
from db.queries import clients as client_queries
from db.queries import contracts as contract_queries
from resolvers import webhooks
from resolvers.kit import audited, changes
from schema.billing import Invoice, InvoiceStatus, Quote, QuoteStatus
from schema.billing_inputs import (
    CreateContractInput,
    CreateInvoiceInput,
    CreateQuoteInput,
    UpdateContractInput,
    UpdateInvoiceInput,
    UpdateQuoteInput,
    cents,
    required_text,
)
from schema.contracts import Contract
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput
from schema.kit.permissions import permitted

ContextInfo = Info[Context, None]
# A by-id read of db/queries: rows in the order of the ids, None for one out of scope.
Reader = Callable[[Any, Any, Sequence[uuid.UUID]], Awaitable[list[Any]]]

# Where each status may go next; a status missing on the left is final.
QUOTE_TRANSITIONS: dict[m.QuoteStatus, frozenset[m.QuoteStatus]] = {
    m.QuoteStatus.DRAFT: frozenset({m.QuoteStatus.SENT}),
    m.QuoteStatus.SENT: frozenset(
        {m.QuoteStatus.ACCEPTED, m.QuoteStatus.DECLINED, m.QuoteStatus.EXPIRED}
    ),
}
INVOICE_TRANSITIONS: dict[m.InvoiceStatus, frozenset[m.InvoiceStatus]] = {
    m.InvoiceStatus.DRAFT: frozenset({m.InvoiceStatus.CLOSED, m.InvoiceStatus.VOID}),
    m.InvoiceStatus.CLOSED: frozenset({m.InvoiceStatus.PAID, m.InvoiceStatus.VOID}),
}


@dataclasses.dataclass(frozen=True)
class Kind:
    """One of the records written here: its table, its GraphQL type and how to read it back."""

    model: Any
    type_name: str
    label: str
    read: Reader
    dates: tuple[str, str]  # the columns of its two dates, the earlier first
    draft: Any = None  # the status it is created in (quotes and invoices)


CONTRACT = Kind(
    m.Contract,
    "Contract",
    "contract",
    contract_queries.contracts_by_id,
    ("starts_on", "expires_on"),
)
QUOTE = Kind(
    m.Quote, "Quote", "quote", bills.quotes_by_id, ("issued_on", "valid_until"), m.QuoteStatus.DRAFT
)
INVOICE = Kind(
    m.Invoice,
    "Invoice",
    "invoice",
    bills.invoices_by_id,
    ("issued_on", "due_on"),
    m.InvoiceStatus.DRAFT,
)


def camel(name: str) -> str:
    """A column's GraphQL field name (``starts_on`` -> ``startsOn``)."""
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def _given(input: Any) -> list[str]:
    """The GraphQL names of the fields an update input sets (not null)."""
    names = (f.name for f in dataclasses.fields(input))
    return [camel(name) for name in names if getattr(input, name) is not None]


def _amounts(input: Any, current: Any) -> dict[str, Any]:
    """The amount columns ``input`` sets, each checked, with the total kept net plus VAT."""
    values: dict[str, Any] = {}
    for field, column in (("netCents", "net_cents"), ("vatCents", "vat_cents")):
        given = getattr(input, column)
        if given is not None:
            values[column] = cents(field, given)
    if input.cost_cents is not None:
        values["cost_cents"] = cents("costCents", input.cost_cents)
    if "net_cents" in values or "vat_cents" in values:
        net = values.get("net_cents", getattr(current, "net_cents", 0))
        values["total_cents"] = net + values.get("vat_cents", getattr(current, "vat_cents", 0))
    return values


def check_dates(values: dict[str, Any], current: Any, earlier: str, later: str) -> None:
    """Refuse the ``later`` date (column) before the ``earlier`` one, naming the field the
    input sets (the later one when it sets both)."""
    first = values.get(earlier, getattr(current, earlier, None))
    last = values.get(later, getattr(current, later, None))
    if first is None or last is None or last >= first:
        return
    if later in values:
        raise BadUserInput(camel(later), f"must be on or after {camel(earlier)}")
    raise BadUserInput(camel(earlier), f"must be on or before {camel(later)}")


async def _owner(
    info: ContextInfo, client: strawberry.ID, site: strawberry.ID | None, new_work: bool
) -> dict[str, Any]:
    """The client and site columns of a new record; an unknown or foreign client, or a site of
    another client, is refused like a missing one. For ``new_work`` (a contract, a quote) an
    archived client or site is refused the same way; an invoice may still bill past work."""
    context = info.context
    scope = context.rows.scope
    client_id = ids.decode("Client", client)
    found = (
        (await client_queries.clients_by_id(context.db, scope, [client_id]))[0]
        if client_id is not None
        else None
    )
    if found is None or (new_work and found.archived_at is not None):
        raise BadUserInput("clientId", "no such client")
    values: dict[str, Any] = {"organization_id": scope.organization_id, "client_id": found.id}
    if site is not None:
        site_id = ids.decode("Site", site)
        row = (
            (await client_queries.sites_by_id(context.db, scope, [site_id]))[0]
            if site_id is not None
            else None
        )
        if row is None or row.client_id != found.id or (new_work and row.archived_at is not None):
            raise BadUserInput("siteId", "no such site of that client")
        values["site_id"] = row.id
    return values


async def _number(info: ContextInfo, kind: Kind, value: str, other_than: uuid.UUID | None) -> str:
    number = required_text("number", value, 32)
    context = info.context
    organization_id = context.rows.scope.organization_id
    if await actions.number_taken(context.db, kind.model, organization_id, number, other_than):
        raise BadUserInput("number", f"another {kind.label} already has number {number}")
    return number


async def _locked(info: ContextInfo, kind: Kind, id: strawberry.ID) -> Any:
    return await changes.locked(info.context, kind.model, kind.type_name, id, kind.label)


async def _create(info: ContextInfo, kind: Kind, values: dict[str, Any]) -> Any:
    row_id = await actions.insert(info.context.db, kind.model, values)
    if row_id is None:  # another request took the number since it was checked
        raise BadUserInput("number", f"another {kind.label} already has number {values['number']}")
    details = audit.change_details({}, values)
    await audited.record(info.context, f"{kind.label}_created", kind.type_name, row_id, details)
    return await _read(info, kind, row_id)


async def _change(info: ContextInfo, kind: Kind, current: Any, values: dict[str, Any]) -> Any:
    action = f"{kind.label}_changed"
    await changes.update(info.context, kind.model, current, values, action, kind.type_name)
    return await _read(info, kind, current.id)


async def _read(info: ContextInfo, kind: Kind, row_id: uuid.UUID) -> Any:
    row = (await kind.read(info.context.db, info.context.rows.scope, [row_id]))[0]
    assert row is not None  # written in this transaction, in the caller's organization
    return row


def _only_draft(kind: Kind, current: Any, input: Any) -> None:
    """Refuse any change to a quote or invoice that left DRAFT, naming the first field."""
    given = _given(input)
    if given and current.status.value != "DRAFT":
        raise BadUserInput(
            given[0], f"a {current.status.value} {kind.label} cannot change; only a DRAFT can"
        )


def _move(kind: Kind, table: dict[Any, frozenset[Any]], current: Any, status: Any) -> None:
    """Refuse a status move the transition table does not hold."""
    allowed = table.get(current, frozenset())
    if status not in allowed:
        after = ", ".join(sorted(s.value for s in allowed)) or "nothing: it is final"
        raise BadUserInput(
            "status", f"a {current.value} {kind.label} cannot become {status.value}; only {after}"
        )


def contract_fields(input: CreateContractInput | UpdateContractInput) -> dict[str, Any]:
    """The plain columns of a contract the input sets, each checked (shared with the import)."""
    values: dict[str, Any] = {}
    if input.kind is not None:
        values["kind"] = required_text("kind", input.kind, 100)
    if input.description is not None:
        description = input.description.strip()
        if len(description) > 10_000:
            raise BadUserInput("description", "use at most 10000 characters")
        values["description"] = description
    for column in ("starts_on", "expires_on"):
        if getattr(input, column) is not None:
            values[column] = getattr(input, column)
    return values


def _bill_fields(
    kind: Kind,
    input: CreateQuoteInput | UpdateQuoteInput | CreateInvoiceInput | UpdateInvoiceInput,
    current: Any,
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    title = getattr(input, "title", None)
    if title is not None:
        values["title"] = required_text("title", title, 200)
    for column in kind.dates:
        if getattr(input, column) is not None:
            values[column] = getattr(input, column)
    check_dates(values, current, *kind.dates)
    return values | _amounts(input, current)


async def _create_bill(
    info: ContextInfo, kind: Kind, input: CreateQuoteInput | CreateInvoiceInput
) -> Any:
    """A DRAFT quote or invoice; an invoice may bill an archived client's past work."""
    values = await _owner(info, input.client_id, input.site_id, new_work=kind is QUOTE)
    values["number"] = await _number(info, kind, input.number, None)
    values |= _bill_fields(kind, input, None)
    values["status"] = kind.draft
    return await _create(info, kind, values)


async def _update_bill(
    info: ContextInfo, kind: Kind, id: strawberry.ID, input: UpdateQuoteInput | UpdateInvoiceInput
) -> Any:
    """The DRAFT quote or invoice ``id`` changed as ``input`` says."""
    current = await _locked(info, kind, id)
    _only_draft(kind, current, input)
    values = _bill_fields(kind, input, current)
    if input.number is not None:
        values["number"] = await _number(info, kind, input.number, current.id)
    return await _change(info, kind, current, values)


@strawberry.type
class BillingMutation:
    @strawberry.mutation(
        description="Record a contract with a client or one of its sites (ADMIN, OFFICE).",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def create_contract(self, info: ContextInfo, input: CreateContractInput) -> Contract:
        values = await _owner(info, input.client_id, input.site_id, new_work=True)
        values["number"] = await _number(info, CONTRACT, input.number, None)
        values |= contract_fields(input)
        check_dates(values, None, *CONTRACT.dates)
        return Contract.from_row(await _create(info, CONTRACT, values))

    @strawberry.mutation(
        description="Change a contract (ADMIN, OFFICE); a field left out stays.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def update_contract(
        self, info: ContextInfo, id: strawberry.ID, input: UpdateContractInput
    ) -> Contract:
        current = await _locked(info, CONTRACT, id)
        values = contract_fields(input)
        check_dates(values, current, *CONTRACT.dates)
        if input.number is not None:
            values["number"] = await _number(info, CONTRACT, input.number, current.id)
        return Contract.from_row(await _change(info, CONTRACT, current, values))

    @strawberry.mutation(
        description="Write a DRAFT quote for a client (ADMIN, OFFICE).",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def create_quote(self, info: ContextInfo, input: CreateQuoteInput) -> Quote:
        return Quote.from_row(await _create_bill(info, QUOTE, input))

    @strawberry.mutation(
        description="Change a DRAFT quote (ADMIN, OFFICE).", extensions=permitted(BACK_OFFICE_ONLY)
    )
    async def update_quote(
        self, info: ContextInfo, id: strawberry.ID, input: UpdateQuoteInput
    ) -> Quote:
        return Quote.from_row(await _update_bill(info, QUOTE, id, input))

    @strawberry.mutation(
        description="Move a quote on (ADMIN, OFFICE): DRAFT to SENT, SENT to ACCEPTED, "
        "DECLINED or EXPIRED. Contacts see it from SENT on.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def set_quote_status(
        self, info: ContextInfo, id: strawberry.ID, status: QuoteStatus
    ) -> Quote:
        current = await _locked(info, QUOTE, id)
        _move(QUOTE, QUOTE_TRANSITIONS, current.status, status)
        return Quote.from_row(await _change(info, QUOTE, current, {"status": status}))

    @strawberry.mutation(
        description="Write a DRAFT invoice for a client (ADMIN, OFFICE).",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def create_invoice(self, info: ContextInfo, input: CreateInvoiceInput) -> Invoice:
        return Invoice.from_row(await _create_bill(info, INVOICE, input))

    @strawberry.mutation(
        description="Change a DRAFT invoice (ADMIN, OFFICE).",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def update_invoice(
        self, info: ContextInfo, id: strawberry.ID, input: UpdateInvoiceInput
    ) -> Invoice:
        return Invoice.from_row(await _update_bill(info, INVOICE, id, input))

    @strawberry.mutation(
        description="Move an invoice on (ADMIN, OFFICE): DRAFT to CLOSED (contacts see it "
        "from then on), CLOSED to PAID (paidOn required), DRAFT or CLOSED to VOID.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def set_invoice_status(
        self,
        info: ContextInfo,
        id: strawberry.ID,
        status: InvoiceStatus,
        paid_on: dt.date | None = None,
    ) -> Invoice:
        current = await _locked(info, INVOICE, id)
        _move(INVOICE, INVOICE_TRANSITIONS, current.status, status)
        values: dict[str, Any] = {"status": status}
        if status is m.InvoiceStatus.PAID:
            if paid_on is None:
                raise BadUserInput("paidOn", "give the day the invoice was paid")
            if paid_on < current.issued_on:
                raise BadUserInput("paidOn", "must be on or after the invoice's issuedOn")
            values["paid_on"] = paid_on
        elif paid_on is not None:
            raise BadUserInput("paidOn", "only an invoice becoming PAID takes a payment day")
        changed = await _change(info, INVOICE, current, values)
        if status is m.InvoiceStatus.CLOSED:
            await webhooks.notify(info.context, m.WebhookEvent.INVOICE_CLOSED, current.id)
        return Invoice.from_row(changed)
