"""CSV exports of the API lists: the same rows as the GraphQL list, the same filters, no more
columns than the caller's view holds, and bad filter values named."""

from __future__ import annotations

import csv
import io
import urllib.parse

import pytest

from schema.kit import ids
from sportello.exports import EXPORTS
from tests.api import Demo

# Per export: extra CSV parameters and the same filter as GraphQL arguments.
FILTERS: dict[str, tuple[dict[str, str], str]] = {
    "contracts": ({"expiringBefore": "2027-06-30"}, 'expiringBefore: "2027-06-30"'),
    "quotes": (
        {"status": "SENT,ACCEPTED", "from": "2026-01-01"},
        'status: [SENT, ACCEPTED], from: "2026-01-01"',
    ),
    "invoices": (
        {"status": "PAID,CLOSED", "to": "2026-10-31"},
        'status: [PAID, CLOSED], to: "2026-10-31"',
    ),
    "tickets": (
        {"status": "OPEN,IN_PROGRESS", "urgency": "HIGH,CRITICAL"},
        "status: [OPEN, IN_PROGRESS], urgency: [HIGH, CRITICAL]",
    ),
    "appointments": (
        {
            "from": "2026-11-01T00:00:00+01:00",
            "to": "2026-12-01T00:00:00+01:00",
            "status": "PLANNED",
        },
        'from: "2026-11-01T00:00:00+01:00", to: "2026-12-01T00:00:00+01:00", status: [PLANNED]',
    ),
    "workSheets": (
        {"from": "2026-06-01", "status": "SIGNED"},
        'from: "2026-06-01", status: [SIGNED]',
    ),
    "timesheetEntries": (
        {"from": "2026-10-01T00:00:00+00:00", "to": "2026-11-01T00:00:00+00:00"},
        'from: "2026-10-01T00:00:00+00:00", to: "2026-11-01T00:00:00+00:00"',
    ),
    "equipment": ({"search": "a"}, 'search: "a"'),
    "revisions": ({"result": "PASS", "from": "2025-01-01"}, 'result: PASS, from: "2025-01-01"'),
    "documents": ({"kind": "CHECKLIST"}, "kind: CHECKLIST"),
}

# Columns mirroring fields a contact's view does not hold.
STAFF_ONLY = {
    "contracts": set(),
    "quotes": {"cost_cents", "margin_cents"},
    "invoices": {"cost_cents", "margin_cents"},
    "tickets": {"opened_by_full_name"},
    "appointments": {"notes", "technician_id"},
    "workSheets": {"internal_notes"},
    "timesheetEntries": {"technician_id", "lat", "lng", "internal_notes"},
    "equipment": set(),
    "revisions": {"notes"},
    "documents": {"portal_visible"},
}

# A value each export refuses, and the parameter the refusal names.
BAD = {
    "contracts": ("expiringBefore", "soon"),
    "quotes": ("status", "SENT,MAYBE"),
    "invoices": ("from", "2026-13-01"),
    "tickets": ("urgency", "URGENT"),
    "appointments": ("from", "2026-11-01T08:00:00"),
    "workSheets": ("status", "LOST"),
    "timesheetEntries": ("to", "yesterday"),
    "equipment": ("search", "x" * 101),
    "revisions": ("result", "PASS,FAIL"),
    "documents": ("kind", "MEMO"),
}

LISTS = sorted(FILTERS)


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def export(demo: Demo, name: str, token: str, params: dict[str, str]) -> tuple[int, str]:
    demo.client.cookies.clear()
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    response = await demo.client.get(
        f"/export/{name}.csv{query}", headers={"authorization": f"Bearer {token}"}
    )
    return response.status_code, response.text


async def listed(demo: Demo, name: str, token: str, arguments: str) -> tuple[int, list[str]]:
    args = f"first: 100, {arguments}" if arguments else "first: 100"
    data = await demo.data(
        f"{{ {name}({args}) {{ totalCount edges {{ node {{ id }} }} }} }}", token
    )
    return data[name]["totalCount"], [edge["node"]["id"] for edge in data[name]["edges"]]


