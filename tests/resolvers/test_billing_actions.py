"""Staff write contracts, quotes and invoices and move quotes and invoices through their
statuses; every refusal names its field and writes nothing; every change is audited."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import pytest

from db import models as m
from resolvers.billing_actions import INVOICE_TRANSITIONS, QUOTE_TRANSITIONS
from schema.billing_inputs import MAX_CENTS
from schema.kit import ids
from tests.api import Demo
from tests.resolvers.billing_callers import (
    ALLOWED,
    CALLERS,
    audit_events,
    client_site,
    other_site_of_org,
    outcome,
    refusal,
    token_of,
)

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


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("mutation", list(CREATES))
async def test_only_admin_and_office_create(demo: Demo, caller: str, mutation: str) -> None:
    client, _ = await client_site(demo)
    document, make, table = CREATES[mutation]
    before = await rows(demo, table)
    token = await token_of(demo, caller)
    demo.client.cookies.clear()  # only the bearer token speaks for the caller
    response = await demo.gql(document, token=token, variables={"input": make(client)})
    assert outcome(response) == CALLERS[caller], response.text
    assert await rows(demo, table) == before + (CALLERS[caller] == ALLOWED)


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_only_admin_and_office_change_and_move(demo: Demo, caller: str) -> None:
    client, _ = await client_site(demo)
    admin = await demo.as_("staff admin")
    contract = await demo.data(CREATE_CONTRACT, admin, input=contract_input(client))
    quote = await demo.data(CREATE_QUOTE, admin, input=quote_input(client))
    invoice = await demo.data(CREATE_INVOICE, admin, input=invoice_input(client))
    contract_id = contract["createContract"]["id"]
    quote_id, invoice_id = quote["createQuote"]["id"], invoice["createInvoice"]["id"]
    token = await token_of(demo, caller)
    demo.client.cookies.clear()  # only the bearer token speaks for the caller
    calls: list[tuple[str, dict[str, Any]]] = [
        (UPDATE_CONTRACT, {"id": contract_id, "input": {"kind": "Pulizia"}}),
        (UPDATE_QUOTE, {"id": quote_id, "input": {"netCents": 1}}),
        (QUOTE_STATUS, {"id": quote_id, "status": "SENT"}),
        (UPDATE_INVOICE, {"id": invoice_id, "input": {"netCents": 1}}),
        (INVOICE_STATUS, {"id": invoice_id, "status": "CLOSED"}),
    ]
    for document, variables in calls:
        response = await demo.gql(document, token=token, variables=variables)
        assert outcome(response) == CALLERS[caller], response.text
    state = await demo.scalar(
        "SELECT array[c.kind, q.status, q.net_cents::text, i.status, i.net_cents::text] "
        "FROM contract c, quote q, invoice i "
        "WHERE c.number = 'CTR-T-1' AND q.number = 'PRV-T-1' AND i.number = 'FT-T-1'"
    )
    if CALLERS[caller] == ALLOWED:
        assert state == ["Pulizia", "SENT", "1", "CLOSED", "1"]
    else:
        assert state == ["Manutenzione", "DRAFT", "10000", "DRAFT", "10000"]


async def test_a_contract_is_created_changed_and_audited(demo: Demo) -> None:
    client, site = await client_site(demo)
    token = await demo.as_("staff admin")
    created = (await demo.data(CREATE_CONTRACT, token, input=contract_input(client, siteId=site)))[
        "createContract"
    ]
    assert created["number"] == "CTR-T-1"
    assert (created["client"]["id"], created["site"]["id"]) == (client, site)
    changed = await demo.data(
        UPDATE_CONTRACT,
        token,
        id=created["id"],
        input={"expiresOn": "2028-06-30", "kind": "Manutenzione"},
    )
    assert changed["updateContract"]["expiresOn"] == "2028-06-30"
    [creation] = await audit_events(demo, "contract_created")
    assert creation["before"] == {}
    assert creation["after"]["number"] == "CTR-T-1"
    [change] = await audit_events(demo, "contract_changed")
    # Only the changed field: the kind was given unchanged.
    assert change == {
        "changed": ["expires_on"],
        "before": {"expires_on": "2027-12-31"},
        "after": {"expires_on": "2028-06-30"},
    }


async def test_a_quote_keeps_its_total_and_margin(demo: Demo) -> None:
    client, _ = await client_site(demo)
    token = await token_of(demo, "OFFICE")
    assert token is not None
    quote = (await demo.data(CREATE_QUOTE, token, input=quote_input(client)))["createQuote"]
    assert (quote["status"], quote["totalCents"], quote["marginCents"]) == ("DRAFT", 12200, 4000)
    data = await demo.data(UPDATE_QUOTE, token, id=quote["id"], input={"vatCents": 0})
    assert data["updateQuote"]["totalCents"] == 10000
    [change] = await audit_events(demo, "quote_changed")
    assert change["changed"] == ["total_cents", "vat_cents"]
    assert change["before"] == {"total_cents": 12200, "vat_cents": 2200}


BAD: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "createContract",
        "unknown client",
        {"clientId": ids.encode("Client", uuid.uuid4())},
        "clientId",
    ),
    ("createContract", "not an id", {"clientId": "bm9wZTox"}, "clientId"),
    ("createContract", "empty number", {"number": "  "}, "number"),
    ("createContract", "long number", {"number": "N" * 33}, "number"),
    ("createContract", "empty kind", {"kind": ""}, "kind"),
    ("createContract", "expires first", {"expiresOn": "2026-12-31"}, "expiresOn"),
    ("createContract", "long description", {"description": "x" * 10_001}, "description"),
    ("createQuote", "empty title", {"title": " "}, "title"),
    ("createQuote", "valid before issue", {"validUntil": "2027-01-09"}, "validUntil"),
    ("createQuote", "negative net", {"netCents": -1}, "netCents"),
    ("createQuote", "negative cost", {"costCents": -5}, "costCents"),
    ("createQuote", "unknown site", {"siteId": ids.encode("Site", uuid.uuid4())}, "siteId"),
    ("createInvoice", "due before issue", {"dueOn": "2027-01-30"}, "dueOn"),
    ("createInvoice", "huge VAT", {"vatCents": MAX_CENTS + 1}, "vatCents"),
    ("createInvoice", "long number", {"number": "F" * 33}, "number"),
]


@pytest.mark.parametrize(("mutation", "case", "changes", "field"), BAD, ids=[b[1] for b in BAD])
async def test_bad_input_is_refused_naming_the_field(
    demo: Demo, mutation: str, case: str, changes: dict[str, Any], field: str
) -> None:
    client, _ = await client_site(demo)
    document, make, _ = CREATES[mutation]
    before = await written(demo)
    response = await demo.gql(
        document, token=await demo.as_("staff admin"), variables={"input": make(client, **changes)}
    )
    assert refusal(response) == {"code": "BAD_USER_INPUT", "field": field}, case
    assert await written(demo) == before


@pytest.mark.parametrize("mutation", list(CREATES))
async def test_foreign_records_answer_like_missing_ones(demo: Demo, mutation: str) -> None:
    client, _ = await client_site(demo)
    foreign_client, foreign_site = await client_site(demo, "ignis")
    other_site = await other_site_of_org(demo, client)
    document, make, _ = CREATES[mutation]
    token = await demo.as_("staff admin")
    before = await written(demo)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"clientId": foreign_client}, "clientId", "no such client"),
        ({"clientId": ids.encode("Client", uuid.uuid4())}, "clientId", "no such client"),
        ({"siteId": foreign_site}, "siteId", "no such site of that client"),
        ({"siteId": other_site}, "siteId", "no such site of that client"),
        ({"siteId": ids.encode("Site", uuid.uuid4())}, "siteId", "no such site of that client"),
    ]
    for changes, field, message in cases:
        response = await demo.gql(
            document, token=token, variables={"input": make(client, **changes)}
        )
        assert refusal(response) == {"code": "BAD_USER_INPUT", "field": field}
        assert response.json()["errors"][0]["message"] == f"{field}: {message}"
    assert await written(demo) == before


@pytest.mark.parametrize("mutation", list(CREATES))
async def test_a_number_is_unique_in_the_organization(demo: Demo, mutation: str) -> None:
    client, _ = await client_site(demo)
    document, make, _ = CREATES[mutation]
    token = await demo.as_("staff admin")
    await demo.data(document, token, input=make(client))
    before = await written(demo)
    again = await demo.gql(document, token=token, variables={"input": make(client)})
    assert refusal(again) == {"code": "BAD_USER_INPUT", "field": "number"}
    assert await written(demo) == before
    # Another organization may use the same number.
    foreign_client, _ = await client_site(demo, "ignis")
    await demo.data(document, await demo.as_("staff admin", "ignis"), input=make(foreign_client))


async def test_a_number_change_to_a_taken_one_is_refused(demo: Demo) -> None:
    client, _ = await client_site(demo)
    token = await demo.as_("staff admin")
    await demo.data(CREATE_INVOICE, token, input=invoice_input(client))
    second = await demo.data(CREATE_INVOICE, token, input=invoice_input(client, number="FT-T-2"))
    response = await demo.gql(
        UPDATE_INVOICE,
        token=token,
        variables={"id": second["createInvoice"]["id"], "input": {"number": "FT-T-1"}},
    )
    assert refusal(response) == {"code": "BAD_USER_INPUT", "field": "number"}


async def test_an_update_of_a_foreign_or_missing_record_is_not_found(demo: Demo) -> None:
    foreign_client, _ = await client_site(demo, "ignis")
    foreign = await demo.data(
        CREATE_INVOICE, await demo.as_("staff admin", "ignis"), input=invoice_input(foreign_client)
    )
    token = await demo.as_("staff admin")
    answers = []
    for target in (
        foreign["createInvoice"]["id"],
        ids.encode("Invoice", uuid.uuid4()),
        "bm9wZTox",
    ):
        response = await demo.gql(
            UPDATE_INVOICE, token=token, variables={"id": target, "input": {"netCents": 1}}
        )
        body = response.json()
        answers.append((body["errors"][0]["message"], body["errors"][0]["extensions"]))
    assert answers == [("No such invoice.", {"code": "NOT_FOUND"})] * 3
    assert await demo.scalar("SELECT net_cents FROM invoice WHERE number = 'FT-T-1'") == 10000


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
    quote_id = (await demo.data(CREATE_QUOTE, token, input=quote_input(client)))["createQuote"][
        "id"
    ]
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
    invoice_id = (await demo.data(CREATE_INVOICE, token, input=invoice_input(client)))[
        "createInvoice"
    ]["id"]
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
    invoice_id = (await demo.data(CREATE_INVOICE, token, input=invoice_input(client)))[
        "createInvoice"
    ]["id"]
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
    quote_id = (await demo.data(CREATE_QUOTE, token, input=quote_input(client)))["createQuote"][
        "id"
    ]
    invoice_id = (await demo.data(CREATE_INVOICE, token, input=invoice_input(client)))[
        "createInvoice"
    ]["id"]
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


async def test_an_archived_client_or_site_takes_no_new_contract_or_quote(demo: Demo) -> None:
    client, site = await client_site(demo)
    token = await demo.as_("staff admin")
    await demo.execute(
        "UPDATE site SET archived_at = now() WHERE id = :i", i=ids.decode("Site", site)
    )
    before = await written(demo)
    for mutation in ("createContract", "createQuote"):
        document, make, _ = CREATES[mutation]
        response = await demo.gql(
            document, token=token, variables={"input": make(client, siteId=site)}
        )
        assert refusal(response) == {"code": "BAD_USER_INPUT", "field": "siteId"}, mutation
    await demo.execute(
        "UPDATE client SET archived_at = now() WHERE id = :i", i=ids.decode("Client", client)
    )
    for mutation in ("createContract", "createQuote"):
        document, make, _ = CREATES[mutation]
        response = await demo.gql(document, token=token, variables={"input": make(client)})
        assert refusal(response) == {"code": "BAD_USER_INPUT", "field": "clientId"}, mutation
    assert await written(demo) == before
    # Past work may still be billed to an archived client.
    invoice = await demo.data(CREATE_INVOICE, token, input=invoice_input(client, siteId=site))
    assert invoice["createInvoice"]["status"] == "DRAFT"
