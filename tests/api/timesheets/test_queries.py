"""Timesheet entries as each principal sees them, and a page of 100 in constant statements."""

from __future__ import annotations

import datetime as dt

from authz.principals import Audience
from schema.kit import ids
from schema.kit.views import field_names
from sportello.assembly import views
from tests.api import Demo
from tests.api.grants import CONTACTS, VISIBLE, org_id
from tests.api.listings import Listing
from tests.partners import partner_token

ENTRIES = """query($first: Int, $after: String, $last: Int, $siteId: ID, $clientId: ID,
  $from: DateTime, $to: DateTime) {
  timesheetEntries(first: $first, after: $after, last: $last, siteId: $siteId,
    clientId: $clientId, from: $from, to: $to) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id clockIn clockOut durationMinutes source technician { displayName } } }
  }
}"""
ONE = "query($id: ID!) { node(id: $id) { id } }"


LISTED = Listing(
    ENTRIES, "timesheetEntries", "TimesheetEntry", "timesheet_entry", "clock_in, id", 100
)


async def test_staff_see_every_entry_of_their_organization_by_clock_in(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    brillanti = await org_id(demo, "brillanti")
    total = await demo.scalar(
        "SELECT count(*) FROM timesheet_entry WHERE organization_id = :o", o=brillanti
    )
    page = (await demo.data(ENTRIES, token, first=100))["timesheetEntries"]
    assert page["totalCount"] == total
    clock_ins = [e["node"]["clockIn"] for e in page["edges"]]
    assert clock_ins == sorted(clock_ins)
    (site,) = await demo.busiest("timesheet_entry", "site_id")
    expected = await LISTED.expected(demo, "site_id = :s", s=site)
    assert await LISTED.all_ids(demo, token, siteId=ids.encode("Site", site)) == expected
    in_november = await demo.scalar(
        "SELECT count(*) FROM timesheet_entry WHERE organization_id = :o "
        "AND clock_in >= '2026-11-01T00:00:00Z' AND clock_in < '2026-12-01T00:00:00Z'",
        o=brillanti,
    )
    november = {"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}
    page = (await demo.data(ENTRIES, token, first=1, **november))["timesheetEntries"]
    assert page["totalCount"] == in_november > 0


async def test_each_request_pages_with_its_own_filter_values(demo: Demo) -> None:
    """The list's statement is built once per filter shape (db/scoped/filter_shapes.py): sites and
    periods asked in turn, with cursors and backwards pages, each get their own rows."""
    token = await demo.as_("staff admin")
    sites = await demo.busiest("timesheet_entry", "site_id", 3)
    for site in [sites[0], sites[1], sites[0], sites[2]]:
        expected = await LISTED.expected(demo, "site_id = :s", s=site)
        assert await LISTED.all_ids(demo, token, siteId=ids.encode("Site", site)) == expected
        last = await demo.data(ENTRIES, token, last=2, siteId=ids.encode("Site", site))
        assert [e["node"]["id"] for e in last["timesheetEntries"]["edges"]] == expected[-2:]
        assert last["timesheetEntries"]["totalCount"] == len(expected)
    for month in ("2026-09", "2026-10", "2026-09"):
        since, until = f"{month}-01T00:00:00Z", f"{month}-15T00:00:00Z"
        expected = await LISTED.expected(
            demo,
            "site_id = :s AND clock_in >= :f AND clock_in < :t",
            s=sites[0],
            f=dt.datetime.fromisoformat(since),
            t=dt.datetime.fromisoformat(until),
        )
        period = {"from": since, "to": until, "siteId": ids.encode("Site", sites[0])}
        assert await LISTED.all_ids(demo, token, **period) == expected


async def test_durations_and_open_entries(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    page = (await demo.data(ENTRIES, token, last=100))["timesheetEntries"]
    nodes = [e["node"] for e in page["edges"]]
    assert any(n["clockOut"] is None and n["durationMinutes"] is None for n in nodes)
    closed = next(n for n in nodes if n["clockOut"] is not None)
    minutes = await demo.scalar(
        "SELECT floor(extract(epoch FROM clock_out - clock_in) / 60)::int FROM timesheet_entry "
        "WHERE id = :i",
        i=ids.parse(closed["id"])[1],  # type: ignore[index]
    )
    assert closed["durationMinutes"] == minutes


async def test_staff_filter_by_technician_through_their_own_field(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    technician, expected = await demo.scalar(
        "SELECT ARRAY[technician_id::text, count(*)::text] FROM timesheet_entry t "
        "JOIN organization o ON o.id = t.organization_id WHERE o.slug = 'brillanti' "
        "GROUP BY technician_id ORDER BY count(*) DESC LIMIT 1"
    )
    query = """query($t: ID!) { technicianTimesheetEntries(technicianId: $t, first: 100) {
      totalCount edges { node { technician { staffUser { id } } } } } }"""
    found = await demo.data(query, token, t=ids.encode("StaffUser", technician))
    entries = found["technicianTimesheetEntries"]
    assert entries["totalCount"] == int(expected)
    assert {e["node"]["technician"]["staffUser"]["id"] for e in entries["edges"]} == {
        ids.encode("StaffUser", technician)
    }
    # Contacts and partners cannot ask.
    secret = await partner_token(demo, scopes=["lists:read"])
    for other in (await demo.as_("contact of one client"), secret):
        refused = await demo.gql(query, token=other, t=ids.encode("StaffUser", technician))
        assert refused.json().get("data") is None


async def test_contacts_read_only_the_entries_of_their_sites(demo: Demo) -> None:
    for role in CONTACTS:
        token = await demo.as_(role)
        expected = await LISTED.expected(demo, VISIBLE, email=demo.login_of(role))
        assert expected, role
        assert await LISTED.all_ids(demo, token) == expected, role
    role = "contact limited to one site"
    other = await demo.scalar(
        "SELECT t.id FROM timesheet_entry t JOIN portal_grant g ON g.site_id <> t.site_id "
        "JOIN site mine ON mine.id = g.site_id AND mine.client_id = t.client_id "
        "JOIN contact k ON k.id = g.contact_id WHERE k.email = :e LIMIT 1",
        e=demo.login_of(role),
    )
    assert other is not None
    token = await demo.as_(role)
    assert await demo.data(ONE, token, id=ids.encode("TimesheetEntry", other)) == {"node": None}
    ignis = await demo.as_("staff admin", "ignis")
    assert await demo.data(ONE, ignis, id=ids.encode("TimesheetEntry", other)) == {"node": None}


async def test_contacts_never_see_a_technicians_person_or_position(demo: Demo) -> None:
    for audience in (Audience.PORTAL, Audience.PARTNER):
        names = field_names(views()[audience])
        assert {"lat", "lng", "internalNotes"}.isdisjoint(names["TimesheetEntry"])
        assert names["Technician"] == {"displayName"}
        assert "StaffUser" not in names
    role = "contact of one client"
    token = await demo.as_(role)
    people = await demo.scalar(
        "SELECT array_agg(DISTINCT t.email) || array_agg(DISTINCT t.last_name) "  # noqa: S608
        f"FROM timesheet_entry r JOIN staff_user t ON t.id = r.technician_id WHERE {VISIBLE}",
        email=demo.login_of(role),
    )
    response = await demo.gql(ENTRIES, token=token, first=100)
    shown = {
        e["node"]["technician"]["displayName"]
        for e in response.json()["data"]["timesheetEntries"]["edges"]
    }
    assert all(name.endswith(".") and len(name.split()[-1]) == 2 for name in shown)
    assert not [value for value in people if value in response.text]
    for field in ("lat", "lng", "internalNotes"):
        asked = await demo.gql(
            f"{{ timesheetEntries(first: 1) {{ edges {{ node {{ {field} }} }} }} }}", token=token
        )
        assert asked.json().get("data") is None


async def test_a_page_of_100_with_site_and_technician_runs_constant_statements(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    query = """query($n: Int) { timesheetEntries(first: $n) { edges { node { clockIn
      site { name } technician { displayName staffUser { firstName lastName email } } } } } }"""
    counts, _ = await demo.statements_per_page(query, "timesheetEntries", token, (10, 100))
    assert counts[0] == counts[1]
    # authenticate (and bind) and the account's budget (in a transaction of its own:
    # sportello/rate_limit.py), the page (technician names joined), its sites, its staff
    # users (a level of two loads sends them one by one: db/kept.py TOGETHER_FROM)
    assert counts[0] == 2 + 1 + 2


async def test_sites_list_their_visits_sheets_and_entries_in_constant_statements(
    demo: Demo,
) -> None:
    query = """query($n: Int, $from: DateTime) { sites(first: $n) { edges { node { id
      appointments(first: 3, from: $from) { totalCount edges { node { startsAt } } }
      workSheets(first: 2) { totalCount edges { node { status } } }
      timesheetEntries(first: 2, from: $from) { totalCount edges { node { clockIn } } }
    } } } }"""
    since = "2026-11-01T00:00:00Z"
    token = await demo.as_("staff admin")
    counts, _ = await demo.statements_per_page(query, "sites", token, (5, 40), **{"from": since})
    assert counts[0] == counts[1]
    # authenticate (and bind) and the account's budget (in a transaction of its own:
    # sportello/rate_limit.py), the sites; then the appointments, work sheets and entries
    # with their counts as one statement (db/kept.py together)
    assert counts[0] == 2 + 1 + 1
    # What a contact of several clients sees under each of its sites.
    role = "contact of several clients"
    contact = await demo.as_(role)
    found = await demo.data(query, contact, n=50, **{"from": since})
    for edge in found["sites"]["edges"]:
        site = ids.parse(edge["node"]["id"])[1]  # type: ignore[index]
        expected = await demo.scalar(
            "SELECT ARRAY[(SELECT count(*) FROM intervention i JOIN activity_type a "
            "ON a.id = i.activity_type_id WHERE i.site_id = :s AND a.portal_visible "
            "AND i.starts_at >= '2026-11-01T00:00:00Z'), (SELECT count(*) FROM work_sheet "
            "WHERE site_id = :s AND status = 'SIGNED'), (SELECT count(*) FROM timesheet_entry "
            "WHERE site_id = :s AND clock_in >= '2026-11-01T00:00:00Z')]",
            s=site,
        )
        node = edge["node"]
        shown = [node[k]["totalCount"] for k in ("appointments", "workSheets", "timesheetEntries")]
        assert shown == list(expected)
        starts = [e["node"]["startsAt"] for e in node["appointments"]["edges"]]
        assert starts == sorted(starts)
        assert all(s >= since[:10] for s in starts)
