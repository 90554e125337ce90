"""The portal switches (a contact's access, the organization's portal, a client's portal) lock
contacts out and end their sessions for good."""

from __future__ import annotations

import uuid

import pytest

from schema.kit import ids
from tests import factories
from tests.api import VIEWER
from tests.api.portal_access.kit import Office


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
