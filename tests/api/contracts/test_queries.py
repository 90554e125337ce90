"""Contracts as each principal sees them: only with can_view_contracts, within the grants."""

from __future__ import annotations

import datetime as dt
from typing import Any

from schema.kit import ids
from tests.api import Demo
from tests.api.grants import VISIBLE, org_id

CONTRACTS = """query($first: Int, $after: String, $last: Int, $siteId: ID, $clientId: ID,
  $expiringBefore: Date) {
  contracts(first: $first, after: $after, last: $last, siteId: $siteId, clientId: $clientId,
    expiringBefore: $expiringBefore) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id number expiresOn daysToExpiry site { name } client { name } } }
  }
}"""
ONE = "query($id: ID!) { contract(id: $id) { number } node(id: $id) { id } }"
ORDERED = "array_agg(r.number ORDER BY r.expires_on, r.id)"
# Days to expiry counted from today in the organization's time zone, as the API says.
DAYS = "sum(r.expires_on - (now() AT TIME ZONE o.timezone)::date)"


async def numbers(demo: Demo, token: str, **filters: Any) -> list[str]:
    """Every contract number of the list, paging forwards 4 at a time."""
    nodes = await demo.every_node(CONTRACTS, "contracts", token, 4, **filters)
    return [node["number"] for node in nodes]


async def test_staff_see_every_contract_of_their_organization_by_expiry(demo: Demo) -> None:
    for org in ("brillanti", "ignis"):
        token = await demo.as_("staff admin", org)
        expected = await demo.scalar(
            f"SELECT {ORDERED} FROM contract r WHERE r.organization_id = :o",  # noqa: S608
            o=await org_id(demo, org),
        )
        assert await numbers(demo, token) == list(expected)
        page = (await demo.data(CONTRACTS, token, first=100))["contracts"]
        assert page["totalCount"] == len(expected)
        days = await demo.scalar(
            f"SELECT {DAYS} FROM contract r JOIN organization o "  # noqa: S608
            "ON o.id = r.organization_id WHERE o.slug = :s",
            s=org,
        )
        assert sum(e["node"]["daysToExpiry"] for e in page["edges"]) == days
        # Client-wide contracts have no site.
        assert any(e["node"]["site"] is None for e in page["edges"])


