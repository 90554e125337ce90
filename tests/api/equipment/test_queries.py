"""Equipment as each principal sees it, with the outcome of each item's last revision."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from schema.kit import ids
from tests.api import Demo
from tests.api.listings import Listing

EQUIPMENT = """query($first: Int, $after: String, $siteId: ID, $clientId: ID, $kind: String,
  $search: String) {
  equipment(first: $first, after: $after, siteId: $siteId, clientId: $clientId, kind: $kind,
    search: $search) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id kind model serialNumber location installedOn site { id name }
      lastResult { outcome performedAt } } }
  }
}"""

# The sites a contact sees: its site grants, and every site of the clients granted whole.
CONTACT_SITES = """SELECT array_agg(s.id) FROM contact k JOIN portal_grant g ON g.contact_id = k.id
  JOIN site s ON s.id = g.site_id OR s.client_id = g.client_id WHERE k.email = :e"""


async def org_id(demo: Demo, slug: str) -> Any:
    return await demo.scalar("SELECT id FROM organization WHERE slug = :s", s=slug)


async def contact_sites(demo: Demo, role: str) -> list[uuid.UUID]:
    return list(await demo.scalar(CONTACT_SITES, e=demo.login_of(role)))


LISTED = Listing(EQUIPMENT, "equipment", "Equipment", "equipment", "kind, id", 40)


async def all_pages(demo: Demo, token: str, **filters: Any) -> tuple[int, list[dict[str, Any]]]:
    """(totalCount, every node) of the equipment list, paged 40 at a time."""
    pages = await demo.every_page(EQUIPMENT, "equipment", token, first=40, **filters)
    return pages[-1]["totalCount"], [edge["node"] for page in pages for edge in page["edges"]]


async def test_staff_see_all_equipment_of_their_organization_by_kind(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    await LISTED.assert_lists(
        demo, token, "organization_id = :o", o=await org_id(demo, "brillanti")
    )


async def test_last_result_is_the_item_of_the_latest_performed_revision(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    _, nodes = await all_pages(demo, token)
    rows = await demo.scalar(
        """SELECT json_object_agg(e.id, json_build_object('outcome', last.outcome,
             'at', last.performed_at))
           FROM equipment e JOIN organization o ON o.id = e.organization_id
           LEFT JOIN LATERAL (SELECT i.outcome, r.performed_at FROM revision_item i
             JOIN revision r ON r.id = i.revision_id
             WHERE i.equipment_id = e.id AND r.performed_at IS NOT NULL
             ORDER BY r.performed_at DESC, r.id DESC LIMIT 1) last ON true
           WHERE o.slug = 'brillanti'"""
    )
    checked = 0
    for node in nodes:
        expected = rows[str(ids.decode("Equipment", node["id"]))]
        if expected["outcome"] is None:
            assert node["lastResult"] is None
            continue
        checked += 1
        assert node["lastResult"]["outcome"] == expected["outcome"]
        performed = dt.datetime.fromisoformat(node["lastResult"]["performedAt"])
        assert performed == dt.datetime.fromisoformat(expected["at"])
    assert checked > 0
    assert any(n["lastResult"] is None for n in nodes)


async def test_a_client_contact_sees_the_equipment_of_all_its_sites(demo: Demo) -> None:
    token = await demo.as_("contact of one client")
    sites = await contact_sites(demo, "contact of one client")
    nodes = await LISTED.assert_lists(demo, token, "site_id = ANY(:s)", s=sites)
    assert len({n["site"]["id"] for n in nodes}) > 1


async def test_a_site_contact_sees_only_its_site_equipment(demo: Demo) -> None:
    token = await demo.as_("contact limited to one site")
    [site] = await contact_sites(demo, "contact limited to one site")
    expected = await demo.scalar("SELECT count(*) FROM equipment WHERE site_id = :s", s=site)
    total, nodes = await all_pages(demo, token)
    assert total == expected
    assert {n["site"]["id"] for n in nodes} == {ids.encode("Site", site)}
    # The same through the site's nested list.
    nested = await demo.data(
        "query($id: ID!) { site(id: $id) { equipment(first: 100) { totalCount } } }",
        token,
        id=ids.encode("Site", site),
    )
    assert nested["site"]["equipment"]["totalCount"] == expected


async def test_filters_narrow_the_list(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    site, kind = await demo.scalar(
        "SELECT json_build_array(e.site_id, e.kind) FROM equipment e "
        "JOIN organization o ON o.id = e.organization_id WHERE o.slug = 'brillanti' "
        "ORDER BY e.id LIMIT 1"
    )
    by_site = await demo.scalar("SELECT count(*) FROM equipment WHERE site_id = :s", s=site)
    total, nodes = await all_pages(demo, token, siteId=ids.encode("Site", uuid.UUID(site)))
    assert total == by_site
    by_kind = await demo.scalar(
        "SELECT count(*) FROM equipment WHERE site_id = :s AND kind = :k", s=site, k=kind
    )
    total, nodes = await all_pages(
        demo, token, siteId=ids.encode("Site", uuid.UUID(site)), kind=kind
    )
    assert total == by_kind
    assert {n["kind"] for n in nodes} == {kind}
    client = await demo.scalar("SELECT client_id FROM site WHERE id = :s", s=site)
    by_client = await demo.scalar("SELECT count(*) FROM equipment WHERE client_id = :c", c=client)
    total, _ = await all_pages(demo, token, clientId=ids.encode("Client", client))
    assert total == by_client
    serial = await demo.scalar(
        "SELECT serial_number FROM equipment e JOIN organization o ON o.id = e.organization_id "
        "WHERE o.slug = 'brillanti' AND serial_number IS NOT NULL ORDER BY e.id LIMIT 1"
    )
    total, nodes = await all_pages(demo, token, search=serial[-6:].lower())
    assert serial in {n["serialNumber"] for n in nodes}
    # A malformed or foreign site id filters like a site that does not exist.
    total, _ = await all_pages(demo, token, siteId="garbage")
    assert total == 0


async def test_ids_out_of_scope_answer_exactly_like_missing_ones(demo: Demo) -> None:
    token = await demo.as_("contact limited to one site")
    sites = await contact_sites(demo, "contact limited to one site")
    foreign = await demo.scalar(
        "SELECT id FROM equipment WHERE organization_id = :o LIMIT 1",
        o=await org_id(demo, "ignis"),
    )
    neighbour = await demo.scalar(
        "SELECT id FROM equipment WHERE organization_id = :o AND NOT site_id = ANY(:s) LIMIT 1",
        o=await org_id(demo, "brillanti"),
        s=sites,
    )
    own = await demo.scalar("SELECT id FROM equipment WHERE site_id = ANY(:s) LIMIT 1", s=sites)
    query = "query($id: ID!) { equipmentItem(id: $id) { kind } node(id: $id) { id } }"
    for candidate in (
        ids.encode("Equipment", foreign),
        ids.encode("Equipment", neighbour),
        ids.encode("Equipment", uuid.uuid4()),
        ids.encode("Site", own),
        "not-an-id",
    ):
        response = await demo.gql(query, token=token, id=candidate)
        assert response.json() == {"data": {"equipmentItem": None, "node": None}}
    found = await demo.data(query, token, id=ids.encode("Equipment", own))
    assert found["node"] == {"id": ids.encode("Equipment", own)}
    # Staff of the other organization do not reach it either.
    ignis = await demo.as_("staff admin", "ignis")
    response = await demo.gql(query, token=ignis, id=ids.encode("Equipment", neighbour))
    assert response.json() == {"data": {"equipmentItem": None, "node": None}}


async def test_sql_statements_do_not_grow_with_the_page(demo: Demo) -> None:
    token = await demo.as_("contact of several clients")
    query = """query($n: Int) { sites(first: $n) { edges { node { name
      equipment(first: 5) { totalCount edges { node { kind lastResult { outcome } } } } } } }
      equipment(first: $n) { totalCount edges { node { kind site { name }
        lastResult { outcome performedAt } } } } }"""
    counts, _ = await demo.statements_per_page(query, "equipment", token, (2, 20))
    assert counts[0] == counts[1]
    # authenticate (grants and binding in the same statement) and the account's budget (in a
    # transaction of its own: sportello/rate_limit.py); the sites page, the equipment page and
    # its count (root lists, built per request, go alone); then one statement per level
    # (db/kept.py together): the sites' equipment with its count, the equipment's sites and
    # their last results; the last results of the sites' equipment.
    assert counts[0] == 2 + 3 + 1 + 1


async def test_nested_totals_are_the_whole_list_on_every_page_and_for_every_parent(
    demo: Demo,
) -> None:
    """A nested list's totalCount comes with its first page (the same statement); after a
    cursor, and for many parents at once, it is still the whole list of each parent."""
    token = await demo.as_("staff admin")
    listed = """{ sites(first: 30) { edges { node { id
      equipment(first: 2) { totalCount edges { cursor } } } } } }"""
    one = """query($site: ID!, $after: String) { site(id: $site) {
      equipment(first: 2, after: $after) { totalCount edges { cursor } } } }"""
    sites = [edge["node"] for edge in (await demo.data(listed, token))["sites"]["edges"]]
    with_equipment = [site for site in sites if site["equipment"]["totalCount"] > 2]
    assert with_equipment, "the demo data has sites with more than two pieces of equipment"
    for site in sites:
        alone = (await demo.data(one, token, site=site["id"]))["site"]["equipment"]
        assert alone["totalCount"] == site["equipment"]["totalCount"]
    site = with_equipment[0]
    cursor = site["equipment"]["edges"][-1]["cursor"]
    after = (await demo.data(one, token, site=site["id"], after=cursor))["site"]["equipment"]
    assert after["totalCount"] == site["equipment"]["totalCount"]
    assert len(after["edges"]) == 2
