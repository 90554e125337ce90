"""Staff create and edit clients, sites and departments (resolvers/client_actions.py): every
field checked and named, foreign ids like missing ones, each change audited with its
before/after."""

from __future__ import annotations

import uuid
from typing import Any

from schema.kit import ids
from tests.api import Demo
from tests.api.callers import refused
from tests.api.clients.kit import (
    ARCHIVE_DEPARTMENT,
    CREATE_CLIENT,
    CREATE_DEPARTMENT,
    CREATE_SITE,
    STATE,
    UPDATE_CLIENT,
    UPDATE_DEPARTMENT,
    UPDATE_SITE,
    client_input,
    demo_client,
    events,
    site_input,
)


async def test_office_creates_and_edits_a_client_audited_with_before_and_after(
    demo: Demo,
) -> None:
    token = await demo.staff("OFFICE")
    created = (await demo.data(CREATE_CLIENT, token, input=client_input()))["createClient"]
    assert created | {"id": None} == {
        "id": None,
        "code": "NEW-001",
        "name": "Condominio Aurora",
        "taxId": "IT01234567890",
        "email": "amministrazione@aurora.example",
        "phone": "+39 02 1234 5678",
        "portalEnabled": True,
        "archivedAt": None,
    }
    [event] = await events(demo, "client_created", created["id"])
    assert event["actor"] == "STAFF"
    assert event["details"]["before"] == {}
    assert event["details"]["after"]["code"] == "NEW-001"
    # Text is trimmed; "" clears an optional field; a field left out stays.
    changed = await demo.data(
        UPDATE_CLIENT, token, id=created["id"], input={"name": "  Aurora Srl ", "taxId": ""}
    )
    assert changed["updateClient"]["name"] == "Aurora Srl"
    assert changed["updateClient"]["taxId"] is None
    assert changed["updateClient"]["phone"] == "+39 02 1234 5678"
    [change] = await events(demo, "client_changed", created["id"])
    assert change["details"] == {
        "changed": ["name", "tax_id"],
        "before": {"name": "Condominio Aurora", "tax_id": "IT01234567890"},
        "after": {"name": "Aurora Srl", "tax_id": None},
    }
    # The same values again change nothing and record nothing.
    await demo.data(UPDATE_CLIENT, token, id=created["id"], input={"name": "Aurora Srl"})
    assert len(await events(demo, "client_changed", created["id"])) == 1


async def test_bad_client_input_is_refused_naming_the_field_and_nothing_is_written(
    demo: Demo,
) -> None:
    token = await demo.as_("staff admin")
    taken_id, taken_code = await demo_client(demo)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"code": " "}, "code"),
        ({"code": "NEW 001"}, "code"),
        ({"code": "x" * 33}, "code"),
        ({"code": taken_code}, "code"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "two\nlines"}, "name"),
        ({"taxId": "x" * 33}, "taxId"),
        ({"email": "not-an-address"}, "email"),
        ({"phone": "call me"}, "phone"),
    ]
    before = await demo.scalar(STATE)
    for changes, field in cases:
        error = await refused(demo, token, CREATE_CLIENT, input=client_input(**changes))
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, changes
    other_id = (await demo_client(demo, "ignis"))[0]
    other = await demo.data(CREATE_CLIENT, token, input=client_input(code="OTHER-1"))
    before = await demo.scalar(STATE)
    error = await refused(
        demo, token, UPDATE_CLIENT, id=other["createClient"]["id"], input={"code": taken_code}
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "code"}
    assert error["message"] == "code: another client already uses this code"
    # A client of another organization answers exactly like one that does not exist.
    foreign = await demo.gql(UPDATE_CLIENT, token=token, id=other_id, input={"name": "X"})
    missing = await demo.gql(
        UPDATE_CLIENT, token=token, id=ids.encode("Client", uuid.uuid4()), input={"name": "X"}
    )
    assert foreign.json() == missing.json()
    assert foreign.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await demo.scalar(STATE) == before
    assert taken_id  # the taken code belongs to a real client


