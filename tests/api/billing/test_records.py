"""Staff write contracts, quotes and invoices: every change audited, every refusal names its
field and writes nothing, a number unique in the organization, nothing new for an archived
client or site."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from schema.billing_inputs import MAX_CENTS
from schema.kit import ids
from tests.api import Demo
from tests.api.billing.kit import (
    CREATE_CONTRACT,
    CREATE_INVOICE,
    CREATE_QUOTE,
    CREATES,
    UPDATE_CONTRACT,
    UPDATE_INVOICE,
    UPDATE_QUOTE,
    contract_input,
    invoice_input,
    quote_input,
    written,
)
from tests.api.callers import audit_events, client_site, refusal, token_of


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
