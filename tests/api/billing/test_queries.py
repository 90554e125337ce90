"""Quotes and invoices as each principal sees them: finished states only, no costs, flags."""

from __future__ import annotations

import datetime as dt
from typing import Any

from authz.principals import Audience
from schema.kit import ids
from schema.kit.views import field_names
from sportello.assembly import views
from tests.api import Demo
from tests.api.grants import VISIBLE, org_id
from tests.partners import partner_token

INVOICES = """query($first: Int, $after: String, $siteId: ID, $clientId: ID, $from: Date, $to: Date,
  $status: [InvoiceStatus!]) {
  invoices(first: $first, after: $after, siteId: $siteId, clientId: $clientId, from: $from,
    to: $to, status: $status) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { number status issuedOn netCents vatCents totalCents currency } }
  }
}"""
QUOTES = """query($first: Int, $after: String, $status: [QuoteStatus!]) {
  quotes(first: $first, after: $after, status: $status) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { number status totalCents } }
  }
}"""
ORDERED = "array_agg(r.number ORDER BY r.issued_on DESC, r.id DESC)"


async def every(demo: Demo, query: str, field: str, token: str, **filters: Any) -> list[str]:
    """Every number of a list, paging forwards 9 at a time."""
    return [node["number"] for node in await demo.every_node(query, field, token, 9, **filters)]


