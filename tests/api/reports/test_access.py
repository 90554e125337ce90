"""Who reads partner reports, and what a token restricted to some clients never sees.

A token restricted to two clients gets their figures only, in rows, totals and CSV exports;
a third client's id, another organization's and a malformed one all answer NOT_FOUND.
Reports need the ``reports:read`` scope: without it they are FORBIDDEN and absent from the
token's introspection. Bad periods and groupings are refused before any figure is computed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from schema.kit import ids
from tests.api import Demo, StatementCounter
from tests.partners import partner_token

PERIOD = {"from": "2026-05-01", "to": "2027-04-30"}
ROWS = "rows(first: 1000) { totalCount edges { node { clientId clientName siteId siteName } } }"
ALL_REPORTS = f"""query($from: Date!, $to: Date!) {{
  bySite: interventionReport(from: $from, to: $to, groupBy: SITE) {{
    totals {{ total }} rows(first: 1000) {{ edges {{ node {{ groupId groupName total }} }} }}
  }}
  byClient: interventionReport(from: $from, to: $to, groupBy: CLIENT, period: DAY) {{
    rows(first: 1000) {{ edges {{ node {{ groupId groupName }} }} }}
  }}
  hoursReport(from: $from, to: $to) {{ totals {{ entries }} {ROWS} }}
  ticketReport(from: $from, to: $to) {{ totals {{ opened }} byUrgency {{ opened }} }}
  revisionComplianceReport(from: $from, to: $to) {{ totals {{ performed }} {ROWS} }}
  equipmentStatusReport(from: $from, to: $to) {{ totals {{ total }} {ROWS} }}
}}"""
PERIODIC = ("interventionReport", "hoursReport", "revisionComplianceReport")
EXPORTS = (
    "interventionReport",
    "hoursReport",
    "ticketReport",
    "revisionComplianceReport",
    "equipmentStatusReport",
)


async def the_busiest_clients(demo: Demo, org: str = "brillanti") -> list[uuid.UUID]:
    """Three clients with interventions, tickets, clock-ins and revisions in the period."""
    found = await demo.scalar(
        "SELECT array_agg(id) FROM (SELECT c.id FROM client c "
        "JOIN organization o ON o.id = c.organization_id AND o.slug = :org "
        "WHERE EXISTS (SELECT FROM ticket t WHERE t.client_id = c.id) "
        "AND EXISTS (SELECT FROM revision r WHERE r.client_id = c.id AND r.performed_at "
        "IS NOT NULL) ORDER BY (SELECT count(*) FROM intervention i WHERE i.client_id = c.id) "
        "DESC, c.id LIMIT 3) x",
        org=org,
    )
    return list(found)


# What each report's totals must be for some clients, counted straight from the tables.
TOTALS_OF_CLIENTS = """
SELECT
  (SELECT count(*) FROM intervention x JOIN organization o ON o.id = x.organization_id
   WHERE x.client_id = ANY(:clients)
   AND (x.starts_at AT TIME ZONE o.timezone)::date BETWEEN :since AND :until) AS interventions,
  (SELECT count(*) FROM timesheet_entry x JOIN organization o ON o.id = x.organization_id
   WHERE x.client_id = ANY(:clients) AND x.clock_out IS NOT NULL
   AND (x.clock_in AT TIME ZONE o.timezone)::date BETWEEN :since AND :until) AS entries,
  (SELECT count(*) FROM ticket x JOIN organization o ON o.id = x.organization_id
   WHERE x.client_id = ANY(:clients)
   AND (x.opened_at AT TIME ZONE o.timezone)::date BETWEEN :since AND :until) AS tickets,
  (SELECT count(*) FROM revision x JOIN organization o ON o.id = x.organization_id
   WHERE x.client_id = ANY(:clients)
   AND (x.performed_at AT TIME ZONE o.timezone)::date BETWEEN :since AND :until) AS revisions,
  (SELECT count(*) FROM equipment x WHERE x.client_id = ANY(:clients)
   AND (x.installed_on IS NULL OR x.installed_on <= :until)) AS equipment
