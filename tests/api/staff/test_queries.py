"""Staff users (staff only) with skills, hours and absences; activity types per audience."""

from __future__ import annotations

from typing import Any

from authz.principals import Audience
from schema.kit import ids
from schema.kit.views import field_names
from sportello.assembly import views
from tests.api import Demo
from tests.api.grants import CONTACTS, org_id
from tests.partners import partner_token

STAFF = """query($first: Int, $after: String, $search: String, $role: [StaffRole!],
  $active: Boolean) {
  staffUsers(first: $first, after: $after, search: $search, role: $role, active: $active) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id firstName lastName email phone role active homeLat weeklyHours } }
  }
}"""
DETAILS = """query($n: Int, $from: DateTime, $to: DateTime) { staffUsers(first: $n,
  role: [TECHNICIAN]) { edges { node { id
    skills(first: 20) { totalCount edges { node { name } } }
    workingHours(first: 20) { totalCount edges { node { weekday startsAt endsAt } } }
    absences(first: 20, from: $from, to: $to) { totalCount edges { node { startsAt reason } } }
  } } } }"""
ACTIVITY_TYPES = """query($bookable: Boolean) {
  activityTypes(first: 50, portalBookable: $bookable) {
    totalCount edges { node { name kind durationMinutes portalTitle } } } }"""


