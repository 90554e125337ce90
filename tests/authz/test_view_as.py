"""Staff previewing the portal as a contact; introspection narrowed to what a caller may use;
field decisions made once per request."""

from __future__ import annotations

from authz.checks import FieldChecks
from schema.kit import ids
from tests.api import Demo

VIEWER = "{ viewer { kind firstName } clients(first: 50) { totalCount } }"


async def contact_id(demo: Demo, role: str) -> str:
    row_id = await demo.scalar("SELECT id FROM contact WHERE email = :e", e=demo.login_of(role))
    return str(ids.encode("PortalAccess", row_id))


async def test_office_staff_see_the_portal_as_a_contact_read_only_and_audited(
    demo: Demo,
) -> None:
    staff = await demo.as_("staff admin")
    target = await contact_id(demo, "contact limited to one site")
    as_contact = await demo.gql(VIEWER, token=staff, headers={"x-view-as-contact": target})
    data = as_contact.json()["data"]
    assert data["viewer"]["kind"] == "CONTACT"
    assert data["clients"]["totalCount"] == 1
    own = await demo.data(VIEWER, staff)
    assert own["clients"]["totalCount"] > 1
    acting = await demo.gql(
        'mutation { changePassword(currentPassword: "x", newPassword: "y") { token } }',
        token=staff,
        headers={"x-view-as-contact": target},
    )
    assert acting.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    events = await demo.scalar(
        "SELECT count(*) FROM audit_event WHERE action = 'portal_previewed' AND subject_id = :c",
        c=ids.decode("PortalAccess", target),
    )
    assert events == 2


async def test_contacts_and_foreign_staff_cannot_preview(demo: Demo) -> None:
    target = await contact_id(demo, "contact of one client")
    contact = await demo.as_("contact of several clients")
    foreign_staff = await demo.as_("staff admin", "ignis")
    for token in (contact, foreign_staff):
        refused = await demo.gql(VIEWER, token=token, headers={"x-view-as-contact": target})
        assert refused.status_code == 403


async def test_introspection_shows_only_what_the_caller_may_use(demo: Demo) -> None:
    names = '{ __type(name: "Query") { fields { name } } }'
    staff = await demo.as_("staff admin")
    contact = await demo.as_("contact of one client")
    staff_fields = {f["name"] for f in (await demo.data(names, staff))["__type"]["fields"]}
    contact_fields = {f["name"] for f in (await demo.data(names, contact))["__type"]["fields"]}
    assert {"portalAccesses", "portalBill", "partnerTokens"} <= staff_fields
    assert "portalAccesses" not in contact_fields
    assert {"clients", "sites", "viewer"} <= contact_fields


async def test_office_staff_do_not_see_admin_fields_in_introspection(demo: Demo) -> None:
    office_email = await demo.scalar(
        "SELECT s.email FROM staff_user s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = 'brillanti' AND s.role = 'OFFICE' AND s.active LIMIT 1"
    )
    token = (await demo.login(office_email, "Sportello-demo-2024!", org="brillanti")).json()[
        "data"
    ]["login"]["token"]
    fields = await demo.data('{ __type(name: "Query") { fields { name } } }', token)
    names = {f["name"] for f in fields["__type"]["fields"]}
    assert "portalAccesses" in names
    assert "partnerTokens" not in names


async def test_field_decisions_do_not_grow_with_the_rows(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    query = "query($n: Int) { sites(first: $n) { edges { node { name city client { name } } } } }"
    sites = await demo.scalar(
        "SELECT count(*) FROM site s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = 'brillanti'"
    )
    costs = []
    for size in (100, 1):
        before = FieldChecks.evaluated
        data = await demo.data(query, token, n=size)
        costs.append(FieldChecks.evaluated - before)
        assert len(data["sites"]["edges"]) == min(size, sites)
    # Decisions are per field, never per row: the document decides its few fields once (with
    # 100 rows), and the same document again reuses the decisions.
    assert 0 < costs[0] <= 10
    assert costs[1] == 0
