"""Appointments as each principal sees them: list, calendar, links, technician, portal texts."""

from __future__ import annotations

import datetime as dt

from authz.principals import Audience
from schema.kit import ids
from schema.kit.views import field_names
from sportello.assembly import views
from tests.api import Demo, global_ids
from tests.api.grants import VISIBLE, org_id
from tests.api.listings import Listing
from tests.partners import partner_token

APPOINTMENTS = """query($first: Int, $after: String, $last: Int, $before: String, $siteId: ID,
  $clientId: ID, $from: DateTime, $to: DateTime, $status: [AppointmentStatus!]) {
  appointments(first: $first, after: $after, last: $last, before: $before, siteId: $siteId,
    clientId: $clientId, from: $from, to: $to, status: $status) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { node { id startsAt status technician { displayName } site { name } } }
  }
}"""
CALENDAR = """query($from: DateTime!, $to: DateTime!, $siteId: ID) {
  calendar(from: $from, to: $to, siteId: $siteId) { id startsAt endsAt site { name } }
}"""
ONE = "query($id: ID!) { appointment(id: $id) { id } node(id: $id) { id } }"
# The contact's appointments in SQL: at its sites, of activity types shown on the portal.
CONTACT_APPOINTMENTS = f"""FROM intervention r JOIN activity_type a ON a.id = r.activity_type_id
  WHERE a.portal_visible AND {VISIBLE}"""
NOVEMBER = {"from": "2026-11-01T00:00:00+01:00", "to": "2026-12-01T00:00:00+01:00"}


LISTED = Listing(APPOINTMENTS, "appointments", "Appointment", "intervention", "starts_at, id", 40)


