"""Archiving a client or a site (resolvers/client_actions.py) stops new work but keeps what
records and contacts already show; a client with open appointments is not archived."""

from __future__ import annotations

import uuid

from schema.kit import ids
from tests.api import Demo
from tests.api.callers import refused
from tests.api.clients.kit import (
    ARCHIVE_CLIENT,
    ARCHIVE_SITE,
    CREATE_SITE,
    STATE,
    demo_client,
    events,
    site_input,
)


async def test_a_client_with_open_appointments_is_not_archived(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    row = await demo.scalar(
        "SELECT ARRAY[i.client_id::text, i.site_id::text] FROM intervention i "
        "JOIN organization o ON o.id = i.organization_id WHERE o.slug = 'brillanti' "
        "AND i.status IN ('REQUESTED', 'PLANNED', 'IN_PROGRESS') ORDER BY i.starts_at LIMIT 1"
    )
    open_ids = await demo.scalar(
        "SELECT array_agg(id::text ORDER BY starts_at, id) FROM intervention "
        "WHERE client_id = :c AND status IN ('REQUESTED', 'PLANNED', 'IN_PROGRESS')",
        c=uuid.UUID(row[0]),
    )
    before = await demo.scalar(STATE)
    for query, id in (
        (ARCHIVE_CLIENT, ids.encode("Client", uuid.UUID(row[0]))),
        (ARCHIVE_SITE, ids.encode("Site", uuid.UUID(row[1]))),
    ):
        error = await refused(demo, token, query, id=id)
        assert error["extensions"]["code"] == "CONFLICT"
        named = error["extensions"]["appointments"]
        assert named
        assert named[0] in error["message"]
    client_error = await refused(
        demo, token, ARCHIVE_CLIENT, id=ids.encode("Client", uuid.UUID(row[0]))
    )
    expected = [ids.encode("Appointment", uuid.UUID(i)) for i in open_ids[:5]]
    assert client_error["extensions"]["appointments"] == expected
    assert await demo.scalar(STATE) == before


async def test_an_archived_client_takes_no_new_work_but_its_history_stays(demo: Demo) -> None:
    """Archived with its sites: no new site, ticket or booking; the contact still reads its
    sites and work sheets, and staff find it in the lists with archivedAt."""
    contact = await demo.as_("contact of one client")
    seen = """{ sites(first: 50) { totalCount edges { node { id } } }
                workSheets(first: 1) { totalCount } }"""
    before_contact = await demo.data(seen, contact)
    site = before_contact["sites"]["edges"][0]["node"]["id"]
    client = (
        await demo.data("query($id: ID!) { site(id: $id) { client { id } } }", contact, id=site)
    )["site"]["client"]["id"]
    # The office finishes what was open (so that archiving is allowed).
    await demo.execute(
        "UPDATE intervention SET status = 'CANCELLED' WHERE client_id = :c "
        "AND status IN ('REQUESTED', 'PLANNED', 'IN_PROGRESS')",
        c=ids.decode("Client", client),
    )
    token = await demo.staff("OFFICE")
    archived = (await demo.data(ARCHIVE_CLIENT, token, id=client))["archiveClient"]
    assert archived["archivedAt"] is not None
    [event] = await events(demo, "client_archived", client)
    assert event["details"]["changed"] == ["archived_at"]
    assert event["details"]["before"] == {"archived_at": None}
    assert site in event["details"]["archivedSites"]
    staff_site = await demo.data("query($id: ID!) { site(id: $id) { archivedAt } }", token, id=site)
    assert staff_site["site"]["archivedAt"] == archived["archivedAt"]
    listed = await demo.data(
        "query($id: ID!) { sites(first: 100, clientId: $id) { edges { node { archivedAt } } } }",
        token,
        id=client,
    )
    assert {e["node"]["archivedAt"] for e in listed["sites"]["edges"]} == {archived["archivedAt"]}

    # Nothing the contact has seen vanishes.
    assert await demo.data(seen, contact) == before_contact
    # No new work: a site, a ticket, a booking, free slots.
    error = await refused(demo, token, CREATE_SITE, input=site_input(client))
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "clientId"}
    department = await demo.data("{ departments(first: 1) { edges { node { id } } } }", contact)
    ticket = await refused(
        demo,
        contact,
        "mutation($input: OpenTicketInput!) { openTicket(input: $input) { id } }",
        input={
            "siteId": site,
            "departmentId": department["departments"]["edges"][0]["node"]["id"],
            "referencePerson": "Mario Rossi",
            "notes": "La caldaia perde acqua.",
        },
    )
    assert ticket["extensions"]["code"] == "NOT_FOUND"
    activity = await demo.data("{ activityTypes(first: 1) { edges { node { id } } } }", contact)
    booking = await refused(
        demo,
        contact,
        "mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { id } }",
        input={
            "siteId": site,
            "activityTypeId": activity["activityTypes"]["edges"][0]["node"]["id"],
            "startsAt": "2027-03-01T09:00:00+01:00",
        },
    )
    assert booking["extensions"]["code"] == "NOT_FOUND"
    # Archiving twice changes nothing.
    again = (await demo.data(ARCHIVE_CLIENT, token, id=client))["archiveClient"]
    assert again["archivedAt"] == archived["archivedAt"]
    assert len(await events(demo, "client_archived", client)) == 1


async def test_an_archived_site_is_audited_and_its_siblings_stay_in_use(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    client, _ = await demo_client(demo)
    first = (await demo.data(CREATE_SITE, token, input=site_input(client)))["createSite"]
    second = await demo.data(CREATE_SITE, token, input=site_input(client, name="Magazzino"))
    archived = (await demo.data(ARCHIVE_SITE, token, id=first["id"]))["archiveSite"]
    assert archived["archivedAt"] is not None
    [event] = await events(demo, "site_archived", first["id"])
    assert event["details"]["before"] == {"archived_at": None}
    sibling = await demo.data(
        "query($id: ID!) { site(id: $id) { archivedAt } }",
        token,
        id=second["createSite"]["id"],
    )
    assert sibling["site"]["archivedAt"] is None
