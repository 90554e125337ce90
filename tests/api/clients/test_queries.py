"""Clients and sites as each principal sees them, paged, with constant SQL per request."""

from __future__ import annotations

from typing import Any

from schema.kit import ids
from tests.api import Demo

CLIENTS = """query($first: Int, $after: String, $last: Int, $before: String) {
  clients(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name sites(first: 100) { totalCount edges { node { name } } } } }
  }
}"""


async def org_id(demo: Demo, slug: str) -> Any:
    return await demo.scalar("SELECT id FROM organization WHERE slug = :s", s=slug)


async def test_staff_page_through_every_client_of_their_organization(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    expected = list(
        await demo.scalar(
            "SELECT array_agg(name ORDER BY name, id) FROM client WHERE organization_id = :o",
            o=await org_id(demo, "brillanti"),
        )
    )
    pages = await demo.every_page(CLIENTS, "clients", token, first=7)
    assert {page["totalCount"] for page in pages} == {len(expected)}
    assert [edge["node"]["name"] for page in pages for edge in page["edges"]] == expected
    # Backwards from the end gives the same last page.
    last = (await demo.data(CLIENTS, token, last=7))["clients"]
    assert [e["node"]["name"] for e in last["edges"]] == expected[-7:]
    assert last["pageInfo"]["hasPreviousPage"] is True


async def test_pages_stay_stable_while_rows_are_inserted(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    first = (await demo.data(CLIENTS, token, first=5))["clients"]
    # A client sorting before everything already seen appears; the next page does not shift.
    await demo.execute(
        "INSERT INTO client (id, created_at, organization_id, code, name, portal_enabled) "
        "SELECT gen_random_uuid(), now(), id, 'AAA', 'AAA first of all', true "
        "FROM organization WHERE slug = 'brillanti'"
    )
    after = first["pageInfo"]["endCursor"]
    second = (await demo.data(CLIENTS, token, first=5, after=after))["clients"]
    names = [e["node"]["name"] for e in first["edges"] + second["edges"]]
    assert len(set(names)) == 10
    assert "AAA first of all" not in names


async def test_a_contact_of_one_client_sees_that_client_and_all_its_sites(demo: Demo) -> None:
    token = await demo.as_("contact of one client")
    contact = demo.login_of("contact of one client")
    granted = await demo.scalar(
        "SELECT array_agg(c.name) FROM client c JOIN portal_grant g ON g.client_id = c.id "
        "JOIN contact k ON k.id = g.contact_id WHERE k.email = :e",
        e=contact,
    )
    clients = (await demo.data(CLIENTS, token, first=50))["clients"]
    assert [e["node"]["name"] for e in clients["edges"]] == list(granted)
    assert clients["totalCount"] == 1
    sites = clients["edges"][0]["node"]["sites"]
    all_sites = await demo.scalar(
        "SELECT count(*) FROM site s JOIN client c ON c.id = s.client_id WHERE c.name = :n",
        n=granted[0],
    )
    assert sites["totalCount"] == all_sites
    assert all_sites > 1


async def test_a_site_contact_sees_its_site_and_its_client_but_no_other_site(
    demo: Demo,
) -> None:
    token = await demo.as_("contact limited to one site")
    contact = demo.login_of("contact limited to one site")
    site = await demo.scalar(
        "SELECT s.name FROM site s JOIN portal_grant g ON g.site_id = s.id "
        "JOIN contact k ON k.id = g.contact_id WHERE k.email = :e",
        e=contact,
    )
    clients = (await demo.data(CLIENTS, token, first=50))["clients"]
    assert clients["totalCount"] == 1
    node = clients["edges"][0]["node"]
    assert node["sites"]["totalCount"] == 1
    assert [e["node"]["name"] for e in node["sites"]["edges"]] == [site]
    listed = await demo.data("{ sites(first: 100) { totalCount edges { node { name } } } }", token)
    assert listed["sites"]["totalCount"] == 1


async def test_ids_out_of_scope_answer_exactly_like_missing_ones(demo: Demo) -> None:
    token = await demo.as_("contact of one client")
    foreign = await demo.scalar(
        "SELECT id FROM client WHERE organization_id = :o LIMIT 1", o=await org_id(demo, "ignis")
    )
    neighbour = await demo.scalar(
        "SELECT c.id FROM client c WHERE c.organization_id = :o AND NOT EXISTS "
        "(SELECT 1 FROM portal_grant g JOIN contact k ON k.id = g.contact_id "
        "WHERE g.client_id = c.id AND k.email = :e) LIMIT 1",
        o=await org_id(demo, "brillanti"),
        e=demo.login_of("contact of one client"),
    )
    import uuid

    candidates = [
        ids.encode("Client", foreign),
        ids.encode("Client", neighbour),
        ids.encode("Client", uuid.uuid4()),
        ids.encode("Site", neighbour),
        "not-an-id",
        "",
    ]
    answers = []
    for candidate in candidates:
        response = await demo.gql(
            "query($id: ID!) { client(id: $id) { name } node(id: $id) { id } }",
            token=token,
            id=candidate,
        )
        answers.append((response.status_code, response.json()))
    assert all(answer == (200, {"data": {"client": None, "node": None}}) for answer in answers)


async def test_node_finds_a_visible_record(demo: Demo) -> None:
    token = await demo.as_("contact of one client")
    clients = (await demo.data(CLIENTS, token, first=1))["clients"]
    client_id = clients["edges"][0]["node"]["id"]
    found = await demo.data(
        "query($id: ID!) { node(id: $id) { id ... on Client { name } } }", token, id=client_id
    )
    assert found["node"]["id"] == client_id


async def test_sql_statements_do_not_grow_with_the_page(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    query = """query($n: Int) { sites(first: $n) { totalCount edges { node { name
      client { name sites(first: 3) { totalCount edges { node { name } } } } } } } }"""
    counts, _ = await demo.statements_per_page(query, "sites", token, (5, 40))
    assert counts[0] == counts[1]
    # authenticate + bind, the page, its count, clients, their sites, their site counts
    assert counts[0] <= 2 + 5


async def test_a_bad_cursor_or_page_size_names_the_argument(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    bad_cursor = await demo.gql(CLIENTS, token=token, first=5, after="garbage")
    assert bad_cursor.json()["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "after",
    }
    too_big = await demo.gql("{ clients(first: 1000) { totalCount } }", token=token)
    assert too_big.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    # With a nested list the page size multiplies its cost: refused before any SQL.
    too_costly = await demo.gql(CLIENTS, token=token, first=1000)
    assert too_costly.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_a_refused_argument_does_not_cancel_a_lookup_shared_elsewhere(demo: Demo) -> None:
    """``workSheets(first: 500)`` is refused on a non-null field, so graphql-core cancels the
    site's other field, its client, while that client is being loaded; the list of sites
    awaits the same client (one loader key). The answer is the input error and the list, not
    a request failed by the cancellation (db/scoped/loaders.py)."""
    token = await demo.as_("staff admin")
    first = await demo.data("{ sites(first: 1) { edges { node { id } } } }", token)
    site = first["sites"]["edges"][0]["node"]["id"]
    query = """query($site: ID!) {
      site(id: $site) { client { name } workSheets(first: 500) { totalCount } }
      sites(first: 5) { edges { node { id client { name } } } } }"""
    answer = await demo.gql(query, token=token, variables={"site": site})
    body = answer.json()
    assert answer.status_code == 200
    assert [(e["extensions"]["code"], e["path"]) for e in body["errors"]] == [
        ("BAD_USER_INPUT", ["site", "workSheets"])
    ]
    assert body["data"]["site"] is None
    listed = {e["node"]["id"]: e["node"]["client"]["name"] for e in body["data"]["sites"]["edges"]}
    assert listed[site]  # the refused site's own client, through the shared key
