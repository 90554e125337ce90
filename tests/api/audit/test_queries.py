"""The audit trail: ADMIN and OFFICE staff of the organization only, newest first."""

from __future__ import annotations

from typing import Any

from authz.principals import Audience
from schema.kit.views import field_names
from sportello.assembly import views
from tests.api import Demo
from tests.api.grants import org_id

EVENTS = """query($first: Int, $after: String, $action: String, $from: DateTime, $to: DateTime) {
  auditEvents(first: $first, after: $after, action: $action, from: $from, to: $to) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { action actorType actorId subjectType subjectId ip details createdAt } }
  }
}"""


async def every(demo: Demo, token: str, **filters: Any) -> list[dict[str, Any]]:
    """Every event of the list, paging forwards 3 at a time."""
    return await demo.every_node(EVENTS, "auditEvents", token, 3, **filters)


async def test_admin_and_office_read_the_trail_newest_first(demo: Demo) -> None:
    # Logging in is audited: these logins give both organizations a trail.
    admin = await demo.as_("staff admin")
    office = await demo.staff("OFFICE")
    await demo.as_("contact of one client")
    await demo.as_("staff admin", "ignis")
    org = await org_id(demo, "brillanti")
    expected = await demo.scalar(
        "SELECT array_agg(id::text ORDER BY created_at DESC, id DESC) FROM audit_event "
        "WHERE organization_id = :o",
        o=org,
    )
    assert len(expected) >= 3
    for token in (admin, office):
        events = await every(demo, token)
        assert len(events) == len(expected)
        moments = [e["createdAt"] for e in events]
        assert moments == sorted(moments, reverse=True)
        assert {e["actorType"] for e in events} >= {"STAFF", "CONTACT"}
        assert all(e["action"] == "login" for e in events)
    page = (await demo.data(EVENTS, admin, first=1))["auditEvents"]
    assert page["totalCount"] == len(expected)
    assert page["edges"][0]["node"]["actorId"] == await demo.scalar(
        "SELECT actor_id::text FROM audit_event WHERE id = :i", i=expected[0]
    )


async def test_filters_by_action_and_period(demo: Demo) -> None:
    admin = await demo.as_("staff admin")
    org = await org_id(demo, "brillanti")
    await demo.execute(
        "INSERT INTO audit_event (id, created_at, organization_id, actor_type, action, "
        "subject_type, details) VALUES (gen_random_uuid(), '2026-01-10T09:00:00Z', :o, "
        "'STAFF', 'portal_enabled', 'Client', '{\"enabled\": true}'), "
        "(gen_random_uuid(), '2026-01-20T09:00:00Z', :o, 'STAFF', 'portal_enabled', "
        "'Client', '{\"enabled\": false}')",
        o=org,
    )
    toggles = await every(demo, admin, action="portal_enabled")
    assert [e["details"] for e in toggles] == [{"enabled": False}, {"enabled": True}]
    january = await every(
        demo, admin, **{"from": "2026-01-01T00:00:00Z", "to": "2026-01-20T09:00:00Z"}
    )
    assert [e["details"] for e in january] == [{"enabled": True}]
    counted = await demo.scalar(
        "SELECT count(*) FROM audit_event WHERE organization_id = :o AND action = 'login'", o=org
    )
    logins = await demo.data(EVENTS, admin, first=1, action="login")
    assert logins["auditEvents"]["totalCount"] == counted
    inverted = await demo.gql(
        EVENTS, token=admin, variables={"from": "2026-02-01T00:00:00", "to": "2026-01-01T00:00:00"}
    )
    assert inverted.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "to"}


async def test_no_other_organization_role_or_audience_reads_it(demo: Demo) -> None:
    await demo.as_("staff admin")
    ignis = await demo.as_("staff admin", "ignis")
    seen = await every(demo, ignis)
    assert len(seen) == await demo.scalar(
        "SELECT count(*) FROM audit_event WHERE organization_id = :o",
        o=await org_id(demo, "ignis"),
    )
    technician = await demo.staff("TECHNICIAN")
    refused = await demo.gql(EVENTS, token=technician, first=5)
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    contact = await demo.as_("contact of one client")
    unknown = await demo.gql(EVENTS, token=contact, first=5)
    assert unknown.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    for audience in (Audience.PORTAL, Audience.PARTNER, Audience.PUBLIC):
        names = field_names(views()[audience])
        assert "AuditEvent" not in names
        assert "auditEvents" not in names["Query"]
