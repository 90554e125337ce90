"""Partner reports: one statement reads a report's data, whatever the document selects of it
(totals, totalCount, a page of rows), and the same one when the period holds more rows; pages
cut from it, forwards and backwards, are those of the rows in order."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api import Demo, StatementCounter
from tests.partners import partner_token

YEAR = {"from": "2026-05-01", "to": "2027-04-30"}
MONTH = {"from": "2026-10-01", "to": "2026-10-31"}
ROWS = "rows(first: $first) { totalCount edges { node { %s } } }"
# Each report with its totals and the fields of its rows (byUrgency: every urgency, no paging).
REPORTS = {
    "interventionReport(from: $from, to: $to, period: DAY, groupBy: SITE)": (
        "totals { total done }",
        ROWS % "periodStart groupId groupName total done",
    ),
    "hoursReport(from: $from, to: $to, period: WEEK)": (
        "totals { hours entries }",
        ROWS % "periodStart siteName hours entries",
    ),
    "revisionComplianceReport(from: $from, to: $to)": (
        "totals { performed passRate nonCompliantEquipment }",
        ROWS % "periodStart siteName performed passRate",
    ),
    "equipmentStatusReport(from: $from, to: $to)": (
        "totals { total notRevised }",
        ROWS % "siteName total notRevised",
    ),
    "ticketReport(from: $from, to: $to)": (
        "totals { opened medianResolutionMinutes }",
        "byUrgency { urgency opened }",
    ),
}


async def statements(demo: Demo, token: str, selection: str, **variables: Any) -> int:
    """The statements of one request of ``selection`` (with $from, $to and $first)."""
    if "$first" not in selection:
        variables.pop("first")
    declared = ", $first: Int" if "first" in variables else ""
    query = f"query($from: Date!, $to: Date!{declared}) {{ {selection} }}"
    with StatementCounter(demo.app_engine) as counter:
        await demo.data(query, token, **variables)
        return len(counter.statements)


@pytest.mark.parametrize("field", REPORTS)
async def test_one_statement_reads_a_report_whatever_is_selected(demo: Demo, field: str) -> None:
    token = await partner_token(demo)
    totals, rows = REPORTS[field]
    await demo.data("{ __typename }", token)  # the token's first use is recorded once
    none = await statements(demo, token, f"{field} {{ __typename }}", **YEAR, first=5)
    for selection in (totals, rows, f"{totals} {rows}", f"{rows} {totals}"):
        for period in (MONTH, YEAR):
            for first in (5, 1000):
                seen = await statements(
                    demo, token, f"{field} {{ {selection} }}", **period, first=first
                )
                assert seen == none + 1, (selection, period, first)


async def test_the_year_has_more_rows_than_the_month_and_the_same_statements(demo: Demo) -> None:
    token = await partner_token(demo)
    field = next(iter(REPORTS))
    selection = " ".join(REPORTS[field])
    query = f"query($from: Date!, $to: Date!, $first: Int) {{ report: {field} {{ {selection} }} }}"
    month = (await demo.data(query, token, **MONTH, first=1000))["report"]
    year = (await demo.data(query, token, **YEAR, first=1000))["report"]
    assert year["rows"]["totalCount"] > 2 * month["rows"]["totalCount"] > 0
    assert year["totals"]["total"] > 2 * month["totals"]["total"]


async def test_pages_backwards_are_the_pages_forwards(demo: Demo) -> None:
    token = await partner_token(demo)
    node = "periodStart groupName total"
    query = f"""query($from: Date!, $to: Date!, $first: Int, $after: String, $last: Int,
      $before: String) {{
      report: interventionReport(from: $from, to: $to, groupBy: CLIENT) {{
        totals {{ total }}
        rows(first: $first, after: $after, last: $last, before: $before) {{
          totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
          edges {{ cursor node {{ {node} }} }}
        }}
      }}
    }}"""
    every = (await demo.data(query, token, **YEAR, first=1000))["report"]
    edges = every["rows"]["edges"]
    count = every["rows"]["totalCount"]
    assert count == len(edges) > 40
    assert every["totals"]["total"] == sum(edge["node"]["total"] for edge in edges)
    middle = edges[20]["cursor"]
    after = (await demo.data(query, token, **YEAR, first=10, after=middle))["report"]["rows"]
    assert after["edges"] == edges[21:31]
    assert (after["totalCount"], after["pageInfo"]["hasPreviousPage"]) == (count, True)
    assert after["pageInfo"]["hasNextPage"]
    before = (await demo.data(query, token, **YEAR, last=10, before=middle))["report"]["rows"]
    assert before["edges"] == edges[10:20]
    assert before["pageInfo"]["hasNextPage"]
    assert before["pageInfo"]["hasPreviousPage"]
    last = edges[-1]["cursor"]
    past = (await demo.data(query, token, **YEAR, first=10, after=last))["report"]
    assert past["rows"]["edges"] == []
    assert (past["rows"]["totalCount"], past["totals"]) == (count, every["totals"])
    assert not past["rows"]["pageInfo"]["hasNextPage"]


async def test_an_empty_period_has_zero_totals_and_no_rows(demo: Demo) -> None:
    token = await partner_token(demo)
    period = {"from": "2001-01-01", "to": "2001-12-31"}
    query = """query($from: Date!, $to: Date!) {
      interventionReport(from: $from, to: $to) {
        totals { total done } rows { totalCount edges { node { total } } }
      }
      hoursReport(from: $from, to: $to) { totals { hours entries } rows { totalCount } }
    }"""
    data = await demo.data(query, token, **period)
    assert data["interventionReport"] == {
        "totals": {"total": 0, "done": 0},
        "rows": {"totalCount": 0, "edges": []},
    }
    assert data["hoursReport"] == {
        "totals": {"hours": 0.0, "entries": 0},
        "rows": {"totalCount": 0},
    }
