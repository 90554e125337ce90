"""The contract, quote and invoice mutations, their inputs, and the row counts their tests
compare."""

from __future__ import annotations

from typing import Any

from tests.api import Demo

CREATE_CONTRACT = """mutation($input: CreateContractInput!) { createContract(input: $input) {
  id number kind description startsOn expiresOn client { id } site { id } } }"""


UPDATE_CONTRACT = """mutation($id: ID!, $input: UpdateContractInput!) {
  updateContract(id: $id, input: $input) { id number kind startsOn expiresOn } }"""


CREATE_QUOTE = """mutation($input: CreateQuoteInput!) { createQuote(input: $input) {
  id number title status netCents vatCents totalCents costCents marginCents } }"""


UPDATE_QUOTE = """mutation($id: ID!, $input: UpdateQuoteInput!) {
  updateQuote(id: $id, input: $input) { id status netCents vatCents totalCents } }"""


QUOTE_STATUS = """mutation($id: ID!, $status: QuoteStatus!) {
  setQuoteStatus(id: $id, status: $status) { id status } }"""


CREATE_INVOICE = """mutation($input: CreateInvoiceInput!) { createInvoice(input: $input) {
  id number status issuedOn dueOn paidOn netCents vatCents totalCents costCents } }"""


UPDATE_INVOICE = """mutation($id: ID!, $input: UpdateInvoiceInput!) {
  updateInvoice(id: $id, input: $input) { id status netCents totalCents dueOn } }"""


INVOICE_STATUS = """mutation($id: ID!, $status: InvoiceStatus!, $paidOn: Date) {
  setInvoiceStatus(id: $id, status: $status, paidOn: $paidOn) { id status paidOn } }"""


def contract_input(client: str, **changes: Any) -> dict[str, Any]:
    return {
        "clientId": client,
        "number": "CTR-T-1",
        "kind": "Manutenzione",
        "startsOn": "2027-01-01",
        "expiresOn": "2027-12-31",
    } | changes


def quote_input(client: str, **changes: Any) -> dict[str, Any]:
    return {
        "clientId": client,
        "number": "PRV-T-1",
        "title": "Estintori",
        "issuedOn": "2027-01-10",
        "validUntil": "2027-02-10",
        "netCents": 10000,
        "vatCents": 2200,
        "costCents": 6000,
    } | changes


def invoice_input(client: str, **changes: Any) -> dict[str, Any]:
    return {
        "clientId": client,
        "number": "FT-T-1",
        "issuedOn": "2027-01-31",
        "dueOn": "2027-03-02",
        "netCents": 10000,
        "vatCents": 2200,
    } | changes


CREATES = {
    "createContract": (CREATE_CONTRACT, contract_input, "contract"),
    "createQuote": (CREATE_QUOTE, quote_input, "quote"),
    "createInvoice": (CREATE_INVOICE, invoice_input, "invoice"),
}


async def rows(demo: Demo, table: str) -> int:
    found: int = await demo.scalar(f"SELECT count(*) FROM {table}")  # noqa: S608 (constant)
    return found


async def written(demo: Demo) -> tuple[int, ...]:
    """How many contracts, quotes, invoices and audit events exist."""
    return tuple([await rows(demo, t) for t in ("contract", "quote", "invoice", "audit_event")])


async def created(demo: Demo, token: str, document: str, made: dict[str, Any]) -> dict[str, Any]:
    """The record the create mutation ``document`` answers for the input ``made``."""
    data = await demo.data(document, token, input=made)
    (record,) = data.values()
    found: dict[str, Any] = record
    return found