async def site_ids(demo: Demo, token: str) -> list[str]:
    data = await demo.data("{ sites(first: 100) { edges { node { id } } } }", token)
    return [edge["node"]["id"] for edge in data["sites"]["edges"]]


async def assert_same_rows(
    demo: Demo, name: str, token: str, params: dict[str, str], arguments: str
) -> int:
    status, text = await export(demo, name, token, params)
    assert status == 200, text
    table = rows(text)
    total, first_ids = await listed(demo, name, token, arguments)
    assert len(table) - 1 == total, (params, total)
    assert [r[0] for r in table[1 : len(first_ids) + 1]] == first_ids
    return total


# Columns named after the record they describe rather than the field they mirror.
NAMED_FOR_THEIR_RECORD = {
    ("TicketAuthor", "displayName"): "opened_by",
    ("TicketAuthor", "fullName"): "opened_by_full_name",
    ("Technician", "displayName"): "technician",
    ("Technician", "staffUser"): "technician_id",
    ("PortalGrant", "name"): "grants",
    ("PortalAccess", "grants"): "grant_ids",
}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_a_column_is_headed_by_the_field_it_mirrors(name: str) -> None:
    """snake_case of the GraphQL field; relations (a record's global id) end in ``_id``, the
    name printed beside such an id in ``_name``."""
    for column in EXPORTS[name].columns:
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in column.field_name)
        named = NAMED_FOR_THEIR_RECORD.get((column.type_name, column.field_name))
        record = snake.removesuffix("_id")
        expected = {named} if named else {snake, f"{snake}_id", f"{record}_name"}
        assert column.header in expected, column


@pytest.mark.parametrize("name", LISTS)
async def test_an_export_holds_the_rows_of_its_list(demo: Demo, name: str) -> None:
    headers = [c.header for c in EXPORTS[name].columns]
    assert EXPORTS[name].query_field == name
    for role in ("staff admin", "contact of one client"):
        token = await demo.as_(role)
        status, text = await export(demo, name, token, {})
        assert status == 200, text
        header = rows(text)[0]
        if role == "staff admin":
            assert header == headers
        else:
            assert header == [h for h in headers if h not in STAFF_ONLY[name]]
        seen = await assert_same_rows(demo, name, token, {}, "")
        extra, arguments = FILTERS[name]
        await assert_same_rows(demo, name, token, extra, arguments)
        site = (await site_ids(demo, token))[0]
        await assert_same_rows(demo, name, token, {"siteId": site}, f'siteId: "{site}"')
        assert seen > 0 or name in ("contracts", "documents"), f"{role} sees no {name}"


@pytest.mark.parametrize("name", LISTS)
async def test_another_clients_site_matches_nothing(demo: Demo, name: str) -> None:
    token = await demo.as_("contact of one client")
    mine = set(await site_ids(demo, token))
    others = await demo.scalar(
        "SELECT array_agg(s.id) FROM site s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = 'brillanti'"
    )
    other = next(ids.encode("Site", s) for s in others if ids.encode("Site", s) not in mine)
    status, text = await export(demo, name, token, {"siteId": other})
    assert status == 200
    assert len(rows(text)) == 1
    foreign = await demo.scalar(
        "SELECT s.id FROM site s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = 'ignis' LIMIT 1"
    )
    staff = await demo.as_("staff admin")
    _, text = await export(demo, name, staff, {"siteId": ids.encode("Site", foreign)})
    assert len(rows(text)) == 1


@pytest.mark.parametrize("name", LISTS)
async def test_a_bad_filter_value_names_the_parameter(demo: Demo, name: str) -> None:
    token = await demo.as_("staff admin")
    parameter, value = BAD[name]
    demo.client.cookies.clear()
    response = await demo.client.get(
        f"/export/{name}.csv",
        params={parameter: value},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": parameter,
        "requestId": response.headers["x-request-id"],
    }
    assert error["message"].startswith(f"{parameter}: ")


async def test_an_inverted_period_names_to(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    status, text = await export(demo, "quotes", token, {"from": "2026-02-01", "to": "2026-01-01"})
    assert status == 400
    assert '"field":"to"' in text.replace(" ", "")