async def test_staff_list_every_staff_user_of_their_organization_by_name(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    brillanti = await org_id(demo, "brillanti")
    expected = await demo.scalar(
        "SELECT array_agg(email ORDER BY last_name, first_name, id) FROM staff_user "
        "WHERE organization_id = :o",
        o=brillanti,
    )
    pages = await demo.every_page(STAFF, "staffUsers", token, first=4)
    assert {page["totalCount"] for page in pages} == {len(expected)}
    assert [e["node"]["email"] for page in pages for e in page["edges"]] == list(expected)


async def test_staff_filters(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    brillanti = await org_id(demo, "brillanti")

    async def counted(sql: str, **params: Any) -> int:
        found: int = await demo.scalar(
            f"SELECT count(*) FROM staff_user WHERE organization_id = :o AND {sql}",  # noqa: S608
            o=brillanti,
            **params,
        )
        return found

    technicians = await counted("role = 'TECHNICIAN'")
    page = await demo.data(STAFF, token, first=50, role=["TECHNICIAN"])
    assert page["staffUsers"]["totalCount"] == technicians > 0
    assert {e["node"]["role"] for e in page["staffUsers"]["edges"]} == {"TECHNICIAN"}
    inactive = await counted("NOT active")
    page = await demo.data(STAFF, token, first=50, active=False)
    assert page["staffUsers"]["totalCount"] == inactive > 0
    name = await demo.scalar(
        "SELECT last_name FROM staff_user WHERE organization_id = :o LIMIT 1", o=brillanti
    )
    matching = await counted(
        "(lower(last_name) LIKE :p OR lower(first_name) LIKE :p OR lower(email) LIKE :p)",
        p=f"%{name.lower()}%",
    )
    page = await demo.data(STAFF, token, first=50, search=name.upper())
    assert page["staffUsers"]["totalCount"] == matching > 0
    # Wildcards are searched for literally.
    page = await demo.data(STAFF, token, first=50, search="%")
    assert page["staffUsers"]["totalCount"] == 0


async def test_skills_hours_and_absences_in_a_period(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    period = {"from": "2026-11-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"}
    found = await demo.data(DETAILS, token, n=50, **period)
    nodes = found["staffUsers"]["edges"]
    assert nodes
    for edge in nodes:
        node = edge["node"]
        technician = ids.parse(node["id"])[1]  # type: ignore[index]
        skills = await demo.scalar(
            "SELECT array_agg(a.name ORDER BY a.name, a.id) FROM technician_skill k "
            "JOIN activity_type a ON a.id = k.activity_type_id WHERE k.technician_id = :t",
            t=technician,
        )
        assert [e["node"]["name"] for e in node["skills"]["edges"]] == list(skills or ())
        assert node["skills"]["totalCount"] == len(skills or ())
        hours = await demo.scalar(
            "SELECT count(*) FROM working_hours WHERE technician_id = :t", t=technician
        )
        assert node["workingHours"]["totalCount"] == hours
        days = [e["node"]["weekday"] for e in node["workingHours"]["edges"]]
        assert days == sorted(days)
        absences = await demo.scalar(
            "SELECT count(*) FROM absence WHERE technician_id = :t "
            "AND ends_at > '2026-11-01T00:00:00Z' AND starts_at < '2027-01-01T00:00:00Z'",
            t=technician,
        )
        assert node["absences"]["totalCount"] == absences
    assert any(e["node"]["absences"]["totalCount"] for e in nodes)


async def test_working_hours_page_through_in_weekly_order(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    (technician,) = await demo.busiest("working_hours", "technician_id")
    expected = await demo.scalar(
        "SELECT array_agg(weekday || ' ' || to_char(starts_at, 'HH24:MI:SS') "
        "ORDER BY weekday, starts_at, id) FROM working_hours WHERE technician_id = :t",
        t=technician,
    )
    query = """query($id: ID!, $after: String) { node(id: $id) { ... on StaffUser {
      workingHours(first: 3, after: $after) { pageInfo { hasNextPage endCursor }
        edges { node { weekday startsAt } } } } } }"""
    pages = await demo.every_page(
        query, "node.workingHours", token, id=ids.encode("StaffUser", technician)
    )
    seen = [f"{e['node']['weekday']} {e['node']['startsAt']}" for p in pages for e in p["edges"]]
    assert len(pages) > 1
    assert seen == list(expected)


async def test_staff_details_cost_the_same_statements_for_more_people(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    counts, _ = await demo.statements_per_page(DETAILS, "staffUsers", token, (2, 10))
    assert counts[0] == counts[1]
    # authenticate (and bind) and the account's budget (in a transaction of its own:
    # sportello/rate_limit.py), the page; then the skills, working hours and absences with
    # their counts as one statement (db/kept.py together)
    assert counts[0] == 2 + 1 + 1


async def test_staff_users_are_not_in_the_portal_or_partner_views(demo: Demo) -> None:
    for audience in (Audience.PORTAL, Audience.PARTNER):
        names = field_names(views()[audience])
        assert "StaffUser" not in names
        assert "staffUsers" not in names["Query"]
    staff = await demo.scalar(
        "SELECT s.id FROM staff_user s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = 'brillanti' LIMIT 1"
    )
    node = "query($id: ID!) { node(id: $id) { id } }"
    secret = await partner_token(demo, scopes=["lists:read"])
    for role in CONTACTS:
        token = await demo.as_(role)
        refused = await demo.gql("{ staffUsers(first: 1) { totalCount } }", token=token)
        assert refused.json().get("data") is None
        assert await demo.data(node, token, id=ids.encode("StaffUser", staff)) == {"node": None}
    assert await demo.data(node, secret, id=ids.encode("StaffUser", staff)) == {"node": None}
    ignis = await demo.as_("staff admin", "ignis")
    assert await demo.data(node, ignis, id=ids.encode("StaffUser", staff)) == {"node": None}
    brillanti = await demo.as_("staff admin")
    assert await demo.data(node, brillanti, id=ids.encode("StaffUser", staff)) == {
        "node": {"id": ids.encode("StaffUser", staff)}
    }


async def test_staff_see_every_activity_type_contacts_only_the_visible_ones(demo: Demo) -> None:
    brillanti = await org_id(demo, "brillanti")
    every = await demo.scalar(
        "SELECT array_agg(name ORDER BY name, id) FROM activity_type WHERE organization_id = :o",
        o=brillanti,
    )
    visible = await demo.scalar(
        "SELECT array_agg(name ORDER BY name, id) FROM activity_type "
        "WHERE organization_id = :o AND portal_visible",
        o=brillanti,
    )
    bookable = await demo.scalar(
        "SELECT array_agg(name ORDER BY name, id) FROM activity_type "
        "WHERE organization_id = :o AND portal_bookable",
        o=brillanti,
    )
    assert len(every) > len(visible) > len(bookable) > 0

    def names(found: Any) -> list[str]:
        return [e["node"]["name"] for e in found["activityTypes"]["edges"]]

    staff = await demo.as_("staff admin")
    assert names(await demo.data(ACTIVITY_TYPES, staff)) == list(every)
    for role in CONTACTS:
        token = await demo.as_(role)
        assert names(await demo.data(ACTIVITY_TYPES, token)) == list(visible)
        assert names(await demo.data(ACTIVITY_TYPES, token, bookable=True)) == list(bookable)
    hidden = await demo.scalar(
        "SELECT id FROM activity_type WHERE organization_id = :o AND NOT portal_visible",
        o=brillanti,
    )
    token = await demo.as_("contact of one client")
    node = "query($id: ID!) { node(id: $id) { id } }"
    assert await demo.data(node, token, id=ids.encode("ActivityType", hidden)) == {"node": None}
    # Templates stay as written in the list; the contact's view has no portalVisible.
    found = await demo.data(ACTIVITY_TYPES, token)
    assert any("{site.name}" in e["node"]["portalTitle"] for e in found["activityTypes"]["edges"])
    assert "portalVisible" not in field_names(views()[Audience.PORTAL])["ActivityType"]


async def test_partners_and_other_organizations_see_their_own_activity_types(demo: Demo) -> None:
    secret = await partner_token(demo, scopes=["lists:read"])
    count = await demo.scalar(
        "SELECT count(*) FROM activity_type WHERE organization_id = :o",
        o=await org_id(demo, "brillanti"),
    )
    found = await demo.data("{ activityTypes(first: 50) { totalCount } }", secret)
    assert found["activityTypes"]["totalCount"] == count
    partner_fields = field_names(views()[Audience.PARTNER])["ActivityType"]
    assert partner_fields == {"id", "name", "kind", "durationMinutes"}
    ignis = await demo.as_("staff admin", "ignis")
    ignis_names = await demo.scalar(
        "SELECT array_agg(name ORDER BY name, id) FROM activity_type WHERE organization_id = :o",
        o=await org_id(demo, "ignis"),
    )
    found = await demo.data("{ activityTypes(first: 50) { edges { node { name } } } }", ignis)
    assert [e["node"]["name"] for e in found["activityTypes"]["edges"]] == list(ignis_names)
