"""Revisions as each principal sees them: contacts get performed ones and each site's next."""

from __future__ import annotations

import uuid
from typing import Any

from schema.kit import ids
from tests.api import Demo

REVISIONS = """query($first: Int, $after: String, $last: Int, $before: String, $siteId: ID,
  $clientId: ID, $from: Date, $to: Date, $result: RevisionResult) {
  revisions(first: $first, after: $after, last: $last, before: $before, siteId: $siteId,
    clientId: $clientId, from: $from, to: $to, result: $result) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { node { id dueMonth plannedDate performedAt result site { id } } }
  }
}"""
CONTACT_SITES = """SELECT array_agg(s.id) FROM contact k JOIN portal_grant g ON g.contact_id = k.id
  JOIN site s ON s.id = g.site_id OR s.client_id = g.client_id WHERE k.email = :e"""
# Per site, the earliest revision not performed yet: the one contacts are told about.
NEXT = """SELECT array_agg(id) FROM (SELECT DISTINCT ON (site_id) id FROM revision
  WHERE performed_at IS NULL ORDER BY site_id, due_month, planned_date NULLS LAST, id) n"""


async def contact_sites(demo: Demo, role: str) -> list[uuid.UUID]:
    return list(await demo.scalar(CONTACT_SITES, e=demo.login_of(role)))


async def next_revisions(demo: Demo) -> list[uuid.UUID]:
    return list(await demo.scalar(NEXT))


async def all_revisions(demo: Demo, token: str, **filters: Any) -> tuple[int, list[Any]]:
    """(totalCount, every node) of the revision list, paged 30 at a time."""
    pages = await demo.every_page(REVISIONS, "revisions", token, first=30, **filters)
    return pages[-1]["totalCount"], [edge["node"] for page in pages for edge in page["edges"]]


def row_ids(nodes: list[Any]) -> list[uuid.UUID | None]:
    return [ids.decode("Revision", node["id"]) for node in nodes]


async def plan_a_later_revision(demo: Demo, role: str) -> uuid.UUID:
    """A second planned revision at one of the contact's sites, after the site's next one."""
    new_id = uuid.uuid4()
    await demo.execute(
        """INSERT INTO revision (id, created_at, organization_id, client_id, site_id,
             contract_id, due_month, planned_date, notes)
           SELECT :id, now(), organization_id, client_id, site_id, contract_id,
             due_month + interval '6 months', due_month + interval '6 months 4 days', ''
           FROM revision WHERE id = ANY(:n) AND site_id = ANY(:s) LIMIT 1""",
        id=new_id,
        n=await next_revisions(demo),
        s=await contact_sites(demo, role),
    )
    return new_id


