"""CSV exports of the back office's lists (portal accesses, staff users, audit events, the
portal bill of a month): the rule of the GraphQL field decides who downloads them, the rows are
the API's, names stand beside ids, times are the organization's with their offset, and a
byte order mark is there when asked for."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from zoneinfo import ZoneInfo

import httpx
import pytest

from authz.principals import Audience
from authz.scope import RowScope
from db.pagination import PageRequest, fetch_page
from sportello.exports import EXPORTS
from tests.api import Demo
from tests.partners import partner_token

ROME = ZoneInfo("Europe/Rome")
STAFF_LISTS = ("portalAccesses", "staffUsers", "auditEvents", "portalBill")
# Who may download each list: the rule of its root field (authz/policy.py).
ALLOWED = {
    "portalAccesses": {"ADMIN", "OFFICE"},
    "staffUsers": {"ADMIN", "OFFICE", "TECHNICIAN"},
    "auditEvents": {"ADMIN", "OFFICE"},
    "portalBill": {"ADMIN", "OFFICE"},
}
NEEDED = {"portalBill": {"month": "2026-11"}}


def rows(response: httpx.Response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.text)))


async def download(
    demo: Demo, name: str, token: str, params: dict[str, str] | None = None
) -> httpx.Response:
    demo.client.cookies.clear()
    return await demo.client.get(
        f"/export/{name}.csv", params=params, headers={"authorization": f"Bearer {token}"}
    )


async def tokens(demo: Demo) -> dict[str, str]:
    return {
        "ADMIN": await demo.staff("ADMIN"),
        "OFFICE": await demo.staff("OFFICE"),
        "TECHNICIAN": await demo.staff("TECHNICIAN"),
        "contact": await demo.as_("contact of one client"),
        "partner": await partner_token(
            demo, "brillanti", ("lists:read", "reports:read", "exports:read")
        ),
    }


@pytest.mark.parametrize("name", STAFF_LISTS)
async def test_only_the_staff_the_graphql_field_allows_download(demo: Demo, name: str) -> None:
    callers = await tokens(demo)
    headers = {}
    for caller, token in callers.items():
        response = await download(demo, name, token, NEEDED.get(name))
        if caller in ALLOWED[name]:
            assert response.status_code == 200, (caller, response.text)
            headers[caller] = response.text.splitlines()[0]
        else:
            assert response.status_code == 403, (caller, response.text)
            assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # Every staff role that may download gets every column (they are all staff fields).
    assert len(set(headers.values())) == 1
    # A contact's view does not even hold the field.
    answer = await demo.gql(f"{{ {name} {{ __typename }} }}", token=callers["contact"])
    assert "errors" in answer.json()


async def test_portal_accesses_are_the_api_list_with_their_clients_by_name(demo: Demo) -> None:
    token = await demo.staff("OFFICE")
    query = "{ portalAccesses(first: 200) { id email state grants { name clientId siteId } } }"
    accesses = (await demo.data(query, token))["portalAccesses"]
    table = rows(await download(demo, "portalAccesses", token))
    assert [r["id"] for r in table] == [a["id"] for a in accesses]
    for row, access in zip(table, accesses, strict=True):
        assert row["email"] == access["email"]
        assert row["state"] == access["state"]
        names = sorted(g["name"] for g in access["grants"])
        assert sorted(row["grants"].split("; ")) == names
        granted = {g["clientId"] or g["siteId"] for g in access["grants"]}
        assert set(row["grant_ids"].split("; ")) == granted
        assert row["portal_access"] in ("true", "false")
    # The site contact's grant reads "client - site".
    assert any(" - " in r["grants"] for r in table)
    one = accesses[0]["email"].split("@")[0]
    found = rows(await download(demo, "portalAccesses", token, {"search": one}))
    assert accesses[0]["id"] in [r["id"] for r in found]
    assert len(found) < len(table)


async def test_staff_users_filtered_like_the_api(demo: Demo) -> None:
    token = await demo.staff("TECHNICIAN")
    query = """query($after: String, $first: Int) {
      staffUsers(first: $first, after: $after, role: [TECHNICIAN, OFFICE], active: true) {
        edges { node { id } } pageInfo { hasNextPage endCursor } } }"""
    expected = await demo.every_id(query, "staffUsers", token, 50)
    params = {"role": "TECHNICIAN,OFFICE", "active": "true"}
    table = rows(await download(demo, "staffUsers", token, params))
    assert [r["id"] for r in table] == expected
    assert {r["role"] for r in table} == {"TECHNICIAN", "OFFICE"}
    assert {r["active"] for r in table} == {"true"}
    everyone = rows(await download(demo, "staffUsers", token))
    assert len(everyone) > len(table)


async def test_the_bill_lists_the_months_accesses_in_cents(demo: Demo) -> None:
    token = await demo.staff("ADMIN")
    query = """query($month: String!) { portalBill(month: $month) {
      currency unitFeeCents vatRatePercent netCents accessCount accesses { accessId name } } }"""
    bill = (await demo.data(query, token, month="2026-11"))["portalBill"]
    assert bill["accessCount"] > 0
    response = await download(demo, "portalBill", token, {"month": "2026-11"})
    assert response.headers["content-disposition"] == (
        'attachment; filename="brillanti-portalBill-2026-11.csv"'
    )
    table = rows(response)
    assert [(r["access_id"], r["name"]) for r in table] == [
        (a["accessId"], a["name"]) for a in bill["accesses"]
    ]
    assert {(r["currency"], r["vat_rate_percent"]) for r in table} == {
        (bill["currency"], bill["vatRatePercent"])
    }
    assert sum(int(r["unit_fee_cents"]) for r in table) == bill["netCents"]
    assert all(r["grants"] for r in table)


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("portalBill", {}, "month"),
        ("portalBill", {"month": "2026-13"}, "month"),
        ("staffUsers", {"role": "BOSS"}, "role"),
        ("staffUsers", {"active": "maybe"}, "active"),
        ("auditEvents", {"from": "2026-12-01T00:00:00Z", "to": "2026-11-01T00:00:00Z"}, "to"),
        ("auditEvents", {"from": "last week"}, "from"),
        ("portalAccesses", {"clientId": "x"}, "clientId"),
        ("portalAccesses", {"bom": "yes"}, "bom"),
    ],
)
async def test_a_bad_parameter_is_named(
    demo: Demo, name: str, params: dict[str, str], field: str
) -> None:
    response = await download(demo, name, await demo.staff("ADMIN"), params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["field"] == field


async def insert_event(demo: Demo, when: dt.datetime, action: str, **details: str) -> None:
    await demo.execute(
        "INSERT INTO audit_event (id, created_at, organization_id, actor_type, actor_id, "
        "action, details) SELECT :id, :when, o.id, 'STAFF', s.id, :action, "
        "CAST(:details AS jsonb) FROM organization o JOIN staff_user s ON "
        "s.organization_id = o.id AND s.role = 'ADMIN' WHERE o.slug = 'brillanti' "
        "ORDER BY s.email LIMIT 1",
        id=uuid.uuid4(),
        when=when,
        action=action,
        details=str(details).replace("'", '"'),
    )


async def test_times_are_the_organizations_with_the_offset_of_their_day(demo: Demo) -> None:
    """Rome is +01:00 in winter and +02:00 in summer; the cell says which."""
    winter = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)
    summer = dt.datetime(2026, 7, 15, 8, 30, tzinfo=dt.UTC)
    for moment in (winter, summer):
        await insert_event(demo, moment, "export_test", note="=1+1")
    token = await demo.staff("ADMIN")
    table = rows(await download(demo, "auditEvents", token, {"action": "export_test"}))
    # Newest first, as in the API.
    assert [r["created_at"] for r in table] == [
        "2026-07-15T10:30:00+02:00",
        "2026-01-15T10:30:00+01:00",
    ]
    admin = await demo.scalar(
        "SELECT s.first_name || ' ' || s.last_name FROM staff_user s JOIN organization o "
        "ON o.id = s.organization_id WHERE o.slug = 'brillanti' AND s.role = 'ADMIN' "
        "ORDER BY s.email LIMIT 1"
    )
    assert {r["actor_name"] for r in table} == {admin}
    assert {r["details"] for r in table} == {'{"note": "=1+1"}'}
    # A period without an offset is UTC, as the API reads it.
    params = {"action": "export_test", "from": "2026-07-15T08:30:00"}
    assert len(rows(await download(demo, "auditEvents", token, params))) == 1


async def test_existing_lists_print_local_times_and_names_beside_ids(demo: Demo) -> None:
    """Around the end of summer time (25 October 2026): both offsets in one file."""
    token = await demo.staff("ADMIN")
    period = {"from": "2026-10-22T00:00:00+02:00", "to": "2026-10-29T00:00:00+01:00"}
    query = """query($from: DateTime, $to: DateTime) {
      appointments(first: 100, from: $from, to: $to) { totalCount
        edges { node { id startsAt client { id name } site { id name } } } } }"""
    listed = (await demo.data(query, token, **period))["appointments"]
    nodes = {e["node"]["id"]: e["node"] for e in listed["edges"]}
    assert len(nodes) == listed["totalCount"]
    table = rows(await download(demo, "appointments", token, period))
    assert [r["id"] for r in table] == list(nodes)
    offsets = set()
    for row in table:
        node = nodes[row["id"]]
        starts = dt.datetime.fromisoformat(row["starts_at"])
        assert starts == dt.datetime.fromisoformat(node["startsAt"])
        assert starts.utcoffset() == starts.astimezone(ROME).utcoffset()
        assert row["starts_at"] == starts.astimezone(ROME).isoformat()
        offsets.add(starts.utcoffset())
        client, site = node["client"], node["site"]
        assert (row["client_id"], row["client_name"]) == (client["id"], client["name"])
        assert (row["site_id"], row["site_name"]) == (site["id"], site["name"])
    assert offsets == {dt.timedelta(hours=1), dt.timedelta(hours=2)}


async def test_a_byte_order_mark_only_when_asked(demo: Demo) -> None:
    token = await demo.staff("ADMIN")
    plain = await download(demo, "staffUsers", token)
    marked = await download(demo, "staffUsers", token, {"bom": "true"})
    assert not plain.content.startswith(b"\xef\xbb\xbf")
    assert marked.content.startswith(b"\xef\xbb\xbf")
    assert marked.content[3:] == plain.content
    assert (await download(demo, "staffUsers", token, {"bom": "0"})).content == plain.content
    today = dt.datetime.now(ROME).date().isoformat()
    assert plain.headers["content-disposition"] == (
        f'attachment; filename="brillanti-staffUsers-{today}.csv"'
    )


async def test_cells_that_look_like_formulas_are_defused(demo: Demo) -> None:
    await demo.execute(
        "UPDATE contact SET first_name = '=HYPERLINK(\"http://evil.example\")' WHERE id = "
        "(SELECT c.id FROM contact c JOIN organization o ON o.id = c.organization_id "
        "WHERE o.slug = 'brillanti' AND c.deleted_at IS NULL ORDER BY c.email LIMIT 1)"
    )
    await demo.execute(
        "UPDATE client SET name = '@SUM(1)' WHERE id = (SELECT g.client_id FROM portal_grant g "
        "JOIN organization o ON o.id = g.organization_id WHERE o.slug = 'brillanti' "
        "AND g.client_id IS NOT NULL ORDER BY g.id LIMIT 1)"
    )
    token = await demo.staff("ADMIN")
    table = rows(await download(demo, "portalAccesses", token))
    assert '\'=HYPERLINK("http://evil.example")' in [r["first_name"] for r in table]
    assert any(r["grants"].startswith("'@SUM(1)") for r in table)
    for row in table:
        assert not any(cell[:1] in "=@" for cell in row.values() if cell), row


@pytest.mark.parametrize("name", ["portalAccesses", "portalBill"])
async def test_batches_follow_each_other_in_the_name_order(demo: Demo, name: str) -> None:
    """The export reads BATCH rows at a time after the last row's cursor (lowered names):
    small batches give the same rows, in the same order, as one."""
    organization = await demo.scalar("SELECT id FROM organization WHERE slug = 'brillanti'")
    scope = RowScope(organization, Audience.STAFF)
    export = EXPORTS[name]
    statement = export.statement(scope, NEEDED.get(name, {}))
    async with demo.engine.connect() as connection:
        whole = await fetch_page(
            connection, statement, export.ordering, PageRequest(first=1000), max_page=1000
        )
        batched: list[uuid.UUID] = []
        after = None
        while True:
            page = await fetch_page(
                connection, statement, export.ordering, PageRequest(first=3, after=after)
            )
            batched.extend(row.id for row in page.rows)
            if not page.has_next:
                break
            after = page.cursor(-1)
    assert len(whole.rows) > 6
    assert batched == [row.id for row in whole.rows]
    keys = [(row.last_name.lower(), row.first_name.lower(), row.id) for row in whole.rows]
    assert keys == sorted(keys)