async def test_staff_see_every_state_with_costs_and_margins(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    org = await org_id(demo, "brillanti")
    invoices = await demo.scalar(
        f"SELECT {ORDERED} FROM invoice r WHERE r.organization_id = :o",  # noqa: S608
        o=org,
    )
    assert await every(demo, INVOICES, "invoices", token) == list(invoices)
    quotes = await demo.scalar(
        f"SELECT {ORDERED} FROM quote r WHERE r.organization_id = :o",  # noqa: S608
        o=org,
    )
    assert await every(demo, QUOTES, "quotes", token) == list(quotes)
    states = await demo.data(
        "{ invoices(status: [DRAFT, VOID], first: 100) { totalCount } "
        "quotes(status: [DRAFT], first: 100) { totalCount } }",
        token,
    )
    assert states["invoices"]["totalCount"] == await demo.scalar(
        "SELECT count(*) FROM invoice WHERE organization_id = :o AND status IN ('DRAFT', 'VOID')",
        o=org,
    )
    assert states["quotes"]["totalCount"] > 0
    money = await demo.data(
        "{ invoices(first: 100) { edges { node { netCents costCents marginCents } } } }", token
    )
    margins = [e["node"] for e in money["invoices"]["edges"]]
    assert all(m["marginCents"] == m["netCents"] - m["costCents"] for m in margins)
    assert sum(m["costCents"] for m in margins) == await demo.scalar(
        "SELECT sum(cost_cents) FROM (SELECT cost_cents FROM invoice WHERE organization_id = :o "
        "ORDER BY issued_on DESC, id DESC LIMIT 100) newest",
        o=org,
    )


async def test_costs_and_margins_are_in_no_portal_or_partner_schema(demo: Demo) -> None:
    for audience in (Audience.PORTAL, Audience.PARTNER):
        names = field_names(views()[audience])
        for type_name in ("Quote", "Invoice"):
            assert {"costCents", "marginCents"}.isdisjoint(names[type_name])
            assert {"netCents", "vatCents", "totalCents", "currency"} <= names[type_name]
    token = await demo.as_("contact of one client")
    asked = await demo.gql("{ quotes(first: 1) { edges { node { costCents } } } }", token=token)
    assert asked.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_contacts_see_sent_quotes_and_issued_invoices_of_their_grants(demo: Demo) -> None:
    for role in ("contact of one client", "contact of several clients"):
        email = demo.login_of(role)
        token = await demo.as_(role)
        invoices = await demo.scalar(
            f"SELECT {ORDERED} FROM invoice r WHERE {VISIBLE} "  # noqa: S608
            "AND r.status IN ('CLOSED', 'PAID')",
            email=email,
        )
        assert await every(demo, INVOICES, "invoices", token) == list(invoices), role
        quotes = await demo.scalar(
            f"SELECT {ORDERED} FROM quote r WHERE {VISIBLE} AND r.status <> 'DRAFT'",  # noqa: S608
            email=email,
        )
        assert await every(demo, QUOTES, "quotes", token) == list(quotes), role
        # Drafts exist for these clients: they are hidden, not missing.
        drafts = await demo.scalar(
            f"SELECT count(*) FROM invoice r WHERE {VISIBLE} AND r.status = 'DRAFT'",  # noqa: S608
            email=email,
        )
        assert drafts > 0
        asked = await demo.data(
            "{ invoices(status: [DRAFT, VOID]) { totalCount } quotes(status: [DRAFT]) "
            "{ totalCount } }",
            token,
        )
        assert asked == {"invoices": {"totalCount": 0}, "quotes": {"totalCount": 0}}


async def test_drafts_and_voided_invoices_answer_like_missing_records(demo: Demo) -> None:
    role = "contact of one client"
    email = demo.login_of(role)
    token = await demo.as_(role)
    voided = await demo.scalar(
        f"SELECT r.id FROM invoice r WHERE {VISIBLE} AND r.status = 'CLOSED' "  # noqa: S608
        "ORDER BY r.number LIMIT 1",
        email=email,
    )
    await demo.execute("UPDATE invoice SET status = 'VOID' WHERE id = :i", i=voided)
    draft_invoice = await demo.scalar(
        f"SELECT r.id FROM invoice r WHERE {VISIBLE} AND r.status = 'DRAFT' LIMIT 1",  # noqa: S608
        email=email,
    )
    draft_quote = await demo.scalar(
        f"SELECT r.id FROM quote r WHERE {VISIBLE} AND r.status = 'DRAFT' LIMIT 1",  # noqa: S608
        email=email,
    )
    query = """query($id: ID!) { invoice(id: $id) { number } quote(id: $id) { number }
      node(id: $id) { id } }"""
    for global_id in (
        ids.encode("Invoice", voided),
        ids.encode("Invoice", draft_invoice),
        ids.encode("Quote", draft_quote),
    ):
        answer = await demo.gql(query, token=token, id=global_id)
        assert answer.json() == {"data": {"invoice": None, "quote": None, "node": None}}
    numbers = await every(demo, INVOICES, "invoices", token)
    voided_number = await demo.scalar("SELECT number FROM invoice WHERE id = :i", i=voided)
    assert voided_number not in numbers
    staff = await demo.data(query, await demo.as_("staff admin"), id=ids.encode("Invoice", voided))
    assert staff["invoice"] == {"number": voided_number}


async def test_invoices_need_the_flag_quotes_do_not(demo: Demo) -> None:
    role = "contact limited to one site"
    email = demo.login_of(role)
    assert not await demo.scalar("SELECT can_view_invoices FROM contact WHERE email = :e", e=email)
    token = await demo.as_(role)
    refused = await demo.gql("{ invoices(first: 5) { totalCount } }", token=token)
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert refused.json()["data"] == {"invoices": None}
    by_id = await demo.gql("query($id: ID!) { invoice(id: $id) { number } }", token=token, id="x")
    assert by_id.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert by_id.json()["errors"][0]["path"] == ["invoice"]
    fields = await demo.data('{ __type(name: "Query") { fields { name } } }', token)
    names = {f["name"] for f in fields["__type"]["fields"]}
    assert {"invoices", "invoice"}.isdisjoint(names)
    assert {"quotes", "quote"} <= names
    # Quotes of its site only, none of the client-wide ones.
    quotes = await demo.scalar(
        f"SELECT {ORDERED} FROM quote r WHERE {VISIBLE} AND r.status <> 'DRAFT'",  # noqa: S608
        email=email,
    )
    assert await every(demo, QUOTES, "quotes", token) == list(quotes or [])
    site_wide = await demo.scalar(
        "SELECT count(*) FROM quote q JOIN site s ON s.client_id = q.client_id "
        "JOIN portal_grant g ON g.site_id = s.id JOIN contact k ON k.id = g.contact_id "
        "WHERE k.email = :e AND q.site_id IS NULL AND q.status <> 'DRAFT'",
        e=email,
    )
    assert site_wide > 0
    # With the flag, the same contact gets its site's issued invoices and no client-wide one.
    await demo.execute("UPDATE contact SET can_view_invoices = true WHERE email = :e", e=email)
    invoices = await demo.scalar(
        f"SELECT {ORDERED} FROM invoice r WHERE {VISIBLE} "  # noqa: S608
        "AND r.status IN ('CLOSED', 'PAID')",
        email=email,
    )
    assert await every(demo, INVOICES, "invoices", token) == list(invoices or [])


async def test_period_and_site_filters_match_plain_sql(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    org = await org_id(demo, "brillanti")
    period = {"from": "2026-06-01", "to": "2026-08-31"}
    expected = await demo.scalar(
        f"SELECT {ORDERED} FROM invoice r WHERE r.organization_id = :o "  # noqa: S608
        "AND r.issued_on BETWEEN '2026-06-01' AND '2026-08-31'",
        o=org,
    )
    assert await every(demo, INVOICES, "invoices", token, **period) == list(expected)
    (site,) = await demo.busiest("invoice", "site_id")
    at_site = await demo.scalar(
        f"SELECT {ORDERED} FROM invoice r WHERE r.site_id = :s",  # noqa: S608
        s=site,
    )
    assert await every(demo, INVOICES, "invoices", token, siteId=ids.encode("Site", site)) == list(
        at_site
    )
    inverted = await demo.gql(
        INVOICES, token=token, variables={"from": "2026-09-01", "to": "2026-08-01"}
    )
    assert inverted.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "to"}
    ignis = await demo.as_("staff admin", "ignis")
    brillanti_invoice = await demo.scalar(
        "SELECT id FROM invoice WHERE organization_id = :o LIMIT 1", o=org
    )
    foreign = await demo.gql(
        "query($id: ID!) { invoice(id: $id) { number } }",
        token=ignis,
        id=ids.encode("Invoice", brillanti_invoice),
    )
    assert foreign.json() == {"data": {"invoice": None}}
    all_ignis = await demo.data(INVOICES, ignis, first=1)
    assert all_ignis["invoices"]["totalCount"] == await demo.scalar(
        "SELECT count(*) FROM invoice WHERE organization_id = :o", o=await org_id(demo, "ignis")
    )


async def test_each_request_lists_with_its_own_filter_values(demo: Demo) -> None:
    """The list's statement is built once per filter shape (db/scoped/filter_shapes.py): sites and
    periods asked in turn each get their own invoices and count."""
    token = await demo.as_("staff admin")
    sites = await demo.busiest("invoice", "site_id", 3)
    periods = [("2025-12-01", "2026-05-31"), ("2026-06-01", "2026-11-23")]
    listed = 0
    for site, (since, until) in zip([0, 1, 0, 2, 1, 2], periods * 3, strict=True):
        expected = await demo.scalar(
            f"SELECT {ORDERED} FROM invoice r WHERE r.site_id = :s "  # noqa: S608
            "AND r.issued_on BETWEEN :f AND :t",
            s=sites[site],
            f=dt.date.fromisoformat(since),
            t=dt.date.fromisoformat(until),
        )
        filters = {"siteId": ids.encode("Site", sites[site]), "from": since, "to": until}
        assert await every(demo, INVOICES, "invoices", token, **filters) == list(expected or [])
        counted = await demo.data(INVOICES, token, first=1, **filters)
        assert counted["invoices"]["totalCount"] == len(expected or [])
        listed += len(expected or [])
    assert listed > 0


async def test_a_site_dashboard_of_bills_runs_constant_statements(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    query = """query($n: Int) { sites(first: $n) { edges { node { name
      invoices(first: 3) { totalCount edges { node { number client { name } } } }
      quotes(first: 3) { totalCount edges { node { number site { name } } } } } } } }"""
    counts, _ = await demo.statements_per_page(query, "sites", token, (5, 40))
    assert counts[0] == counts[1]
    # authenticate + bind, sites, their invoices and counts, clients, quotes and counts, sites
    assert counts[0] <= 2 + 7


async def test_partners_see_issued_bills_of_their_clients_without_costs(demo: Demo) -> None:
    (client,) = await demo.busiest("invoice", "client_id", status="DRAFT")
    token = await partner_token(demo, scopes=["lists:read"], clients=[client])
    invoices = await demo.scalar(
        f"SELECT {ORDERED} FROM invoice r WHERE r.client_id = :c "  # noqa: S608
        "AND r.status IN ('CLOSED', 'PAID')",
        c=client,
    )
    assert await every(demo, INVOICES, "invoices", token) == list(invoices)
    quotes = await demo.scalar(
        f"SELECT {ORDERED} FROM quote r WHERE r.client_id = :c AND r.status <> 'DRAFT'",  # noqa: S608
        c=client,
    )
    assert await every(demo, QUOTES, "quotes", token) == list(quotes or [])
    costs = await demo.gql("{ invoices { edges { node { costCents } } } }", token=token)
    assert costs.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