async def test_staff_see_every_revision_latest_due_first(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    expected = await demo.scalar(
        "SELECT array_agg(r.id ORDER BY r.due_month DESC, r.id DESC) FROM revision r "
        "JOIN organization o ON o.id = r.organization_id WHERE o.slug = 'brillanti'"
    )
    total, nodes = await all_revisions(demo, token)
    assert total == len(expected)
    assert row_ids(nodes) == list(expected)
    assert any(node["performedAt"] is None for node in nodes)
    oldest = (await demo.data(REVISIONS, token, last=5))["revisions"]
    assert row_ids([e["node"] for e in oldest["edges"]]) == list(expected[-5:])
    assert oldest["pageInfo"]["hasPreviousPage"] is True


async def test_contacts_see_performed_revisions_and_only_the_next_planned_one(
    demo: Demo,
) -> None:
    role = "contact of one client"
    expected = await demo.scalar(
        """SELECT array_agg(id ORDER BY due_month DESC, id DESC) FROM revision
           WHERE site_id = ANY(:s) AND (performed_at IS NOT NULL OR id = ANY(:n))""",
        s=await contact_sites(demo, role),
        n=await next_revisions(demo),
    )
    hidden = await plan_a_later_revision(demo, role)
    token = await demo.as_(role)
    total, nodes = await all_revisions(demo, token)
    assert total == len(expected)
    assert row_ids(nodes) == list(expected)
    assert hidden not in row_ids(nodes)
    upcoming = [node for node in nodes if node["performedAt"] is None]
    # At most one revision not performed per site: the next one.
    assert len(upcoming) == len({node["site"]["id"] for node in upcoming}) > 0
    lookup = "query($id: ID!) { revision(id: $id) { id } node(id: $id) { id } }"
    answer = await demo.gql(lookup, token=token, id=ids.encode("Revision", hidden))
    assert answer.json() == {"data": {"revision": None, "node": None}}
    staff = await demo.data(
        lookup, await demo.as_("staff admin"), id=ids.encode("Revision", hidden)
    )
    assert staff["revision"] == {"id": ids.encode("Revision", hidden)}


async def test_a_site_contact_sees_only_its_site_revisions(demo: Demo) -> None:
    token = await demo.as_("contact limited to one site")
    [site] = await contact_sites(demo, "contact limited to one site")
    expected = await demo.scalar(
        "SELECT count(*) FROM revision WHERE site_id = :s "
        "AND (performed_at IS NOT NULL OR id = ANY(:n))",
        s=site,
        n=await next_revisions(demo),
    )
    total, nodes = await all_revisions(demo, token)
    assert total == expected > 0
    assert {node["site"]["id"] for node in nodes} == {ids.encode("Site", site)}


async def test_each_site_shows_its_next_and_last_revision(demo: Demo) -> None:
    await plan_a_later_revision(demo, "contact of several clients")
    expected = await demo.scalar(
        """SELECT json_object_agg(s.id, json_build_array(
             (SELECT id FROM revision WHERE site_id = s.id AND performed_at IS NULL
              ORDER BY due_month, planned_date NULLS LAST, id LIMIT 1),
             (SELECT id FROM revision WHERE site_id = s.id AND performed_at IS NOT NULL
              ORDER BY performed_at DESC, id DESC LIMIT 1)))
           FROM site s WHERE s.id = ANY(:s)""",
        s=await contact_sites(demo, "contact of several clients"),
    )
    query = """{ sites(first: 100) { edges { node { id
      nextRevision { id dueMonth plannedDate performedAt }
      lastRevision { id performedAt result } } } } }"""
    for role in ("contact of several clients", "staff admin"):
        sites = (await demo.data(query, await demo.as_(role)))["sites"]["edges"]
        seen = {edge["node"]["id"]: edge["node"] for edge in sites}
        for site_id, (next_id, last_id) in expected.items():
            node = seen[ids.encode("Site", uuid.UUID(site_id))]
            got_next = node["nextRevision"] and str(
                ids.decode("Revision", node["nextRevision"]["id"])
            )
            got_last = node["lastRevision"] and str(
                ids.decode("Revision", node["lastRevision"]["id"])
            )
            assert (got_next, got_last) == (next_id, last_id)
            if node["nextRevision"] is not None:
                assert node["nextRevision"]["performedAt"] is None
                assert node["nextRevision"]["dueMonth"].endswith("-01")
            if node["lastRevision"] is not None:
                assert node["lastRevision"]["result"] in {"PASS", "PASS_WITH_REMARKS", "FAIL"}
    assert any(next_id for next_id, _ in expected.values())


async def test_items_show_outcomes_and_findings_by_equipment_kind(demo: Demo) -> None:
    revision = await demo.scalar(
        """SELECT revision_id FROM revision_item WHERE outcome = 'NON_COMPLIANT'
           AND site_id = ANY(:s) ORDER BY revision_id LIMIT 1""",
        s=await contact_sites(demo, "contact of several clients"),
    )
    expected = await demo.scalar(
        """SELECT json_agg(json_build_array(e.kind, i.outcome, i.notes) ORDER BY e.kind, i.id)
           FROM revision_item i JOIN equipment e ON e.id = i.equipment_id
           WHERE i.revision_id = :r""",
        r=revision,
    )
    query = """query($id: ID!) { revision(id: $id) {
      outcomes { compliant nonCompliant notChecked }
      items(first: 100) { totalCount edges { node { outcome notes equipment { kind } } } } } }"""
    found = (
        await demo.data(
            query, await demo.as_("contact of several clients"), id=ids.encode("Revision", revision)
        )
    )["revision"]
    items = [e["node"] for e in found["items"]["edges"]]
    assert [[i["equipment"]["kind"], i["outcome"], i["notes"]] for i in items] == expected
    assert found["items"]["totalCount"] == len(expected)
    assert found["outcomes"] == {
        "compliant": sum(1 for row in expected if row[1] == "COMPLIANT"),
        "nonCompliant": sum(1 for row in expected if row[1] == "NON_COMPLIANT"),
        "notChecked": sum(1 for row in expected if row[1] == "NOT_CHECKED"),
    }
    assert any(i["notes"] for i in items)


async def test_internal_notes_and_unflagged_contracts_stay_hidden(demo: Demo) -> None:
    staff = await demo.as_("staff admin")
    first = (await demo.data("{ revisions(first: 1) { edges { node { id notes } } } }", staff))[
        "revisions"
    ]["edges"][0]["node"]
    assert first["notes"]
    contact = await demo.as_("contact of one client")
    notes = await demo.gql("{ revisions(first: 1) { edges { node { notes } } } }", token=contact)
    assert notes.status_code == 400
    assert notes.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    with_flag = await demo.data(
        "{ revisions(first: 5) { edges { node { id contractId } } } }", contact
    )
    for edge in with_flag["revisions"]["edges"]:
        contract = await demo.scalar(
            "SELECT contract_id FROM revision WHERE id = :r",
            r=ids.decode("Revision", edge["node"]["id"]),
        )
        assert edge["node"]["contractId"] == ids.encode("Contract", contract)
    # The site-limited demo contact may not view contracts.
    limited = await demo.gql(
        "{ revisions(first: 5) { edges { node { contractId } } } }",
        token=await demo.as_("contact limited to one site"),
    )
    assert limited.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_filters_by_site_client_period_and_result(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    site, client = await demo.scalar(
        "SELECT json_build_array(r.site_id, r.client_id) FROM revision r "
        "JOIN organization o ON o.id = r.organization_id WHERE o.slug = 'brillanti' "
        "ORDER BY r.id LIMIT 1"
    )
    total, nodes = await all_revisions(demo, token, siteId=ids.encode("Site", uuid.UUID(site)))
    assert total == await demo.scalar("SELECT count(*) FROM revision WHERE site_id = :s", s=site)
    total, _ = await all_revisions(demo, token, clientId=ids.encode("Client", uuid.UUID(client)))
    assert total == await demo.scalar(
        "SELECT count(*) FROM revision WHERE client_id = :c", c=client
    )
    total, nodes = await all_revisions(demo, token, **{"from": "2026-03-15", "to": "2026-06-30"})
    assert total == await demo.scalar(
        "SELECT count(*) FROM revision r JOIN organization o ON o.id = r.organization_id "
        "WHERE o.slug = 'brillanti' AND due_month BETWEEN '2026-03-01' AND '2026-06-30'"
    )
    assert {n["dueMonth"][:7] for n in nodes} <= {"2026-03", "2026-04", "2026-05", "2026-06"}
    total, nodes = await all_revisions(demo, token, result="FAIL")
    assert total == await demo.scalar(
        "SELECT count(*) FROM revision r JOIN organization o ON o.id = r.organization_id "
        "WHERE o.slug = 'brillanti' AND result = 'FAIL'"
    )
    assert {n["result"] for n in nodes} == {"FAIL"}
    inverted = await demo.gql(
        REVISIONS, token=token, variables={"first": 5, "from": "2026-06-01", "to": "2026-01-01"}
    )
    assert inverted.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "to"}
    unknown = await demo.gql(REVISIONS, token=token, first=5, result="GREAT")
    assert unknown.status_code == 400


async def test_ids_out_of_scope_answer_exactly_like_missing_ones(demo: Demo) -> None:
    token = await demo.as_("contact limited to one site")
    foreign = await demo.scalar(
        "SELECT r.id FROM revision r JOIN organization o ON o.id = r.organization_id "
        "WHERE o.slug = 'ignis' AND performed_at IS NOT NULL LIMIT 1"
    )
    neighbour = await demo.scalar(
        "SELECT r.id FROM revision r JOIN organization o ON o.id = r.organization_id "
        "WHERE o.slug = 'brillanti' AND performed_at IS NOT NULL "
        "AND NOT site_id = ANY(:s) LIMIT 1",
        s=await contact_sites(demo, "contact limited to one site"),
    )
    lookup = "query($id: ID!) { revision(id: $id) { id } node(id: $id) { id } }"
    for candidate in (
        ids.encode("Revision", foreign),
        ids.encode("Revision", neighbour),
        ids.encode("Revision", uuid.uuid4()),
        "garbage",
    ):
        answer = await demo.gql(lookup, token=token, id=candidate)
        assert answer.json() == {"data": {"revision": None, "node": None}}
    answer = await demo.gql(
        lookup, token=await demo.as_("staff admin", "ignis"), id=ids.encode("Revision", neighbour)
    )
    assert answer.json() == {"data": {"revision": None, "node": None}}


async def test_partners_read_revisions_but_no_documents(demo: Demo) -> None:
    admin = await demo.as_("staff admin")
    created = await demo.data(
        """mutation($in: CreatePartnerTokenInput!) { createPartnerToken(input: $in) { secret } }""",
        admin,
        **{"in": {"name": "BI", "scopes": ["lists:read"]}},
    )
    secret = created["createPartnerToken"]["secret"]
    staff_total, _ = await all_revisions(demo, admin)
    partner_total, _ = await all_revisions(demo, secret)
    assert partner_total == staff_total
    refused = await demo.gql(
        "{ revisions(first: 1) { edges { node { documents { totalCount } } } } }", token=secret
    )
    assert refused.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_sql_statements_do_not_grow_with_the_page(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    query = """query($n: Int) {
      revisions(first: $n, to: "2026-10-31") { totalCount edges { node { dueMonth site { name }
        outcomes { compliant }
        items(first: 10) { totalCount edges { node { outcome notes
          equipment { kind lastResult { outcome } } } } }
        documents(first: 5) { totalCount edges { node { fileName downloadUrl } } } } } }
      sites(first: $n) { edges { node { nextRevision { dueMonth } lastRevision { result } } } }
    }"""
    counts, _ = await demo.statements_per_page(query, "revisions", token, (3, 30))
    assert counts[0] == counts[1]
    # authenticate (binding the organization in the same statement) and the account's budget
    # (in a transaction of its own: sportello/rate_limit.py); the revisions page, its count
    # and the sites page (root lists, built per request, go alone); then one statement per
    # level (db/kept.py together): the revisions' sites, outcomes, items with their counts,
    # documents with their counts and the sites' next and last revisions; the items'
    # equipment; its last results.
    assert counts[0] == 2 + 3 + 1 + 1 + 1