async def test_sites_are_created_with_checked_coordinates_and_audited(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    client, _ = await demo_client(demo)
    created = (await demo.data(CREATE_SITE, token, input=site_input(client)))["createSite"]
    assert created["client"]["id"] == client
    assert created["country"] == "IT"
    assert (created["lat"], created["lng"]) == ("45.464211", "9.191383")
    [event] = await events(demo, "site_created", created["id"])
    assert event["details"]["after"]["lat"] == "45.464211"
    moved = await demo.data(
        UPDATE_SITE, token, id=created["id"], input={"lat": "45.5", "province": ""}
    )
    assert moved["updateSite"]["province"] is None
    [change] = await events(demo, "site_changed", created["id"])
    assert change["details"] == {
        "changed": ["lat", "province"],
        "before": {"lat": "45.464211", "province": "MI"},
        "after": {"lat": "45.500000", "province": None},
    }

    other_client, _ = await demo_client(demo, "ignis")
    before = await demo.scalar(STATE)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"lat": "90.000001"}, "lat"),
        ({"lat": "-91"}, "lat"),
        ({"lng": "180.5"}, "lng"),
        ({"lng": "NaN"}, "lng"),
        ({"name": ""}, "name"),
        ({"address": "x" * 301}, "address"),
        ({"postalCode": "  "}, "postalCode"),
        ({"city": "x" * 101}, "city"),
        ({"country": "ITA"}, "country"),
        ({"country": "1T"}, "country"),
        ({"clientId": ids.encode("Client", uuid.uuid4())}, "clientId"),
        ({"clientId": ids.encode("Site", uuid.uuid4())}, "clientId"),
    ]
    for changes, field in cases:
        error = await refused(demo, token, CREATE_SITE, input=site_input(client, **changes))
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, changes
    # Another organization's client: the same answer as a client that does not exist.
    foreign = await refused(demo, token, CREATE_SITE, input=site_input(other_client))
    missing = await refused(
        demo, token, CREATE_SITE, input=site_input(ids.encode("Client", uuid.uuid4()))
    )
    assert foreign == missing
    for changes, field in (({"lat": "100"}, "lat"), ({"city": ""}, "city")):
        error = await refused(demo, token, UPDATE_SITE, id=created["id"], input=changes)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert await demo.scalar(STATE) == before


async def test_departments_are_created_edited_and_archived_out_of_the_ticket_form(
    demo: Demo,
) -> None:
    token = await demo.staff("OFFICE")
    created = (await demo.data(CREATE_DEPARTMENT, token, input={"name": "Antincendio"}))[
        "createDepartment"
    ]
    assert created["portalVisible"] is True
    error = await refused(demo, token, CREATE_DEPARTMENT, input={"name": " Antincendio "})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "name"}
    for name in ("", "x" * 121):
        error = await refused(demo, token, CREATE_DEPARTMENT, input={"name": name})
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "name"}
    second = await demo.data(CREATE_DEPARTMENT, token, input={"name": "Elettrico"})
    error = await refused(
        demo,
        token,
        UPDATE_DEPARTMENT,
        id=second["createDepartment"]["id"],
        input={"name": "Antincendio"},
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "name"}
    assert error["message"] == "name: another department already uses this name"
    hidden = await demo.data(
        UPDATE_DEPARTMENT, token, id=created["id"], input={"portalVisible": False}
    )
    assert hidden["updateDepartment"]["portalVisible"] is False
    [change] = await events(demo, "department_changed", created["id"])
    assert change["details"]["before"] == {"portal_visible": True}

    # A department with tickets: archived, it leaves the list but its tickets keep it.
    ticket = await demo.scalar(
        "SELECT ARRAY[t.id::text, t.department_id::text, t.site_id::text] FROM ticket t "
        "JOIN organization o ON o.id = t.organization_id JOIN department d "
        "ON d.id = t.department_id WHERE o.slug = 'brillanti' AND d.portal_visible "
        "ORDER BY t.opened_at LIMIT 1"
    )
    department = ids.encode("Department", uuid.UUID(ticket[1]))
    listed = "{ departments(first: 100) { totalCount edges { node { id } } } }"
    count = (await demo.data(listed, token))["departments"]["totalCount"]
    archived = await demo.data(ARCHIVE_DEPARTMENT, token, id=department)
    assert archived["archiveDepartment"]["archivedAt"] is not None
    [event] = await events(demo, "department_archived", department)
    assert event["details"]["changed"] == ["archived_at"]
    again = await demo.data(ARCHIVE_DEPARTMENT, token, id=department)
    assert again["archiveDepartment"]["archivedAt"] == archived["archiveDepartment"]["archivedAt"]
    assert len(await events(demo, "department_archived", department)) == 1
    after = (await demo.data(listed, token))["departments"]
    assert after["totalCount"] == count - 1
    assert department not in [e["node"]["id"] for e in after["edges"]]
    read = await demo.data(
        "query($id: ID!) { ticket(id: $id) { department { id name } } }",
        token,
        id=ids.encode("Ticket", uuid.UUID(ticket[0])),
    )
    assert read["ticket"]["department"]["id"] == department
    error = await refused(
        demo,
        token,
        """mutation($input: OpenTicketInput!) { openTicket(input: $input) { id } }""",
        input={
            "siteId": ids.encode("Site", uuid.UUID(ticket[2])),
            "departmentId": department,
            "referencePerson": "Mario Rossi",
            "notes": "La caldaia perde acqua.",
        },
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "departmentId"}
