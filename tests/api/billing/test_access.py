"""Who may write contracts, quotes and invoices: ADMIN and OFFICE staff, and only on records
of their organization (foreign ones answer like missing ones)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from schema.kit import ids
from tests.api import Demo
from tests.api.billing.kit import (
    CREATE_CONTRACT,
    CREATE_INVOICE,
    CREATE_QUOTE,
    CREATES,
    INVOICE_STATUS,
    QUOTE_STATUS,
    UPDATE_CONTRACT,
    UPDATE_INVOICE,
    UPDATE_QUOTE,
    contract_input,
    created,
    invoice_input,
    quote_input,
    rows,
    written,
)
from tests.api.callers import (
    ALLOWED,
    CALLERS,
    assert_answers_as,
    client_site,
    other_site_of_org,
    refusal,
)


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("mutation", list(CREATES))
async def test_only_admin_and_office_create(demo: Demo, caller: str, mutation: str) -> None:
    client, _ = await client_site(demo)
    document, make, table = CREATES[mutation]
    before = await rows(demo, table)
    await assert_answers_as(demo, caller, [(document, {"input": make(client)})])
    assert await rows(demo, table) == before + (CALLERS[caller] == ALLOWED)


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_only_admin_and_office_change_and_move(demo: Demo, caller: str) -> None:
    client, _ = await client_site(demo)
    admin = await demo.as_("staff admin")
    contract_id = (await created(demo, admin, CREATE_CONTRACT, contract_input(client)))["id"]
    quote_id = (await created(demo, admin, CREATE_QUOTE, quote_input(client)))["id"]
    invoice_id = (await created(demo, admin, CREATE_INVOICE, invoice_input(client)))["id"]
    calls: list[tuple[str, dict[str, Any]]] = [
        (UPDATE_CONTRACT, {"id": contract_id, "input": {"kind": "Pulizia"}}),
        (UPDATE_QUOTE, {"id": quote_id, "input": {"netCents": 1}}),
        (QUOTE_STATUS, {"id": quote_id, "status": "SENT"}),
        (UPDATE_INVOICE, {"id": invoice_id, "input": {"netCents": 1}}),
        (INVOICE_STATUS, {"id": invoice_id, "status": "CLOSED"}),
    ]
    await assert_answers_as(demo, caller, calls)
    state = await demo.scalar(
        "SELECT array[c.kind, q.status, q.net_cents::text, i.status, i.net_cents::text] "
        "FROM contract c, quote q, invoice i "
        "WHERE c.number = 'CTR-T-1' AND q.number = 'PRV-T-1' AND i.number = 'FT-T-1'"
    )
    if CALLERS[caller] == ALLOWED:
        assert state == ["Pulizia", "SENT", "1", "CLOSED", "1"]
    else:
        assert state == ["Manutenzione", "DRAFT", "10000", "DRAFT", "10000"]


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