async def test_filters_match_plain_sql(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    org = await org_id(demo, "brillanti")
    soon = await demo.scalar(
        "SELECT count(*) FROM contract WHERE organization_id = :o AND expires_on < '2027-01-01'",
        o=org,
    )
    page = await demo.data(CONTRACTS, token, first=100, expiringBefore="2027-01-01")
    assert page["contracts"]["totalCount"] == soon == len(page["contracts"]["edges"])
    assert soon > 0
    (client,) = await demo.busiest("contract", "client_id", required=("site_id",))
    of_client = await demo.scalar(
        f"SELECT {ORDERED} FROM contract r WHERE r.client_id = :c",  # noqa: S608
        c=client,
    )
    assert await numbers(demo, token, clientId=ids.encode("Client", client)) == list(of_client)
    site = await demo.scalar(
        "SELECT site_id FROM contract WHERE client_id = :c AND site_id IS NOT NULL LIMIT 1",
        c=client,
    )
    of_site = await demo.scalar(
        f"SELECT {ORDERED} FROM contract r WHERE r.site_id = :s",  # noqa: S608
        s=site,
    )
    assert await numbers(demo, token, siteId=ids.encode("Site", site)) == list(of_site)


async def test_contacts_with_the_flag_see_the_contracts_of_their_grants(demo: Demo) -> None:
    for role in ("contact of one client", "contact of several clients"):
        expected = await demo.scalar(
            f"SELECT {ORDERED} FROM contract r WHERE {VISIBLE}",  # noqa: S608
            email=demo.login_of(role),
        )
        token = await demo.as_(role)
        assert await numbers(demo, token) == list(expected), role
        # Client-wide contracts are part of what a client grant covers.
        page = (await demo.data(CONTRACTS, token, first=100))["contracts"]
        assert any(e["node"]["site"] is None for e in page["edges"])


async def test_a_contact_without_the_flag_is_refused_and_does_not_see_the_field(
    demo: Demo,
) -> None:
    """The field answers null with FORBIDDEN at its path; the rest of the answer stays."""
    role = "contact limited to one site"
    email = demo.login_of(role)
    assert not await demo.scalar("SELECT can_view_contracts FROM contact WHERE email = :e", e=email)
    token = await demo.as_(role)
    refused = "Cannot use Query.contracts: not enabled for this portal access."
    listed = await demo.gql("{ contracts(first: 5) { totalCount } apiVersion }", token=token)
    assert listed.status_code == 200
    body = listed.json()
    assert body["errors"] == [
        {"message": refused, "path": ["contracts"], "extensions": {"code": "FORBIDDEN"}}
    ]
    assert body["data"]["contracts"] is None
    assert body["data"]["apiVersion"]
    nested = await demo.gql(
        "{ sites { edges { node { name contracts { totalCount } } } } }", token=token
    )
    nodes = [edge["node"] for edge in nested.json()["data"]["sites"]["edges"]]
    assert nodes
    assert all(node["name"] and node["contracts"] is None for node in nodes)
    errors = nested.json()["errors"]
    assert [error["path"] for error in errors] == [
        ["sites", "edges", index, "node", "contracts"] for index in range(len(nodes))
    ]
    assert {error["extensions"]["code"] for error in errors} == {"FORBIDDEN"}
    fields = await demo.data('{ __type(name: "Query") { fields { name } } }', token)
    names = {f["name"] for f in fields["__type"]["fields"]}
    assert "contracts" not in names
    assert "contract" not in names
    assert "tickets" in names
    # Through node(id:) a contract answers like a missing record.
    contract = await demo.scalar(
        f"SELECT r.id FROM contract r WHERE {VISIBLE} LIMIT 1",  # noqa: S608
        email=demo.login_of("contact of one client"),
    )
    hidden = await demo.gql(
        "query($id: ID!) { node(id: $id) { id } }", token=token, id=ids.encode("Contract", contract)
    )
    assert hidden.json() == {"data": {"node": None}}


async def test_a_site_contact_sees_its_site_contracts_but_not_client_wide_ones(
    demo: Demo,
) -> None:
    role = "contact limited to one site"
    email = demo.login_of(role)
    await demo.execute("UPDATE contact SET can_view_contracts = true WHERE email = :e", e=email)
    site, client = await demo.scalar(
        "SELECT array[s.id, s.client_id] FROM site s JOIN portal_grant g ON g.site_id = s.id "
        "JOIN contact k ON k.id = g.contact_id WHERE k.email = :e",
        e=email,
    )
    client_wide = await demo.scalar(
        "SELECT id FROM contract WHERE client_id = :c AND site_id IS NULL LIMIT 1", c=client
    )
    assert client_wide is not None
    await demo.execute(
        "INSERT INTO contract (id, created_at, organization_id, client_id, site_id, number, kind, "
        "description, starts_on, expires_on) SELECT gen_random_uuid(), now(), organization_id, "
        "client_id, id, 'SITE-ONLY-1', 'Pulizia', '', '2026-01-01', '2027-12-31' "
        "FROM site WHERE id = :s",
        s=site,
    )
    token = await demo.as_(role)
    page = (await demo.data(CONTRACTS, token, first=100))["contracts"]
    assert [e["node"]["number"] for e in page["edges"]] == ["SITE-ONLY-1"]
    assert page["totalCount"] == 1
    answer = await demo.gql(ONE, token=token, id=ids.encode("Contract", client_wide))
    assert answer.json() == {"data": {"contract": None, "node": None}}
    # The client-grant colleague of the same client would see both: the difference is the grant.
    granted_whole = await demo.scalar(
        "SELECT count(*) FROM contract WHERE client_id = :c", c=client
    )
    assert granted_whole == 2


async def test_ids_outside_the_scope_answer_like_missing_ones(demo: Demo) -> None:
    contact = await demo.as_("contact of one client")
    email = demo.login_of("contact of one client")
    neighbour = await demo.scalar(
        f"SELECT r.id FROM contract r WHERE NOT {VISIBLE} AND r.organization_id = :o "  # noqa: S608
        "LIMIT 1",
        email=email,
        o=await org_id(demo, "brillanti"),
    )
    foreign = await demo.scalar(
        "SELECT id FROM contract WHERE organization_id = :o LIMIT 1", o=await org_id(demo, "ignis")
    )
    ignis = await demo.as_("staff admin", "ignis")
    for token, row in ((contact, neighbour), (contact, foreign), (ignis, neighbour)):
        response = await demo.gql(ONE, token=token, id=ids.encode("Contract", row))
        assert response.json() == {"data": {"contract": None, "node": None}}
    own = await demo.scalar(
        f"SELECT r.number FROM contract r WHERE {VISIBLE} LIMIT 1",  # noqa: S608
        email=email,
    )
    own_id = await demo.scalar("SELECT id FROM contract WHERE number = :n", n=own)
    found = await demo.data(ONE, contact, id=ids.encode("Contract", own_id))
    assert found["contract"] == {"number": own}


async def test_site_and_client_list_their_contracts_in_constant_statements(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    query = """query($n: Int) { sites(first: $n) { edges { node { name
      contracts(first: 3) { totalCount edges { node { number } } }
      client { contracts(first: 3) { totalCount edges { node { number site { name } } } } }
    } } } }"""
    counts, data = await demo.statements_per_page(query, "sites", token, (5, 40))
    assert counts[0] == counts[1]
    # authenticate + bind, sites, their contracts and counts, clients, theirs and counts, sites
    assert counts[0] <= 2 + 7
    site_contracts = sum(e["node"]["contracts"]["totalCount"] for e in data["sites"]["edges"])
    expected = await demo.scalar(
        "SELECT count(*) FROM contract r JOIN (SELECT id FROM site WHERE organization_id = :o "
        "ORDER BY name, id LIMIT 40) s ON s.id = r.site_id",
        o=await org_id(demo, "brillanti"),
    )
    assert site_contracts == expected


async def test_each_request_lists_with_its_own_filter_values(demo: Demo) -> None:
    """The list's statement is built once per filter shape (db/scoped/filter_shapes.py): clients and
    expiry dates asked in turn each get their own contracts and count."""
    token = await demo.as_("staff admin")
    clients = await demo.busiest("contract", "client_id", 3)
    dates = ["2026-12-31", "2028-01-01"]
    listed = 0
    for client, before in zip([0, 1, 0, 2, 1, 2], dates * 3, strict=True):
        expected = await demo.scalar(
            f"SELECT {ORDERED} FROM contract r "  # noqa: S608
            "WHERE r.client_id = :c AND r.expires_on < :b",
            c=clients[client],
            b=dt.date.fromisoformat(before),
        )
        filters = {"clientId": ids.encode("Client", clients[client]), "expiringBefore": before}
        assert await numbers(demo, token, **filters) == list(expected or [])
        counted = await demo.data(CONTRACTS, token, first=1, **filters)
        assert counted["contracts"]["totalCount"] == len(expected or [])
        listed += len(expected or [])
    assert listed > 0


LISTED = """{ contracts(first: 100) { edges { node {
  number site { id } client { id } documents(first: 20) { totalCount edges { node { id } } }
} } } }"""


async def test_each_listed_contract_gets_its_own_site_client_and_documents(demo: Demo) -> None:
    """A list's relations are loaded once for all its rows (schema/kit/batched.py): each row
    must still get its own, client-wide contracts no site."""
    token = await demo.as_("staff admin")
    edges = (await demo.data(LISTED, token))["contracts"]["edges"]
    expected = await demo.scalar(
        "SELECT json_object_agg(r.number, json_build_array(r.site_id, r.client_id, "
        "(SELECT coalesce(json_agg(d.id ORDER BY d.id), '[]') FROM document d "
        "WHERE d.contract_id = r.id))) FROM contract r WHERE r.organization_id = :o",
        o=await org_id(demo, "brillanti"),
    )
    got = {}
    for edge in edges:
        node = edge["node"]
        documents = node["documents"]
        assert documents["totalCount"] == len(documents["edges"])
        got[node["number"]] = [
            None if node["site"] is None else str(ids.decode("Site", node["site"]["id"])),
            str(ids.decode("Client", node["client"]["id"])),
            sorted(str(ids.decode("Document", e["node"]["id"])) for e in documents["edges"]),
        ]
    assert len(got) == len(expected) > 2
    assert got == {
        number: [site, client, sorted(documents)]
        for number, (site, client, documents) in expected.items()
    }
    assert any(site is None for site, _, _ in got.values())
    assert any(documents for _, _, documents in got.values())