async def test_staff_see_every_appointment_of_their_organization_by_start(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    brillanti = await org_id(demo, "brillanti")
    total = await demo.scalar(
        "SELECT count(*) FROM intervention WHERE organization_id = :o", o=brillanti
    )
    page = (await demo.data(APPOINTMENTS, token, first=5))["appointments"]
    assert page["totalCount"] == total
    # One site, paged through in start order, and backwards from the end.
    (site,) = await demo.busiest("intervention", "site_id")
    expected = await LISTED.expected(demo, "site_id = :s", s=site)
    assert len(expected) > 40
    site_id = ids.encode("Site", site)
    assert await LISTED.all_ids(demo, token, siteId=site_id) == expected
    last = (await demo.data(APPOINTMENTS, token, last=3, siteId=site_id))["appointments"]
    assert [e["node"]["id"] for e in last["edges"]] == expected[-3:]


async def test_filters_by_period_status_and_client(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    brillanti = await org_id(demo, "brillanti")
    planned_in_november = await demo.scalar(
        "SELECT count(*) FROM intervention WHERE organization_id = :o AND status = 'PLANNED' "
        "AND starts_at >= '2026-11-01T00:00:00+01:00' AND starts_at < '2026-12-01T00:00:00+01:00'",
        o=brillanti,
    )
    page = await demo.data(APPOINTMENTS, token, first=1, status=["PLANNED"], **NOVEMBER)
    assert page["appointments"]["totalCount"] == planned_in_november > 0
    client = await demo.scalar(
        "SELECT client_id FROM intervention WHERE organization_id = :o LIMIT 1", o=brillanti
    )
    of_client = await demo.scalar(
        "SELECT count(*) FROM intervention WHERE client_id = :c", c=client
    )
    page = await demo.data(APPOINTMENTS, token, first=1, clientId=ids.encode("Client", client))
    assert page["appointments"]["totalCount"] == of_client
    # A malformed or foreign filter id matches nothing.
    for junk in ("junk", ids.encode("Site", client)):
        page = await demo.data(APPOINTMENTS, token, first=1, siteId=junk)
        assert page["appointments"]["totalCount"] == 0


async def test_contacts_see_only_visible_appointments_of_their_sites(demo: Demo) -> None:
    for role in (
        "contact of one client",
        "contact of several clients",
        "contact limited to one site",
    ):
        token = await demo.as_(role)
        email = demo.login_of(role)
        expected = global_ids(
            "Appointment",
            await demo.scalar(
                f"SELECT array_agg(r.id ORDER BY r.starts_at, r.id) {CONTACT_APPOINTMENTS}",
                email=email,
            ),
        )
        assert expected, role
        assert await LISTED.all_ids(demo, token) == expected, role
    # An appointment of theirs whose activity type is not shown on the portal disappears.
    role = "contact of several clients"
    token = await demo.as_(role)
    before = (await demo.data(APPOINTMENTS, token, first=1))["appointments"]["totalCount"]
    hidden = await demo.scalar(
        f"SELECT r.id {CONTACT_APPOINTMENTS} LIMIT 1",
        email=demo.login_of(role),
    )
    await demo.execute(
        "UPDATE intervention SET activity_type_id = (SELECT a.id FROM activity_type a "
        "WHERE a.organization_id = intervention.organization_id AND NOT a.portal_visible "
        "LIMIT 1) WHERE id = :i",
        i=hidden,
    )
    after = (await demo.data(APPOINTMENTS, token, first=1))["appointments"]["totalCount"]
    assert after == before - 1
    answer = await demo.data(ONE, token, id=ids.encode("Appointment", hidden))
    assert answer == {"appointment": None, "node": None}


async def test_a_site_contact_never_sees_the_other_sites_of_its_client(demo: Demo) -> None:
    token = await demo.as_("contact limited to one site")
    email = demo.login_of("contact limited to one site")
    other = await demo.scalar(
        "SELECT i.id FROM intervention i JOIN activity_type a ON a.id = i.activity_type_id "
        "JOIN site s ON s.id = i.site_id JOIN portal_grant g ON g.site_id <> s.id "
        "JOIN site mine ON mine.id = g.site_id AND mine.client_id = s.client_id "
        "JOIN contact k ON k.id = g.contact_id WHERE k.email = :e AND a.portal_visible LIMIT 1",
        e=email,
    )
    assert other is not None
    answer = await demo.data(ONE, token, id=ids.encode("Appointment", other))
    assert answer == {"appointment": None, "node": None}
    other_site = await demo.scalar("SELECT site_id FROM intervention WHERE id = :i", i=other)
    page = await demo.data(APPOINTMENTS, token, first=5, siteId=ids.encode("Site", other_site))
    assert page["appointments"]["totalCount"] == 0
    mine = await demo.scalar(
        "SELECT s.name FROM site s JOIN portal_grant g ON g.site_id = s.id "
        "JOIN contact k ON k.id = g.contact_id WHERE k.email = :e",
        e=email,
    )
    quarter = {"from": "2026-10-01T00:00:00Z", "to": "2026-12-31T00:00:00Z"}
    days = await demo.data(CALENDAR, token, **quarter)
    assert {a["site"]["name"] for a in days["calendar"]} == {mine}


async def test_another_organization_answers_like_missing(demo: Demo) -> None:
    token = await demo.as_("staff admin", "ignis")
    foreign = await demo.scalar(
        "SELECT id FROM intervention WHERE organization_id = :o LIMIT 1",
        o=await org_id(demo, "brillanti"),
    )
    answer = await demo.data(ONE, token, id=ids.encode("Appointment", foreign))
    assert answer == {"appointment": None, "node": None}
    ignis_total = await demo.scalar(
        "SELECT count(*) FROM intervention WHERE organization_id = :o",
        o=await org_id(demo, "ignis"),
    )
    page = await demo.data(APPOINTMENTS, token, first=1)
    assert page["appointments"]["totalCount"] == ignis_total


async def test_the_calendar_holds_the_appointments_overlapping_the_period(demo: Demo) -> None:
    role = "contact of several clients"
    token = await demo.as_(role)
    expected = global_ids(
        "Appointment",
        await demo.scalar(
            f"SELECT array_agg(r.id ORDER BY r.starts_at, r.id) {CONTACT_APPOINTMENTS} "
            "AND r.ends_at > :f AND r.starts_at < :t",
            email=demo.login_of(role),
            f=dt.datetime.fromisoformat(NOVEMBER["from"]),
            t=dt.datetime.fromisoformat(NOVEMBER["to"]),
        ),
    )
    days = await demo.data(CALENDAR, token, **NOVEMBER)
    assert [a["id"] for a in days["calendar"]] == expected
    assert expected


async def test_the_calendar_period_is_bounded_and_named_when_wrong(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    cases = [
        ({"from": "2026-11-01T00:00:00Z", "to": "2027-02-02T00:00:00Z"}, "to"),  # 93 days
        ({"from": "2026-11-01T00:00:00Z", "to": "2026-10-01T00:00:00Z"}, "to"),  # inverted
        ({"from": "2026-11-01T00:00:00", "to": "2026-11-02T00:00:00Z"}, "from"),  # no offset
    ]
    for variables, field in cases:
        response = await demo.gql(CALENDAR, token=token, variables=variables)
        assert response.json()["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "field": field,
        }
    quarter = {"from": "2026-11-01T00:00:00Z", "to": "2027-02-01T00:00:00Z"}  # 92 days
    assert (await demo.data(CALENDAR, token, **quarter))["calendar"]
    backwards = {"first": 1, "from": quarter["to"], "to": quarter["from"]}
    inverted = await demo.gql(APPOINTMENTS, token=token, variables=backwards)
    assert inverted.json()["errors"][0]["extensions"]["field"] == "to"


async def test_contacts_see_the_technician_as_first_name_and_initial(demo: Demo) -> None:
    role = "contact of one client"
    token = await demo.as_(role)
    row = await demo.scalar(
        "SELECT ARRAY[r.id::text, t.first_name, t.last_name, t.email, coalesce(t.phone, '')] "  # noqa: S608
        f"FROM intervention r JOIN staff_user t ON t.id = r.technician_id "
        f"JOIN activity_type a ON a.id = r.activity_type_id WHERE a.portal_visible AND {VISIBLE} "
        "LIMIT 1",
        email=demo.login_of(role),
    )
    appointment, first, last, email, phone = row
    query = """query($id: ID!) { appointment(id: $id) { technician { displayName } } }"""
    response = await demo.gql(query, token=token, id=ids.encode("Appointment", appointment))
    body = response.json()
    assert body["data"]["appointment"]["technician"] == {"displayName": f"{first} {last[0]}."}
    assert last not in response.text
    assert email not in response.text
    assert not phone or phone not in response.text
    # Nothing more of the person can even be asked for.
    for field in ("staffUser { email }", "lastName", "email", "phone"):
        asked = await demo.gql(
            f"query($id: ID!) {{ appointment(id: $id) {{ technician {{ {field} }} }} }}",
            token=token,
            id=ids.encode("Appointment", appointment),
        )
        assert "data" not in asked.json() or asked.json()["data"] is None
    staff = await demo.as_("staff admin")
    full = await demo.data(
        "query($id: ID!) { appointment(id: $id) { notes technician { displayName "
        "staffUser { firstName lastName email phone } } } }",
        staff,
        id=ids.encode("Appointment", appointment),
    )
    assert full["appointment"]["technician"]["staffUser"]["lastName"] == last
    assert full["appointment"]["technician"]["staffUser"]["email"] == email


async def test_portal_texts_are_filled_in_for_the_appointment(demo: Demo) -> None:
    role = "contact of one client"
    token = await demo.as_(role)
    row = await demo.scalar(
        "SELECT ARRAY[r.id::text, a.portal_title, a.portal_description, s.name, t.first_name, "  # noqa: S608
        "to_char(timezone(o.timezone, r.starts_at), 'DD/MM/YYYY')] "
        f"FROM intervention r JOIN activity_type a ON a.id = r.activity_type_id "
        "JOIN site s ON s.id = r.site_id JOIN staff_user t ON t.id = r.technician_id "
        f"JOIN organization o ON o.id = r.organization_id WHERE {VISIBLE} "
        "AND a.portal_description LIKE '%{technician.first_name}%' LIMIT 1",
        email=demo.login_of(role),
    )
    appointment, title, description, site, first, day = row
    query = """query($id: ID!) { appointment(id: $id) { activityType {
      name portalTitle portalDescription } } }"""
    found = await demo.data(query, token, id=ids.encode("Appointment", appointment))
    texts = found["appointment"]["activityType"]
    assert texts["portalTitle"] == title.replace("{site.name}", site)
    expected = description.replace("{date}", day).replace("{technician.first_name}", first)
    assert texts["portalDescription"] == expected
    assert "{" not in texts["portalTitle"] + texts["portalDescription"]


async def test_reschedules_link_both_ways(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    new, old = await demo.scalar(
        "SELECT ARRAY[i.id, i.reschedules_id] FROM intervention i JOIN organization o "
        "ON o.id = i.organization_id WHERE o.slug = 'brillanti' AND i.reschedules_id IS NOT NULL "
        "LIMIT 1"
    )
    query = """query($new: ID!, $old: ID!) {
      new: appointment(id: $new) { reschedules { id status } rescheduledBy { id } }
      old: appointment(id: $old) { rescheduledBy { id } reschedules { id } }
    }"""
    found = await demo.data(
        query, token, new=ids.encode("Appointment", new), old=ids.encode("Appointment", old)
    )
    assert found["new"]["reschedules"]["id"] == ids.encode("Appointment", old)
    assert found["old"]["rescheduledBy"] == {"id": ids.encode("Appointment", new)}


async def test_a_partner_token_reads_appointments_without_notes(demo: Demo) -> None:
    secret = await partner_token(demo, scopes=["lists:read"])
    total = await demo.scalar(
        "SELECT count(*) FROM intervention WHERE organization_id = :o",
        o=await org_id(demo, "brillanti"),
    )
    page = await demo.data(APPOINTMENTS, secret, first=3)
    assert page["appointments"]["totalCount"] == total
    notes = await demo.gql("{ appointments(first: 1) { edges { node { notes } } } }", token=secret)
    assert notes.json().get("data") is None
    for audience in (Audience.PORTAL, Audience.PARTNER):
        assert "notes" not in field_names(views()[audience])["Appointment"]
    assert "notes" in field_names(views()[Audience.STAFF])["Appointment"]


async def test_sql_statements_do_not_grow_with_the_page(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    query = """query($n: Int) { appointments(first: $n) { totalCount edges { node { startsAt
      site { name } client { name } technician { displayName staffUser { email } }
      activityType { name portalTitle } reschedules { id } rescheduledBy { id }
      workSheets(first: 2) { edges { node { number } } } } } } }"""
    counts, _ = await demo.statements_per_page(query, "appointments", token, (10, 100))
    assert counts[0] == counts[1]
    # authenticate + bind, page, count, sites, clients, staff, activity types, reschedules,
    # rescheduled by, work sheets
    assert counts[0] <= 2 + 9


async def test_each_request_lists_with_its_own_filter_values(demo: Demo) -> None:
    periods = [
        ("2026-06-01T00:00:00+02:00", "2026-10-01T00:00:00+02:00"),
        ("2026-10-01T00:00:00+02:00", "2027-02-01T00:00:00+01:00"),
    ]
    period = "starts_at >= :f AND starts_at < :t"
    await LISTED.assert_filters_in_turn(demo, period, periods, dt.datetime.fromisoformat)
