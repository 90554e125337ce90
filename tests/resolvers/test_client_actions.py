"""Staff create, edit and archive clients, sites and departments (resolvers/client_actions.py):
every field checked and named, foreign ids like missing ones, each change audited with its
before/after, archiving stops new work but keeps what records and contacts already show."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from schema.kit import ids
from tests.api import Demo
from tests.partners import partner_token

CLIENT_FIELDS = "id code name taxId email phone portalEnabled archivedAt"
SITE_FIELDS = "id name address postalCode city province country lat lng archivedAt client { id }"
DEPARTMENT_FIELDS = "id name portalVisible archivedAt"

CREATE_CLIENT = f"""mutation($input: CreateClientInput!) {{
  createClient(input: $input) {{ {CLIENT_FIELDS} }} }}"""
UPDATE_CLIENT = f"""mutation($id: ID!, $input: UpdateClientInput!) {{
  updateClient(id: $id, input: $input) {{ {CLIENT_FIELDS} }} }}"""
ARCHIVE_CLIENT = f"mutation($id: ID!) {{ archiveClient(id: $id) {{ {CLIENT_FIELDS} }} }}"
CREATE_SITE = f"""mutation($input: CreateSiteInput!) {{
  createSite(input: $input) {{ {SITE_FIELDS} }} }}"""
UPDATE_SITE = f"""mutation($id: ID!, $input: UpdateSiteInput!) {{
  updateSite(id: $id, input: $input) {{ {SITE_FIELDS} }} }}"""
ARCHIVE_SITE = f"mutation($id: ID!) {{ archiveSite(id: $id) {{ {SITE_FIELDS} }} }}"
CREATE_DEPARTMENT = f"""mutation($input: CreateDepartmentInput!) {{
  createDepartment(input: $input) {{ {DEPARTMENT_FIELDS} }} }}"""
UPDATE_DEPARTMENT = f"""mutation($id: ID!, $input: UpdateDepartmentInput!) {{
  updateDepartment(id: $id, input: $input) {{ {DEPARTMENT_FIELDS} }} }}"""
ARCHIVE_DEPARTMENT = (
    f"mutation($id: ID!) {{ archiveDepartment(id: $id) {{ {DEPARTMENT_FIELDS} }} }}"
)

# What the tables of these records and their audit events hold: a refusal changes none.
STATE = (
    "SELECT (SELECT count(*) FROM client) || '/' || (SELECT count(*) FROM site) || '/' || "
    "(SELECT count(*) FROM department) || '/' || (SELECT count(*) FROM audit_event "
    "WHERE action ~ '^(client|site|department)_') || '/' || "
    "(SELECT md5(string_agg(c::text, ',' ORDER BY c.id)) FROM client c) || '/' || "
    "(SELECT md5(string_agg(s::text, ',' ORDER BY s.id)) FROM site s) || '/' || "
    "(SELECT md5(string_agg(d::text, ',' ORDER BY d.id)) FROM department d)"
)


async def events(demo: Demo, action: str, subject: str) -> list[dict[str, Any]]:
    """The details of the audit events ``action`` about the record with global id ``subject``."""
    found = await demo.scalar(
        "SELECT coalesce(json_agg(json_build_object('details', details, 'actor', actor_type) "
        "ORDER BY created_at), '[]') FROM audit_event WHERE action = :a AND subject_id = :s",
        a=action,
        s=ids.decode(_type_of(subject), subject),
    )
    rows: list[dict[str, Any]] = json.loads(found) if isinstance(found, str) else found
    return rows


def _type_of(global_id: str) -> str:
    for name in ("Client", "Site", "Department"):
        if ids.decode(name, global_id) is not None:
            return name
    raise AssertionError(global_id)


async def refused(demo: Demo, token: str, query: str, **variables: Any) -> dict[str, Any]:
    body: dict[str, Any] = (await demo.gql(query, token=token, variables=variables)).json()
    assert body.get("data") is None, body
    error: dict[str, Any] = body["errors"][0]
    return error


def client_input(**changes: Any) -> dict[str, Any]:
    return {
        "code": "NEW-001",
        "name": "Condominio Aurora",
        "taxId": "IT01234567890",
        "email": "amministrazione@aurora.example",
        "phone": "+39 02 1234 5678",
    } | changes


def site_input(client: str, **changes: Any) -> dict[str, Any]:
    return {
        "clientId": client,
        "name": "Sede di via Roma",
        "address": "Via Roma 1",
        "postalCode": "20121",
        "city": "Milano",
        "province": "MI",
        "lat": "45.464211",
        "lng": "9.191383",
    } | changes


async def demo_client(demo: Demo, org: str = "brillanti") -> tuple[str, str]:
    """(global id, code) of the organization's first client by code."""
    row = await demo.scalar(
        "SELECT ARRAY[c.id::text, c.code] FROM client c JOIN organization o "
        "ON o.id = c.organization_id WHERE o.slug = :o ORDER BY c.code LIMIT 1",
        o=org,
    )
    return ids.encode("Client", uuid.UUID(row[0])), row[1]


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


MUTATIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("createClient", CREATE_CLIENT, {"input": client_input()}),
    ("updateClient", UPDATE_CLIENT, {"input": {"name": "X"}}),
    ("archiveClient", ARCHIVE_CLIENT, {}),
    ("createSite", CREATE_SITE, {}),
    ("updateSite", UPDATE_SITE, {"input": {"name": "X"}}),
    ("archiveSite", ARCHIVE_SITE, {}),
    ("createDepartment", CREATE_DEPARTMENT, {"input": {"name": "Nuovo reparto"}}),
    ("updateDepartment", UPDATE_DEPARTMENT, {"input": {"name": "X"}}),
    ("archiveDepartment", ARCHIVE_DEPARTMENT, {}),
]


async def _variables(demo: Demo, name: str, given: dict[str, Any]) -> dict[str, Any]:
    row = await demo.scalar(
        "SELECT ARRAY[s.client_id::text, s.id::text, d.id::text] FROM site s "
        "JOIN organization o ON o.id = s.organization_id JOIN department d "
        "ON d.organization_id = o.id WHERE o.slug = 'brillanti' ORDER BY s.id, d.id LIMIT 1"
    )
    client, site, department = (uuid.UUID(value) for value in row)
    if name == "createSite":
        return {"input": site_input(ids.encode("Client", client))}
    if name.startswith("create"):
        return given
    target = {
        "Client": ids.encode("Client", client),
        "Site": ids.encode("Site", site),
        "Department": ids.encode("Department", department),
    }[name.removeprefix("update").removeprefix("archive")]
    return given | {"id": target}


@pytest.mark.parametrize(("name", "query", "given"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
async def test_only_admin_and_office_staff_may_call_it(
    demo: Demo, name: str, query: str, given: dict[str, Any]
) -> None:
    variables = await _variables(demo, name, given)
    before = await demo.scalar(STATE)
    anonymous = await demo.gql(query, variables=variables)
    assert anonymous.status_code == 401
    for role in ("contact of one client", "contact limited to one site"):
        error = await refused(demo, await demo.as_(role), query, **variables)
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", role
    partner = await partner_token(demo, "brillanti", ("lists:read", "reports:read"))
    error = await refused(demo, partner, query, **variables)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    technician = await refused(demo, await demo.staff("TECHNICIAN"), query, **variables)
    assert technician["extensions"]["code"] == "FORBIDDEN"
    if "id" in variables:
        # Another organization's staff: the record does not exist for them.
        other = await refused(demo, await demo.as_("staff admin", "ignis"), query, **variables)
        assert other["extensions"]["code"] == "NOT_FOUND"
    elif name == "createSite":
        other = await refused(demo, await demo.as_("staff admin", "ignis"), query, **variables)
        assert other["extensions"] == {"code": "BAD_USER_INPUT", "field": "clientId"}
    assert await demo.scalar(STATE) == before
    for role in ("ADMIN", "OFFICE"):
        response = await demo.gql(query, token=await demo.staff(role), variables=variables)
        codes = {e["extensions"]["code"] for e in response.json().get("errors", [])}
        # Allowed: at most refused for what the record is (an archive with open visits).
        assert not codes & {"FORBIDDEN", "GRAPHQL_VALIDATION_FAILED", "NOT_FOUND"}, response.text