"""


async def totals_of(demo: Demo, clients: list[uuid.UUID]) -> dict[str, int]:
    async with demo.engine.connect() as connection:
        row = await connection.execute(
            sa.text(TOTALS_OF_CLIENTS),
            {"clients": clients, "since": dt.date(2026, 5, 1), "until": dt.date(2027, 4, 30)},
        )
        return dict(row.mappings().one())


async def test_a_token_of_two_clients_never_sees_the_third(demo: Demo) -> None:
    first, second, third = await the_busiest_clients(demo)
    token = await partner_token(demo, clients=[first, second])
    data = await demo.data(ALL_REPORTS, token, **PERIOD)

    mine = [first, second]
    sites = set(
        await demo.scalar("SELECT array_agg(id) FROM site WHERE client_id = ANY(:c)", c=mine)
    )
    allowed = {ids.encode("Client", c) for c in mine} | {ids.encode("Site", s) for s in sites}
    seen: set[str] = set()
    for report in data.values():
        for edge in report.get("rows", {}).get("edges", []):
            node = edge["node"]
            seen |= {node[k] for k in ("groupId", "clientId", "siteId") if k in node}
    assert seen
    assert seen <= allowed
    third_name = await demo.scalar("SELECT name FROM client WHERE id = :c", c=third)
    assert third_name not in str(data)

    # Totals are those of the two clients, to the unit.
    expected = await totals_of(demo, mine)
    assert data["bySite"]["totals"]["total"] == expected["interventions"]
    assert data["hoursReport"]["totals"]["entries"] == expected["entries"]
    opened = data["ticketReport"]["totals"]["opened"]
    assert opened == expected["tickets"] > 0
    assert opened == sum(row["opened"] for row in data["ticketReport"]["byUrgency"])
    assert data["revisionComplianceReport"]["totals"]["performed"] == expected["revisions"] > 0
    assert data["equipmentStatusReport"]["totals"]["total"] == expected["equipment"] > 0

    # The third client and its sites are not found, in the API and in exports.
    third_site = await demo.scalar("SELECT min(id::text) FROM site WHERE client_id = :c", c=third)
    for argument, value in (
        ("clientId", ids.encode("Client", third)),
        ("siteId", ids.encode("Site", uuid.UUID(third_site))),
    ):
        body = await ask_report(demo, token, f', {argument}: "{value}"')
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert body["data"] is None
        status, text = await export(demo, token, "hoursReport", {argument: value})
        assert status == 404
        assert third_name not in text


async def test_exports_of_a_restricted_token_hold_its_clients_only(demo: Demo) -> None:
    first, second, third = await the_busiest_clients(demo)
    token = await partner_token(demo, clients=[first, second])
    staff = await demo.as_("staff admin")
    third_name = await demo.scalar("SELECT name FROM client WHERE id = :c", c=third)
    mine = set(
        await demo.scalar(
            "SELECT array_agg(name) FROM client WHERE id IN (:a, :b)", a=first, b=second
        )
    )
    for name in EXPORTS:
        params = {"period": "WEEK"} if name in PERIODIC else {}
        status, text = await export(demo, token, name, params)
        assert status == 200, text
        table = list(csv.reader(io.StringIO(text)))
        assert len(table) > 1, name
        assert third_name not in text
        if "client_name" in table[0]:
            column = table[0].index("client_name")
            assert {row[column] for row in table[1:]} <= mine
        # The same export by staff covers the whole organization: more figures.
        _, everything = await export(demo, staff, name, params)
        assert everything != text
        if name != "ticketReport":
            assert third_name in everything


async def ask_report(demo: Demo, token: str, arguments: str, field: str = "hoursReport") -> Any:
    response = await demo.gql(
        f"""query($from: Date!, $to: Date!) {{ {field}(from: $from, to: $to{arguments}) {{
          totals {{ __typename }} }} }}""",
        token=token,
        variables=PERIOD,
    )
    return response.json()


async def export(
    demo: Demo, token: str, name: str, params: dict[str, str], period: dict[str, str] = PERIOD
) -> tuple[int, str]:
    demo.client.cookies.clear()
    response = await demo.client.get(
        f"/export/{name}.csv",
        params=period | params,
        headers={"authorization": f"Bearer {token}"},
    )
    return response.status_code, response.text


async def test_another_organizations_or_a_malformed_client_is_not_found(demo: Demo) -> None:
    token = await partner_token(demo)
    foreign = await demo.scalar(
        "SELECT c.id FROM client c JOIN organization o ON o.id = c.organization_id "
        "WHERE o.slug = 'ignis' LIMIT 1"
    )
    for value in (ids.encode("Client", foreign), ids.encode("Client", uuid.uuid4()), "junk"):
        for field in ("interventionReport", "ticketReport", "equipmentStatusReport"):
            body = await ask_report(demo, token, f', clientId: "{value}"', field)
            assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND", body
        status, _ = await export(demo, token, "ticketReport", {"clientId": value})
        assert status == 404


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"from": "2026-05-02", "to": "2026-05-01"}, "before"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "366 days"),
    ],
)
async def test_inverted_or_unbounded_periods_are_bad_input(
    demo: Demo, period: dict[str, str], message: str
) -> None:
    token = await partner_token(demo)
    for field in EXPORTS:
        response = await demo.gql(
            f"query($from: Date!, $to: Date!) {{ {field}(from: $from, to: $to) {{ __typename }} }}",
            token=token,
            variables=period,
        )
        error = response.json()["errors"][0]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "to"}
        assert message in error["message"]
        status, text = await export(demo, token, field, {}, period)
        assert status == 400
        assert '"field":"to"' in text.replace(" ", "")
    # A leap year's 366 days are fine.
    fine = await demo.gql(
        '{ ticketReport(from: "2027-03-01", to: "2028-02-29") { totals { opened } } }',
        token=token,
    )
    assert "errors" not in fine.json()


async def test_a_missing_bound_or_an_unknown_grouping_fails_validation(demo: Demo) -> None:
    token = await partner_token(demo)
    for query in (
        '{ hoursReport(from: "2026-05-01") { totals { hours } } }',
        '{ interventionReport(from: "2026-05-01", to: "2026-06-01", groupBy: COLOUR) '
        "{ totals { total } } }",
        '{ interventionReport(from: "2026-05-01", to: "2026-06-01", period: YEAR) '
        "{ totals { total } } }",
    ):
        response = await demo.gql(query, token=token)
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    for params in ({"groupBy": "COLOUR"}, {"period": "YEAR"}, {"from": "yesterday"}):
        status, text = await export(demo, token, "interventionReport", params)
        assert status == 400
        assert next(iter(params)) in text
    status, text = await export(demo, token, "hoursReport", {}, {"from": "2026-05-01"})
    assert (status, "to" in text) == (400, True)


async def test_reports_need_the_reports_scope_and_are_hidden_without_it(demo: Demo) -> None:
    lists_only = await partner_token(demo, scopes=["lists:read"])
    body = await ask_report(demo, lists_only, "")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    status, _ = await export(demo, lists_only, "hoursReport", {})
    assert status == 403
    introspection = """{ __schema { queryType { fields { name } } }
      report: __type(name: "HoursReport") { name } }"""
    hidden = await demo.data(introspection, lists_only)
    names = {f["name"] for f in hidden["__schema"]["queryType"]["fields"]}
    assert "clients" in names
    assert not names & set(EXPORTS)
    assert hidden["report"] is None
    shown = await demo.data(introspection, await partner_token(demo))
    assert set(EXPORTS) <= {f["name"] for f in shown["__schema"]["queryType"]["fields"]}
    assert shown["report"] == {"name": "HoursReport"}


async def test_contacts_have_no_reports(demo: Demo) -> None:
    token = await demo.as_("contact of several clients")
    body = await ask_report(demo, token, "")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    status, _ = await export(demo, token, "hoursReport", {})
    assert status == 403


async def test_a_restricted_token_authenticates_in_one_statement(demo: Demo) -> None:
    """The token, its clients and their sites are read, and the transaction bound, by one
    statement (as a session's lookup): the request's sites are exactly its clients' sites."""
    first, second, _ = await the_busiest_clients(demo)
    token = await partner_token(demo, scopes=["lists:read"], clients=[first, second])
    sites = "query { sites(first: 100) { edges { node { id } } } }"
    await demo.data(sites, token)  # the first use is recorded on the token (an UPDATE)
    used = "SELECT last_used_at IS NOT NULL FROM partner_token WHERE last_four = :four"
    assert await demo.scalar(used, four=token[-4:])
    with StatementCounter(demo.app_engine) as counter:
        data = await demo.data(sites, token)
    expected = await demo.scalar(
        "SELECT array_agg(id) FROM site WHERE client_id = ANY(:c)", c=[first, second]
    )
    assert {e["node"]["id"] for e in data["sites"]["edges"]} == {
        ids.encode("Site", site) for site in expected
    }
    # The token's lookup; its budget's binding and count (a transaction of their own); the list.
    assert len(counter.statements) == 4, counter.statements
    assert "partner_token_client" in counter.statements[0]
