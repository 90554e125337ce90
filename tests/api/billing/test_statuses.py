"""Quotes and invoices move through their statuses as the table says; paying needs a payment
day; only a draft is edited; a contact sees an invoice once it is closed."""

from __future__ import annotations

import itertools

from db import models as m
from resolvers.billing_actions import INVOICE_TRANSITIONS, QUOTE_TRANSITIONS
from schema.kit import ids
from tests.api import Demo
from tests.api.billing.kit import (
    CREATE_INVOICE,
    CREATE_QUOTE,
    INVOICE_STATUS,
    QUOTE_STATUS,
    UPDATE_INVOICE,
    UPDATE_QUOTE,
    created,
    invoice_input,
    quote_input,
    written,
)
from tests.api.callers import audit_events, client_site, refusal


async def put_in(demo: Demo, table: str, row_id: str, type_name: str, status: str) -> None:
    """Set a record's status directly: the start of one transition under test."""
    paid = ", paid_on = issued_on" if status == "PAID" else ", paid_on = NULL"
    await demo.execute(
        f"UPDATE {table} SET status = :s{paid if table == 'invoice' else ''} WHERE id = :i",  # noqa: S608
        s=status,
        i=ids.decode(type_name, row_id),
    )


QUOTE_PAIRS = list(itertools.product(m.QuoteStatus, m.QuoteStatus))


INVOICE_PAIRS = list(itertools.product(m.InvoiceStatus, m.InvoiceStatus))


async def test_every_quote_transition_follows_the_table(demo: Demo) -> None:
    client, _ = await client_site(demo)
    token = await demo.as_("staff admin")
    quote_id = (await created(demo, token, CREATE_QUOTE, quote_input(client)))["id"]
    for start, end in QUOTE_PAIRS:
        await put_in(demo, "quote", quote_id, "Quote", start.value)
        events = len(await audit_events(demo, "quote_changed"))
        response = await demo.gql(
            QUOTE_STATUS, token=token, variables={"id": quote_id, "status": end.value}
        )
        now = await demo.scalar(
            "SELECT status FROM quote WHERE id = :i", i=ids.decode("Quote", quote_id)
        )
        if end in QUOTE_TRANSITIONS.get(start, ()):
            assert response.json()["data"]["setQuoteStatus"]["status"] == end.value, (start, end)
            assert now == end.value
            [*_, last] = await audit_events(demo, "quote_changed")
            assert last["before"] == {"status": start.value}
            assert last["after"] == {"status": end.value}
        else:
            assert refusal(response) == {"code": "BAD_USER_INPUT", "field": "status"}, (start, end)
            assert now == start.value
            assert len(await audit_events(demo, "quote_changed")) == events


async def test_every_invoice_transition_follows_the_table(demo: Demo) -> None:
    client, _ = await client_site(demo)
    token = await demo.as_("staff admin")
    invoice_id = (await created(demo, token, CREATE_INVOICE, invoice_input(client)))["id"]
    row_id = ids.decode("Invoice", invoice_id)
    for start, end in INVOICE_PAIRS:
        await put_in(demo, "invoice", invoice_id, "Invoice", start.value)
        paid_on = "2027-02-15" if end is m.InvoiceStatus.PAID else None
        response = await demo.gql(
            INVOICE_STATUS,
            token=token,
            variables={"id": invoice_id, "status": end.value, "paidOn": paid_on},
        )
        now = await demo.scalar("SELECT status FROM invoice WHERE id = :i", i=row_id)
        if end in INVOICE_TRANSITIONS.get(start, ()):
            saved = response.json()["data"]["setInvoiceStatus"]
            assert (saved["status"], saved["paidOn"]) == (end.value, paid_on), (start, end)
            assert now == end.value
        else:
            assert refusal(response) == {"code": "BAD_USER_INPUT", "field": "status"}, (start, end)
            assert now == start.value


async def test_paying_needs_a_payment_day_on_or_after_issue(demo: Demo) -> None:
    client, _ = await client_site(demo)
    token = await demo.as_("staff admin")
    invoice_id = (await created(demo, token, CREATE_INVOICE, invoice_input(client)))["id"]
    await demo.data(INVOICE_STATUS, token, id=invoice_id, status="CLOSED")
    for paid_on in (None, "2027-01-30"):
        response = await demo.gql(
            INVOICE_STATUS,
            token=token,
            variables={"id": invoice_id, "status": "PAID", "paidOn": paid_on},
        )
        assert refusal(response) == {"code": "BAD_USER_INPUT", "field": "paidOn"}
    response = await demo.gql(
        INVOICE_STATUS,
        token=token,
        variables={"id": invoice_id, "status": "VOID", "paidOn": "2027-02-01"},
    )
    assert refusal(response) == {"code": "BAD_USER_INPUT", "field": "paidOn"}
    assert await demo.scalar("SELECT status FROM invoice WHERE number = 'FT-T-1'") == "CLOSED"


async def test_only_a_draft_can_be_edited(demo: Demo) -> None:
    client, _ = await client_site(demo)
    token = await demo.as_("staff admin")
    quote_id = (await created(demo, token, CREATE_QUOTE, quote_input(client)))["id"]
    invoice_id = (await created(demo, token, CREATE_INVOICE, invoice_input(client)))["id"]
    await demo.data(QUOTE_STATUS, token, id=quote_id, status="SENT")
    await demo.data(INVOICE_STATUS, token, id=invoice_id, status="CLOSED")
    before = await written(demo)
    for document, target in ((UPDATE_QUOTE, quote_id), (UPDATE_INVOICE, invoice_id)):
        response = await demo.gql(
            document, token=token, variables={"id": target, "input": {"netCents": 1}}
        )
        assert refusal(response) == {"code": "BAD_USER_INPUT", "field": "netCents"}
    for status in ("PAID", "VOID"):
        await put_in(demo, "invoice", invoice_id, "Invoice", status)
        response = await demo.gql(
            UPDATE_INVOICE,
            token=token,
            variables={"id": invoice_id, "input": {"dueOn": "2027-04-01"}},
        )
        assert refusal(response) == {"code": "BAD_USER_INPUT", "field": "dueOn"}
    assert await written(demo) == before
    assert await demo.scalar("SELECT total_cents FROM invoice WHERE number = 'FT-T-1'") == 12200


PORTAL_INVOICES = """query($site: ID!) { invoices(first: 100, siteId: $site) {
  edges { node { id number status } } } }"""


async def test_a_contact_sees_an_invoice_once_it_is_closed(demo: Demo) -> None:
    contact = await demo.as_("contact of one client")
    mine = await demo.data("{ sites(first: 1) { edges { node { id client { id } } } } }", contact)
    site = mine["sites"]["edges"][0]["node"]
    token = await demo.as_("staff admin")
    invoice = (
        await demo.data(
            CREATE_INVOICE,
            token,
            input=invoice_input(site["client"]["id"], siteId=site["id"], number="FT-PORTAL"),
        )
    )["createInvoice"]

    async def seen() -> list[str]:
        data = await demo.data(PORTAL_INVOICES, contact, site=site["id"])
        return [
            e["node"]["status"]
            for e in data["invoices"]["edges"]
            if e["node"]["number"] == "FT-PORTAL"
        ]

    assert await seen() == []  # a DRAFT never reaches the portal
    await demo.data(INVOICE_STATUS, token, id=invoice["id"], status="CLOSED")
    assert await seen() == ["CLOSED"]
    await demo.data(INVOICE_STATUS, token, id=invoice["id"], status="VOID")
    assert await seen() == []  # voided: gone from the portal, kept for staff
