"""Work sheets as each principal sees them: newest first, signed ones only for contacts."""

from __future__ import annotations

import datetime as dt

from authz.principals import Audience
from schema.kit import ids
from schema.kit.views import field_names
from sportello.assembly import views
from tests.api import Demo, StatementCounter
from tests.api.grants import CONTACTS, VISIBLE, org_id
from tests.api.listings import Listing
from tests.partners import partner_token

WORK_SHEETS = """query($first: Int, $after: String, $last: Int, $siteId: ID, $clientId: ID,
  $from: Date, $to: Date, $status: [WorkSheetStatus!]) {
  workSheets(first: $first, after: $after, last: $last, siteId: $siteId, clientId: $clientId,
    from: $from, to: $to, status: $status) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id number date status signedBy site { name } } }
  }
}"""
ONE = "query($id: ID!) { workSheet(id: $id) { number } node(id: $id) { id } }"


LISTED = Listing(
    WORK_SHEETS, "workSheets", "WorkSheet", "work_sheet", "work_date DESC, id DESC", 40
)


async def test_staff_see_drafts_and_signed_sheets_newest_first(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    brillanti = await org_id(demo, "brillanti")
    by_status = {
        status: await demo.scalar(
            "SELECT count(*) FROM work_sheet WHERE organization_id = :o AND status = :s",
            o=brillanti,
            s=status,
        )
        for status in ("DRAFT", "SIGNED")
    }
    assert by_status["DRAFT"] > 0
    page = (await demo.data(WORK_SHEETS, token, first=3))["workSheets"]
    assert page["totalCount"] == sum(by_status.values())
    dates = [e["node"]["date"] for e in page["edges"]]
    assert dates == sorted(dates, reverse=True)
    drafts = (await demo.data(WORK_SHEETS, token, first=1, status=["DRAFT"]))["workSheets"]
    assert drafts["totalCount"] == by_status["DRAFT"]
    (site,) = await demo.busiest("work_sheet", "site_id")
    expected = await LISTED.expected(demo, "site_id = :s", s=site)
    assert len(expected) > 40
    assert await LISTED.all_ids(demo, token, siteId=ids.encode("Site", site)) == expected


async def test_the_period_is_inclusive_and_checked(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    in_november = await demo.scalar(
        "SELECT count(*) FROM work_sheet w JOIN organization o ON o.id = w.organization_id "
        "WHERE o.slug = 'brillanti' AND work_date BETWEEN '2026-11-01' AND '2026-11-30'"
    )
    november = {"from": "2026-11-01", "to": "2026-11-30"}
    page = await demo.data(WORK_SHEETS, token, first=1, **november)
    assert page["workSheets"]["totalCount"] == in_november > 0
    backwards = {"first": 1, "from": "2026-11-30", "to": "2026-11-01"}
    inverted = await demo.gql(WORK_SHEETS, token=token, variables=backwards)
    assert inverted.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "to"}


async def test_contacts_see_only_signed_sheets_of_their_sites(demo: Demo) -> None:
    for role in CONTACTS:
        token = await demo.as_(role)
        where = f"r.status = 'SIGNED' AND {VISIBLE}"
        expected = await LISTED.expected(demo, where, email=demo.login_of(role))
        assert expected, role
        assert await LISTED.all_ids(demo, token) == expected, role
        # Asking for drafts finds none.
        drafts = await demo.data(WORK_SHEETS, token, first=1, status=["DRAFT"])
        assert drafts["workSheets"]["totalCount"] == 0


async def test_a_draft_of_a_contacts_own_site_answers_like_a_missing_one(demo: Demo) -> None:
    role = "contact of one client"
    token = await demo.as_(role)
    draft = await demo.scalar(
        f"SELECT r.id FROM work_sheet r WHERE r.status = 'DRAFT' AND {VISIBLE} LIMIT 1",  # noqa: S608
        email=demo.login_of(role),
    )
    signed = await demo.scalar(
        f"SELECT r.id FROM work_sheet r WHERE r.status = 'SIGNED' AND {VISIBLE} LIMIT 1",  # noqa: S608
        email=demo.login_of(role),
    )
    assert draft is not None
    assert signed is not None
    assert await demo.data(ONE, token, id=ids.encode("WorkSheet", draft)) == {
        "workSheet": None,
        "node": None,
    }
    found = await demo.data(ONE, token, id=ids.encode("WorkSheet", signed))
    assert found["node"] == {"id": ids.encode("WorkSheet", signed)}


async def test_a_site_contact_never_sees_the_other_sites_of_its_client(demo: Demo) -> None:
    role = "contact limited to one site"
    token = await demo.as_(role)
    other = await demo.scalar(
        "SELECT w.id FROM work_sheet w JOIN portal_grant g ON g.site_id <> w.site_id "
        "JOIN site mine ON mine.id = g.site_id AND mine.client_id = w.client_id "
        "JOIN contact k ON k.id = g.contact_id WHERE k.email = :e AND w.status = 'SIGNED' LIMIT 1",
        e=demo.login_of(role),
    )
    assert other is not None
    assert await demo.data(ONE, token, id=ids.encode("WorkSheet", other)) == {
        "workSheet": None,
        "node": None,
    }
    client = await demo.scalar("SELECT client_id FROM work_sheet WHERE id = :w", w=other)
    mine = await demo.scalar(
        f"SELECT count(*) FROM work_sheet r WHERE r.status = 'SIGNED' AND {VISIBLE}",  # noqa: S608
        email=demo.login_of(role),
    )
    page = await demo.data(WORK_SHEETS, token, first=1, clientId=ids.encode("Client", client))
    assert page["workSheets"]["totalCount"] == mine


async def test_internal_notes_are_for_staff_only(demo: Demo) -> None:
    for audience in (Audience.PORTAL, Audience.PARTNER):
        assert "internalNotes" not in field_names(views()[audience])["WorkSheet"]
    assert "signedBy" not in field_names(views()[Audience.PARTNER])["WorkSheet"]
    contact = await demo.as_("contact of one client")
    asked = await demo.gql(
        "{ workSheets(first: 1) { edges { node { internalNotes } } } }", token=contact
    )
    assert asked.json().get("data") is None
    staff = await demo.as_("staff admin")
    noted = await demo.scalar(
        "SELECT count(*) FROM work_sheet w JOIN organization o ON o.id = w.organization_id "
        "WHERE o.slug = 'brillanti' AND internal_notes <> ''"
    )
    assert noted > 0
    page = await demo.data("{ workSheets(first: 100) { edges { node { internalNotes } } } }", staff)
    assert any(e["node"]["internalNotes"] for e in page["workSheets"]["edges"])


async def test_other_organizations_and_partners(demo: Demo) -> None:
    ignis = await demo.as_("staff admin", "ignis")
    foreign = await demo.scalar(
        "SELECT id FROM work_sheet WHERE organization_id = :o LIMIT 1",
        o=await org_id(demo, "brillanti"),
    )
    assert await demo.data(ONE, ignis, id=ids.encode("WorkSheet", foreign)) == {
        "workSheet": None,
        "node": None,
    }
    secret = await partner_token(demo, scopes=["lists:read"])
    signed = await demo.scalar(
        "SELECT count(*) FROM work_sheet WHERE organization_id = :o AND status = 'SIGNED'",
        o=await org_id(demo, "brillanti"),
    )
    page = await demo.data(
        "{ workSheets(first: 1) { totalCount edges { node { status } } } }", secret
    )
    assert page["workSheets"]["totalCount"] == signed
    assert page["workSheets"]["edges"][0]["node"]["status"] == "SIGNED"


async def test_an_appointment_lists_its_work_sheets_in_constant_statements(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    query = """query($n: Int) { workSheets(first: $n) { edges { node { number
      appointment { id workSheets(first: 5) { totalCount edges { node { number } } } }
      site { name } client { name } } } } }"""
    with StatementCounter(demo.app_engine) as counter:
        counts = []
        for size in (10, 100):
            counter.reset()
            data = await demo.data(query, token, n=size)
            edges = data["workSheets"]["edges"]
            assert len(edges) == size
            for edge in edges:
                listed = edge["node"]["appointment"]["workSheets"]["edges"]
                assert edge["node"]["number"] in {e["node"]["number"] for e in listed}
            counts.append(len(counter.statements))
    assert counts[0] == counts[1]
    # authenticate + bind, page, appointments, their work sheets and counts, sites, clients
    assert counts[0] <= 2 + 6


async def test_each_request_lists_with_its_own_filter_values(demo: Demo) -> None:
    periods = [("2025-12-01", "2026-05-31"), ("2026-06-01", "2026-11-23")]
    period = "work_date BETWEEN :f AND :t"
    await LISTED.assert_filters_in_turn(demo, period, periods, dt.date.fromisoformat)
