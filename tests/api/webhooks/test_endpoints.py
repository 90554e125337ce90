"""Partner webhook endpoints: only an ADMIN registers them, only for public http(s) URLs
(checked again by the worker), and they get only the events they subscribed to, of the
partner token's clients, of their own organization."""

from __future__ import annotations

import dataclasses
import json

import pytest

from db.engine import create_engine
from mailer.worker import run_worker
from schema.kit import ids
from sportello.base.settings import Settings
from tests.api import Demo
from tests.api.webhooks.kit import (
    CANCEL,
    DELIVERIES,
    DISABLE,
    KEY,
    REGISTER,
    REPLAY,
    Receiver,
    cancel,
    register,
    token_id,
    visits,
)
from tests.conftest import MakeClient
from tests.partners import partner_token


async def test_only_events_of_the_token_clients_are_sent(
    office: Demo, receiver: Receiver, worker_settings: Settings
) -> None:
    (inside, client), (outside, _) = (await visits(office))[:2]
    token = await token_id(office, await partner_token(office, clients=[client]))
    await register(office, receiver.url, token)
    await cancel(office, outside)
    await cancel(office, inside)
    await run_worker(worker_settings, once=True)
    assert [json.loads(each.body)["data"]["id"] for each in receiver.requests] == [
        ids.encode("Appointment", inside)
    ]


async def test_an_event_not_subscribed_to_is_not_sent(
    office: Demo, receiver: Receiver, worker_settings: Settings
) -> None:
    token = await token_id(office, await partner_token(office))
    await register(office, receiver.url, token, events=["TICKET_OPENED", "INVOICE_CLOSED"])
    await cancel(office, (await visits(office))[0][0])
    await run_worker(worker_settings, once=True)
    assert receiver.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://198.51.100.7/hooks",
        "https://user:pw@198.51.100.7/hooks",
        "http://127.0.0.1:9000/hooks",
        "http://[::1]/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/hooks",
        "http://192.168.1.1/hooks",
        "http://localhost/hooks",
    ],
)
async def test_a_url_not_http_or_of_a_private_address_is_refused(
    make_client: MakeClient, demo_database: str, url: str
) -> None:
    engine = create_engine(demo_database, pool_size=1)
    strict = Demo(engine, await make_client(demo_database, file_signing_key=KEY))
    try:
        token = await token_id(strict, await partner_token(strict))
        admin = await strict.staff("ADMIN")
        variables = {
            "partnerTokenId": ids.encode("PartnerToken", token),
            "url": url,
            "events": ["TICKET_OPENED"],
        }
        answer = (await strict.gql(REGISTER, admin, input=variables)).json()
        assert answer["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "url"}
        assert await strict.scalar("SELECT count(*) FROM webhook_endpoint") == 0
    finally:
        await engine.dispose()


async def test_the_worker_refuses_an_endpoint_that_became_private(
    office: Demo, receiver: Receiver, worker_settings: Settings
) -> None:
    token = await token_id(office, await partner_token(office))
    await register(office, receiver.url, token)
    await cancel(office, (await visits(office))[0][0])
    await run_worker(dataclasses.replace(worker_settings, webhook_allow_private=False), once=True)
    assert receiver.requests == []
    error = await office.scalar("SELECT last_error FROM webhook_delivery")
    assert error == "refused: points to a loopback, link-local or private address"


async def test_another_organizations_ids_answer_as_unknown(
    office: Demo, receiver: Receiver, worker_settings: Settings
) -> None:
    foreign_token = await token_id(office, await partner_token(office, org="ignis"))
    admin = await office.staff("ADMIN")
    variables = {
        "partnerTokenId": ids.encode("PartnerToken", foreign_token),
        "url": receiver.url,
        "events": ["TICKET_OPENED"],
    }
    answer = (await office.gql(REGISTER, admin, input=variables)).json()
    assert answer["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "partnerTokenId",
    }
    # An endpoint and a delivery of ignis, seen by brillanti's admin.
    ignis_admin = await office.staff("ADMIN", org="ignis")
    variables["events"] = ["APPOINTMENT_CANCELLED"]
    created = (await office.data(REGISTER, ignis_admin, input=variables))["createWebhookEndpoint"]
    visit, _ = (await visits(office, org="ignis"))[0]
    await office.data(CANCEL, ignis_admin, id=ids.encode("Appointment", visit))
    await run_worker(worker_settings, once=True)
    endpoint = created["webhookEndpoint"]["id"]
    [delivery] = (await office.data(DELIVERIES, ignis_admin, id=endpoint))["webhookDeliveries"]
    assert (await office.data(DELIVERIES, admin, id=endpoint))["webhookDeliveries"] == []
    for mutation, target in ((DISABLE, endpoint), (REPLAY, delivery["id"])):
        refused = (await office.gql(mutation, admin, id=target)).json()
        assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("who", ["OFFICE", "TECHNICIAN", "contact", "partner"])
async def test_only_an_admin_registers_endpoints(
    office: Demo, receiver: Receiver, who: str
) -> None:
    secret = await partner_token(office, scopes=("lists:read", "reports:read"))
    if who == "partner":
        caller = secret
    elif who == "contact":
        caller = await office.as_("contact of one client")
    else:
        caller = await office.staff(who)
    variables = {
        "partnerTokenId": ids.encode("PartnerToken", await token_id(office, secret)),
        "url": receiver.url,
        "events": ["TICKET_OPENED"],
    }
    answer = (await office.gql(REGISTER, caller, input=variables)).json()
    assert answer.get("errors"), answer
    assert await office.scalar("SELECT count(*) FROM webhook_endpoint") == 0


async def test_ticket_work_sheet_and_invoice_changes_are_queued_as_their_events(
    office: Demo, receiver: Receiver
) -> None:
    token = await token_id(office, await partner_token(office))
    every = ["TICKET_STATUS_CHANGED", "WORK_SHEET_SIGNED", "INVOICE_CLOSED", "TICKET_OPENED"]
    await register(office, receiver.url, token, events=every)
    admin = await office.staff("ADMIN")
    pick = (
        "SELECT x.id FROM {} x JOIN organization o ON o.id = x.organization_id "
        "WHERE o.slug = 'brillanti' AND x.status = :s ORDER BY x.id LIMIT 1"
    )
    ticket = await office.scalar(pick.format("ticket"), s="OPEN")
    sheet = await office.scalar(pick.format("work_sheet"), s="DRAFT")
    invoice = await office.scalar(pick.format("invoice"), s="DRAFT")
    await office.data(
        "mutation T($id: ID!) { setTicketStatus(id: $id, status: IN_PROGRESS) { id } }",
        admin,
        id=ids.encode("Ticket", ticket),
    )
    await office.data(
        'mutation W($id: ID!) { signWorkSheet(id: $id, signedBy: "Anna") { id } }',
        admin,
        id=ids.encode("WorkSheet", sheet),
    )
    await office.data(
        "mutation I($id: ID!) { setInvoiceStatus(id: $id, status: CLOSED) { id } }",
        admin,
        id=ids.encode("Invoice", invoice),
    )
    queued = await office.scalar(
        "SELECT string_agg(event || '=' || (payload->'data'->>'id'), ' ' ORDER BY created_at) "
        "FROM webhook_delivery"
    )
    assert queued == " ".join(
        [
            f"ticket.status_changed={ids.encode('Ticket', ticket)}",
            f"work_sheet.signed={ids.encode('WorkSheet', sheet)}",
            f"invoice.closed={ids.encode('Invoice', invoice)}",
        ]
    )
