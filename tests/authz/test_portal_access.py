"""Staff give contacts portal logins, manage them, bill them; admins manage partner tokens."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from db import models as m
from db.engine import create_engine
from db.models.base import table_of
from schema.kit import ids
from tests import factories
from tests.api import VIEWER, Api
from tests.conftest import MakeClient

CREATE = """mutation($input: CreatePortalAccessInput!) {
  createPortalAccess(input: $input) {
    id username email state flags { portalAccess canOpenTickets canViewInvoices }
    grants { clientId siteId name }
  }
}"""
ACCEPT = (
    """mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { token } }"""
)


class Office(Api):
    org: Any
    client_a: Any
    client_b: Any
    site_b1: Any
    admin: str
    clerk: str
    technician: str


@pytest.fixture
async def office(
    make_client: MakeClient, make_database: Callable[[], Awaitable[str]]
) -> AsyncIterator[Office]:
    url = await make_database()
    engine = create_engine(url, pool_size=2)
    org = await factories.organization(engine, "acme")
    await factories.staff(engine, org, "admin@acme.example")
    await factories.staff(engine, org, "office@acme.example", m.StaffRole.OFFICE)
    await factories.staff(engine, org, "tech@acme.example", m.StaffRole.TECHNICIAN)
    built = Office(engine, await make_client(url))
    built.org = org
    built.client_a = await factories.client(engine, org, "A", name="Alfa Srl")
    built.client_b = await factories.client(engine, org, "B", name="Beta Spa")
    built.site_b1 = await factories.site(engine, org, built.client_b, "Magazzino")
    other = await factories.organization(engine, "other")
    built.foreign_client = await factories.client(engine, other, "X")  # type: ignore[attr-defined]
    built.admin = await built.token("admin@acme.example")
    built.clerk = await built.token("office@acme.example")
    built.technician = await built.token("tech@acme.example")
    yield built
    await engine.dispose()


def new_access(office: Office, **changes: Any) -> dict[str, Any]:
    return {
        "firstName": "Lucía",
        "lastName": "Pérez Gómez",
        "email": "lucia@beta.example",
        "clientIds": [ids.encode("Client", office.client_a)],
        "siteIds": [ids.encode("Site", office.site_b1)],
        "flags": {"canOpenTickets": True},
    } | changes


async def invitation_token(office: Office, email: str) -> str:
    body = await office.scalar(
        "SELECT body_text FROM outbox_message WHERE to_address = :e ORDER BY created_at DESC "
        "LIMIT 1",
        e=email,
    )
    match = re.search(r"#token=(spl_[A-Za-z0-9_-]+)", body)
    assert match is not None
    return match.group(1)


async def test_staff_give_a_contact_a_login_in_one_step(office: Office) -> None:
    created = await office.gql(CREATE, token=office.clerk, input=new_access(office))
    access = created.json()["data"]["createPortalAccess"]
    assert access["username"] == "lucia.perezgomez"
    assert access["state"] == "INVITED"
    assert access["flags"] == {
        "portalAccess": True,
        "canOpenTickets": True,
        "canViewInvoices": False,
    }
    assert {g["name"] for g in access["grants"]} == {"Alfa Srl", "Beta Spa - Magazzino"}
    # The invitation carries a link, never a password.
    body = await office.scalar("SELECT body_text FROM outbox_message")
    assert "#token=spl_" in body
    token = await invitation_token(office, "lucia@beta.example")
    accepted = await office.gql(ACCEPT, t=token, p="il mio portale 2026")
    session = accepted.json()["data"]["acceptInvitation"]["token"]
    viewer = await office.gql(VIEWER, token=session)
    assert viewer.json()["data"]["viewer"] == {
        "kind": "CONTACT",
        "firstName": "Lucía",
        "organizationName": "Acme",
    }
    again = await office.gql(ACCEPT, t=token, p="il mio portale 2027")
    assert again.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    events = await office.scalar("SELECT array_agg(action ORDER BY created_at) FROM audit_event")
    assert "portal_access_created" in events
    assert "password_changed" in events


async def test_a_new_invitation_makes_the_old_one_useless(office: Office) -> None:
    created = await office.gql(CREATE, token=office.admin, input=new_access(office))
    access_id = created.json()["data"]["createPortalAccess"]["id"]
    first = await invitation_token(office, "lucia@beta.example")
    await office.execute("UPDATE outbox_message SET created_at = created_at - interval '1 minute'")
    reset = await office.gql(
        "mutation($id: ID!) { resetPortalAccessCredentials(id: $id) { state } }",
        token=office.admin,
        id=access_id,
    )
    assert reset.json()["data"]["resetPortalAccessCredentials"]["state"] == "INVITED"
    second = await invitation_token(office, "lucia@beta.example")
    assert first != second
    assert (await office.gql(ACCEPT, t=first, p="il mio portale 2026")).json()["errors"]
    assert (await office.gql(ACCEPT, t=second, p="il mio portale 2026")).json()["data"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not an email"}, "email"),
        ({"firstName": "  "}, "firstName"),
        ({"clientIds": [], "siteIds": []}, "clientIds"),
        ({"clientIds": ["bm9wZQ"]}, "clientIds"),
        ({"locale": "fr"}, "locale"),
        ({"notes": "x" * 2001}, "notes"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(
    office: Office, changes: dict[str, Any], field: str
) -> None:
    answer = await office.gql(CREATE, token=office.admin, input=new_access(office, **changes))
    assert answer.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert await office.scalar("SELECT count(*) FROM contact") == 0
    assert await office.scalar("SELECT count(*) FROM outbox_message") == 0


async def test_a_client_of_another_organization_cannot_be_granted(office: Office) -> None:
    foreign = ids.encode("Client", office.foreign_client)  # type: ignore[attr-defined]
    answer = await office.gql(
        CREATE, token=office.admin, input=new_access(office, clientIds=[foreign])
    )
    assert answer.json()["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "clientIds",
    }
    assert await office.scalar("SELECT count(*) FROM portal_grant") == 0


async def test_a_duplicate_email_is_refused(office: Office) -> None:
    await office.gql(CREATE, token=office.admin, input=new_access(office))
    twin = await office.gql(
        CREATE, token=office.admin, input=new_access(office, email="LUCIA@beta.example")
    )
    assert twin.json()["errors"][0]["extensions"]["field"] == "email"


async def test_an_email_taken_by_a_request_running_at_once_is_refused_the_same_way(
    office: Office,
) -> None:
    """The check passes (the other access is not committed yet), then the unique index
    decides: still BAD_USER_INPUT on email, never an internal error."""
    async with office.engine.connect() as other:
        await other.begin()
        await other.execute(
            table_of(m.Contact)
            .insert()
            .values(
                id=uuid.uuid4(),
                created_at=dt.datetime.now(dt.UTC),
                organization_id=office.org,
                first_name="Lucia",
                last_name="Other",
                email="lucia@beta.example",
                username="lucia.other",
                notes="",
                state=m.ContactState.INVITED.value,
            )
        )
        racing = asyncio.create_task(
            office.gql(CREATE, token=office.admin, input=new_access(office))
        )
        while not await office.scalar("SELECT count(*) FROM pg_locks WHERE NOT granted"):  # noqa: ASYNC110 - polls PostgreSQL
            await asyncio.sleep(0.01)
        await other.commit()
    answer = (await racing).json()
    assert answer["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "email"}
    assert await office.scalar("SELECT count(*) FROM contact") == 1


async def test_technicians_and_contacts_cannot_manage_accesses(office: Office) -> None:
    refused = await office.gql(CREATE, token=office.technician, input=new_access(office))
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await office.scalar("SELECT count(*) FROM contact") == 0


async def test_search_update_and_delete(office: Office) -> None:
    created = await office.gql(CREATE, token=office.admin, input=new_access(office))
    access_id = created.json()["data"]["createPortalAccess"]["id"]
    await office.gql(
        CREATE,
        token=office.admin,
        input=new_access(office, firstName="Marco", lastName="Neri", email="marco@alfa.example"),
    )
    found = await office.gql('{ portalAccesses(search: "pérez") { email } }', token=office.clerk)
    assert found.json()["data"]["portalAccesses"] == [{"email": "lucia@beta.example"}]
    updated = await office.gql(
        "mutation($id: ID!, $in: UpdatePortalAccessInput!) { "
        "updatePortalAccess(id: $id, input: $in) { "
        "mobile flags { canViewInvoices canOpenTickets } grants { name } } }",
        token=office.admin,
        id=access_id,
        variables={
            "in": {"mobile": "333 000 1111", "flags": {"canViewInvoices": True}, "siteIds": []}
        },
    )
    changed = updated.json()["data"]["updatePortalAccess"]
    assert changed["mobile"] == "333 000 1111"
    assert changed["flags"] == {"canViewInvoices": True, "canOpenTickets": True}
    assert changed["grants"] == [{"name": "Alfa Srl"}]

    token = await invitation_token(office, "lucia@beta.example")
    session = (await office.gql(ACCEPT, t=token, p="il mio portale 2026")).json()["data"][
        "acceptInvitation"
    ]["token"]
    deleted = await office.gql(
        "mutation($id: ID!) { deletePortalAccess(id: $id) }", token=office.admin, id=access_id
    )
    assert deleted.json() == {"data": {"deletePortalAccess": True}}
    assert (await office.gql(VIEWER, token=session)).status_code == 401
    assert await office.scalar("SELECT count(*) FROM client") == 3  # its clients stay
    gone = await office.gql(
        "mutation($id: ID!) { deletePortalAccess(id: $id) }", token=office.admin, id=access_id
    )
    assert gone.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_switching_the_portal_off_locks_contacts_out(office: Office) -> None:
    await factories.contact(
        office.engine, office.org, "carla@alfa.example", clients=(office.client_a,)
    )
    session = await office.token("carla@alfa.example")
    assert (await office.gql(VIEWER, token=session)).status_code == 200
    await office.gql("mutation { setPortalEnabled(enabled: false) }", token=office.admin)
    assert (await office.gql(VIEWER, token=session)).status_code == 401
    assert (await office.login("carla@alfa.example")).json()["data"] is None
    await office.gql("mutation { setPortalEnabled(enabled: true) }", token=office.admin)
    assert (await office.login("carla@alfa.example")).json()["data"]["login"]


SWITCH_CONTACT = """mutation($id: ID!, $on: Boolean!) {
  updatePortalAccess(id: $id, input: {flags: {portalAccess: $on}}) { id } }"""
SWITCH_ORGANIZATION = "mutation($on: Boolean!) { setPortalEnabled(enabled: $on) }"
SWITCH_CLIENT = """mutation($client: ID!, $on: Boolean!) {
  setClientPortalEnabled(clientId: $client, enabled: $on) }"""


async def switch(office: Office, which: str, on: bool, contact: uuid.UUID) -> None:
    """Turn one of the three portal switches that concern ``contact`` (granted client A)."""
    if which == "contact access":
        answer = await office.gql(
            SWITCH_CONTACT, token=office.admin, id=ids.encode("PortalAccess", contact), on=on
        )
    elif which == "organization portal":
        answer = await office.gql(SWITCH_ORGANIZATION, token=office.admin, on=on)
    else:
        answer = await office.gql(
            SWITCH_CLIENT, token=office.admin, client=ids.encode("Client", office.client_a), on=on
        )
    assert "errors" not in answer.json(), answer.text


@pytest.mark.parametrize("which", ["contact access", "organization portal", "client portal"])
async def test_a_switched_off_portal_ends_sessions_for_good(office: Office, which: str) -> None:
    """Switching a contact's access, the organization's portal or its client's portal off
    ends the contact's sessions; switching it back on does not bring them back (a new login
    is needed). A contact of both clients loses its session to client A's switch too (the
    documented choice); a contact of client B alone keeps its own."""
    only_a = await factories.contact(
        office.engine, office.org, "carla@alfa.example", clients=(office.client_a,)
    )
    await factories.contact(
        office.engine,
        office.org,
        "dario@both.example",
        clients=(office.client_a, office.client_b),
    )
    await factories.contact(office.engine, office.org, "bea@beta.example", sites=(office.site_b1,))
    carla = await office.token("carla@alfa.example")
    dario = await office.token("dario@both.example")
    bea = await office.token("bea@beta.example")
    for token in (carla, dario, bea):
        assert (await office.gql(VIEWER, token=token)).status_code == 200
    await switch(office, which, False, only_a)
    assert (await office.gql(VIEWER, token=carla)).status_code == 401
    await switch(office, which, True, only_a)
    old = await office.gql(VIEWER, token=carla)
    assert old.status_code == 401, old.text
    assert old.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    ended = {"contact access": {carla}, "organization portal": {carla, dario, bea}}.get(
        which, {carla, dario}
    )
    for token in (dario, bea):
        status = (await office.gql(VIEWER, token=token)).status_code
        assert status == (401 if token in ended else 200), (which, token == dario)
    # The contact itself may log in again: only the old sessions are gone.
    assert (await office.login("carla@alfa.example")).json()["data"]["login"]["token"]


BILL = """query($m: String!) { portalBill(month: $m) {
  accessCount unitFeeCents netCents vatCents totalCents accesses { email } } }"""


async def test_billing_counts_every_access_that_existed_in_the_month(office: Office) -> None:
    one = await factories.contact(
        office.engine, office.org, "one@alfa.example", clients=(office.client_a, office.client_b)
    )
    await factories.contact(office.engine, office.org, "two@alfa.example", sites=(office.site_b1,))
    late = await factories.contact(office.engine, office.org, "late@alfa.example")
    await office.execute(
        "UPDATE contact SET created_at = '2026-09-10T10:00:00+02' WHERE id <> :late", late=late
    )
    await office.execute(
        "UPDATE contact SET created_at = '2026-10-31T23:30:00+01' WHERE id = :late", late=late
    )
    # Deleted in the middle of October: billed for October, not for November.
    await office.execute(
        "UPDATE contact SET deleted_at = '2026-10-15T12:00:00+02' WHERE id = :one", one=one
    )
    october = (await office.gql(BILL, token=office.clerk, m="2026-10")).json()["data"]["portalBill"]
    november = (await office.gql(BILL, token=office.clerk, m="2026-11")).json()["data"][
        "portalBill"
    ]
    assert october["accessCount"] == 3
    assert {a["email"] for a in october["accesses"]} == {
        "one@alfa.example",
        "two@alfa.example",
        "late@alfa.example",
    }
    assert (october["unitFeeCents"], october["netCents"], october["vatCents"]) == (200, 600, 132)
    assert october["totalCents"] == 732
    assert november["accessCount"] == 2
    assert "one@alfa.example" not in {a["email"] for a in november["accesses"]}
    september = (await office.gql(BILL, token=office.clerk, m="2026-09")).json()["data"][
        "portalBill"
    ]
    assert september["accessCount"] == 2
    bad = await office.gql(BILL, token=office.clerk, m="October")
    assert bad.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "month"}


TOKEN = """mutation($in: CreatePartnerTokenInput!) { createPartnerToken(input: $in) {
  secret partnerToken { id lastFour scopes clientIds } } }"""


async def test_partner_tokens_are_shown_once_listed_by_last_four_and_revocable(
    office: Office,
) -> None:
    created = await office.gql(
        TOKEN,
        token=office.admin,
        variables={
            "in": {
                "name": "BI",
                "scopes": ["reports:read"],
                "clientIds": [ids.encode("Client", office.client_a)],
            }
        },
    )
    made = created.json()["data"]["createPartnerToken"]
    secret = made["secret"]
    assert secret.startswith("spp_")
    assert made["partnerToken"]["lastFour"] == secret[-4:]
    listed = await office.gql("{ partnerTokens { lastFour scopes revokedAt } }", token=office.admin)
    assert listed.json()["data"]["partnerTokens"] == [
        {"lastFour": secret[-4:], "scopes": ["reports:read"], "revokedAt": None}
    ]
    assert secret not in listed.text
    partner = await office.gql("{ apiVersion }", token=secret)
    assert partner.status_code == 200
    assert partner.json()["data"]["apiVersion"]
    office.client.cookies.clear()
    in_query = await office.client.post(
        f"/graphql?access_token={secret}", json={"query": "{ viewer { kind } }"}
    )
    assert in_query.status_code == 401
    revoked = await office.gql(
        "mutation($id: ID!) { revokePartnerToken(id: $id) }",
        token=office.admin,
        id=made["partnerToken"]["id"],
    )
    assert revoked.json() == {"data": {"revokePartnerToken": True}}
    assert (await office.gql("{ apiVersion }", token=secret)).status_code == 401
    events = await office.scalar("SELECT array_agg(action ORDER BY created_at) FROM audit_event")
    assert "partner_token_created" in events
    assert "partner_token_revoked" in events


async def test_only_admins_manage_partner_tokens(office: Office) -> None:
    refused = await office.gql(
        TOKEN, token=office.clerk, variables={"in": {"name": "BI", "scopes": ["reports:read"]}}
    )
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    expired = await office.gql(
        TOKEN,
        token=office.admin,
        variables={
            "in": {
                "name": "BI",
                "scopes": ["reports:read"],
                "expiresAt": (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat(),
            }
        },
    )
    assert expired.json()["errors"][0]["extensions"]["field"] == "expiresAt"
    unknown = await office.gql(
        TOKEN, token=office.admin, variables={"in": {"name": "BI", "scopes": ["admin:all"]}}
    )
    assert unknown.json()["errors"][0]["extensions"]["field"] == "scopes"
