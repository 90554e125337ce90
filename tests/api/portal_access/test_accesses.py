"""Staff give contacts portal logins in one step, and search, update and delete them."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest

from db import models as m
from db.models.base import table_of
from schema.kit import ids
from tests.api import VIEWER
from tests.api.portal_access.kit import ACCEPT, CREATE, Office, new_access
from tests.identity.kit import mailed_link


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
    token = await mailed_link(office, "lucia@beta.example")
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
    first = await mailed_link(office, "lucia@beta.example")
    await office.execute("UPDATE outbox_message SET created_at = created_at - interval '1 minute'")
    reset = await office.gql(
        "mutation($id: ID!) { resetPortalAccessCredentials(id: $id) { state } }",
        token=office.admin,
        id=access_id,
    )
    assert reset.json()["data"]["resetPortalAccessCredentials"]["state"] == "INVITED"
    second = await mailed_link(office, "lucia@beta.example")
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
    foreign = ids.encode("Client", office.foreign_client)
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

    token = await mailed_link(office, "lucia@beta.example")
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
