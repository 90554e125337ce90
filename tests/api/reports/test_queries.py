"""Partner reports: every figure equals the same figure computed independently with plain SQL.

The expected figures use another formulation than db/queries/reports (``AT TIME ZONE`` and
``BETWEEN`` on local days, window functions, interval sums, percentiles computed in Python),
over the whole organization of the demo data, for staff and an unrestricted partner token.
"""

from __future__ import annotations

import datetime as dt
import decimal
import statistics
from typing import Any

import pytest
import sqlalchemy as sa

from schema.kit import ids
from tests.api import Demo, StatementCounter
from tests.partners import partner_token

# A year around the demo day (2026-11-23): the whole history and the planned future.
SINCE, UNTIL = "2026-05-01", "2027-04-30"
PERIOD = {"from": SINCE, "to": UNTIL}
SQL_PERIOD = {"since": dt.date.fromisoformat(SINCE), "until": dt.date.fromisoformat(UNTIL)}


async def sql_rows(demo: Demo, sql: str, **params: Any) -> list[dict[str, Any]]:
    """The rows of ``sql`` as dicts of plain values: days as ISO text, numbers as floats."""
    async with demo.engine.connect() as connection:
        result = await connection.execute(sa.text(sql), params)
        return [{key: plain(value) for key, value in row.items()} for row in result.mappings()]


def plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


async def report_rows(
    demo: Demo, token: str, field: str, totals: str, row: str, arguments: str = ""
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(totals, every row) of a report over PERIOD, paging through its rows 100 at a time."""
    query = f"""query($from: Date!, $to: Date!, $after: String) {{
      report: {field}(from: $from, to: $to{arguments}) {{
        totals {{ {totals} }}
        rows(first: 100, after: $after) {{
          totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {row} }} }}
        }}
      }}
    }}"""
    rows: list[dict[str, Any]] = []
    after = None
    while True:
        report = (await demo.data(query, token, **PERIOD, after=after))["report"]
        rows.extend(edge["node"] for edge in report["rows"]["edges"])
        if not report["rows"]["pageInfo"]["hasNextPage"]:
            assert report["rows"]["totalCount"] == len(rows)
            return report["totals"], rows
        after = report["rows"]["pageInfo"]["endCursor"]


@pytest.fixture(params=["staff", "partner"])
async def reader(request: pytest.FixtureRequest, demo: Demo) -> str:
    """Staff, and a partner token of the whole organization: the same figures."""
    if request.param == "staff":
        return await demo.as_("staff admin")
    return await partner_token(demo)


STATUSES = ("requested", "planned", "in_progress", "done", "cancelled")
STATUS_FIELDS = "total requested planned inProgress done cancelled"


async def test_interventions_per_week_and_site(demo: Demo, reader: str) -> None:
    expected = await sql_rows(
        demo,
        "SELECT date_trunc('week', i.starts_at AT TIME ZONE o.timezone)::date AS p, "
        "i.site_id AS g, s.name, count(*) AS total, "
        "count(*) FILTER (WHERE i.status = 'REQUESTED') AS requested, "
        "count(*) FILTER (WHERE i.status = 'PLANNED') AS planned, "
        "count(*) FILTER (WHERE i.status = 'IN_PROGRESS') AS in_progress, "
        "count(*) FILTER (WHERE i.status = 'DONE') AS done, "
        "count(*) FILTER (WHERE i.status = 'CANCELLED') AS cancelled FROM intervention i "
        "JOIN organization o ON o.id = i.organization_id AND o.slug = 'brillanti' "
        "JOIN site s ON s.id = i.site_id "
        "WHERE (i.starts_at AT TIME ZONE o.timezone)::date BETWEEN :since AND :until "
        "GROUP BY 1, 2, 3",
        **SQL_PERIOD,
    )
    totals, rows = await report_rows(
        demo,
        reader,
        "interventionReport",
        STATUS_FIELDS,
        f"periodStart groupId groupName {STATUS_FIELDS}",
        ", period: WEEK, groupBy: SITE",
    )
    as_api = {
        (e["p"], str(ids.encode("Site", e["g"])), e["name"], e["total"], *(e[s] for s in STATUSES))
        for e in expected
    }
    assert {tuple(r.values()) for r in rows} == as_api
    assert len(rows) == len(expected) > 50
    # Weeks start on Monday, in order.
    assert all(dt.date.fromisoformat(r["periodStart"]).weekday() == 0 for r in rows)
    assert [r["periodStart"] for r in rows] == sorted(r["periodStart"] for r in rows)
    assert totals["total"] == sum(e["total"] for e in expected)
    assert totals["cancelled"] == sum(e["cancelled"] for e in expected) > 0


async def test_interventions_per_month_and_activity_type(demo: Demo, reader: str) -> None:
    expected = await sql_rows(
        demo,
        "SELECT to_char(i.starts_at AT TIME ZONE o.timezone, 'YYYY-MM') AS month, a.name, "
        "count(*) AS total FROM intervention i "
        "JOIN organization o ON o.id = i.organization_id AND o.slug = 'brillanti' "
        "JOIN activity_type a ON a.id = i.activity_type_id "
        "WHERE (i.starts_at AT TIME ZONE o.timezone)::date BETWEEN :since AND :until "
        "GROUP BY 1, 2",
        **SQL_PERIOD,
    )
    _, rows = await report_rows(
        demo,
        reader,
        "interventionReport",
        "total",
        "periodStart groupName total",
        ", groupBy: ACTIVITY_TYPE",
    )
    got = {(r["periodStart"][:7], r["groupName"], r["total"]) for r in rows}
    assert got == {(e["month"], e["name"], e["total"]) for e in expected}
    assert all(r["periodStart"].endswith("-01") for r in rows)


async def test_hours_per_site_and_month_leave_open_clock_ins_out(demo: Demo, reader: str) -> None:
    expected = await sql_rows(
        demo,
        "SELECT date_trunc('month', t.clock_in AT TIME ZONE o.timezone)::date AS p, t.site_id, "
        "extract(epoch FROM sum(t.clock_out - t.clock_in)) / 3600.0 AS hours, count(*) AS n "
        "FROM timesheet_entry t "
        "JOIN organization o ON o.id = t.organization_id AND o.slug = 'brillanti' "
        "WHERE t.clock_out IS NOT NULL "
        "AND (t.clock_in AT TIME ZONE o.timezone)::date BETWEEN :since AND :until "
        "GROUP BY 1, 2",
        **SQL_PERIOD,
    )
    open_entries = await demo.scalar(
        "SELECT count(*) FROM timesheet_entry t "
        "JOIN organization o ON o.id = t.organization_id AND o.slug = 'brillanti' "
        "WHERE t.clock_out IS NULL"
    )
    totals, rows = await report_rows(
        demo, reader, "hoursReport", "hours entries", "periodStart siteId hours entries"
    )
    by_key = {(e["p"], str(ids.encode("Site", e["site_id"]))): e for e in expected}
    assert len(rows) == len(by_key) > 20
    for row in rows:
        figures = by_key[(row["periodStart"], row["siteId"])]
        assert row["hours"] == pytest.approx(figures["hours"], abs=0.0051)
        assert row["entries"] == figures["n"]
    assert totals["entries"] == sum(e["n"] for e in expected)
    assert totals["hours"] == pytest.approx(sum(e["hours"] for e in expected), abs=0.01)
    assert open_entries > 0  # the demo has open clock-ins, and none of them counted


def percentile(values: list[float], fraction: float) -> float | None:
    """percentile_cont computed in Python: linear interpolation between closest ranks."""
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    cut = statistics.quantiles(values, n=100, method="inclusive")
    return round(cut[round(fraction * 100) - 1], 1)


async def test_tickets_per_urgency_with_response_and_resolution_times(
    demo: Demo, reader: str
) -> None:
    expected = await sql_rows(
        demo,
        "SELECT t.urgency, count(*) AS opened, "
        "count(*) FILTER (WHERE t.status IN ('RESOLVED', 'CLOSED')) AS resolved, "
        "coalesce(array_agg(extract(epoch FROM t.first_response_at - t.opened_at) / 60) "
        "FILTER (WHERE t.first_response_at IS NOT NULL), '{}') AS response, "
        "coalesce(array_agg(extract(epoch FROM coalesce(t.resolved_at, t.closed_at) "
        "- t.opened_at) / 60) FILTER (WHERE t.status IN ('RESOLVED', 'CLOSED')), '{}') "
        "AS resolution FROM ticket t "
        "JOIN organization o ON o.id = t.organization_id AND o.slug = 'brillanti' "
        "WHERE (t.opened_at AT TIME ZONE o.timezone)::date BETWEEN :since AND :until "
        "GROUP BY 1",
        **SQL_PERIOD,
    )
    figures = """opened resolved stillOpen medianFirstResponseMinutes p90FirstResponseMinutes
      medianResolutionMinutes p90ResolutionMinutes"""
    report = (
        await demo.data(
            f"""query($from: Date!, $to: Date!) {{ ticketReport(from: $from, to: $to) {{
              totals {{ {figures} }} byUrgency {{ urgency {figures} }} }} }}""",
            reader,
            **PERIOD,
        )
    )["ticketReport"]
    assert [r["urgency"] for r in report["byUrgency"]] == ["CRITICAL", "HIGH", "NORMAL", "LOW"]
    by_urgency = {e["urgency"]: e for e in expected}
    for row in report["byUrgency"]:
        e = by_urgency[row["urgency"]]
        assert (row["opened"], row["resolved"]) == (e["opened"], e["resolved"])
        assert row["stillOpen"] == e["opened"] - e["resolved"]
        assert row["medianFirstResponseMinutes"] == percentile(e["response"], 0.5)
        assert row["p90FirstResponseMinutes"] == percentile(e["response"], 0.9)
        assert row["medianResolutionMinutes"] == percentile(e["resolution"], 0.5)
        assert row["p90ResolutionMinutes"] == percentile(e["resolution"], 0.9)
    every = [m for e in expected for m in e["response"]]
    assert report["totals"]["opened"] == sum(e["opened"] for e in expected) > 20
    assert report["totals"]["medianFirstResponseMinutes"] == percentile(every, 0.5)


async def test_revision_compliance_per_site_and_month(demo: Demo, reader: str) -> None:
    expected = await sql_rows(
        demo,
        "SELECT date_trunc('month', r.performed_at AT TIME ZONE o.timezone)::date AS p, "
        "r.site_id, count(*) AS performed, count(*) FILTER (WHERE r.result = 'PASS') AS passed, "
        "count(*) FILTER (WHERE r.result = 'PASS_WITH_REMARKS') AS remarks, "
        "count(*) FILTER (WHERE r.result = 'FAIL') AS failed, "
        "(SELECT count(DISTINCT i.equipment_id) FROM revision_item i JOIN revision r2 "
        "ON r2.id = i.revision_id WHERE i.outcome = 'NON_COMPLIANT' "
        "AND r2.id = ANY(array_agg(r.id))) AS bad FROM revision r "
        "JOIN organization o ON o.id = r.organization_id AND o.slug = 'brillanti' "
        "WHERE r.performed_at IS NOT NULL "
        "AND (r.performed_at AT TIME ZONE o.timezone)::date BETWEEN :since AND :until "
        "GROUP BY 1, 2",
        **SQL_PERIOD,
    )
    figures = "performed passed passedWithRemarks failed passRate nonCompliantEquipment"
    totals, rows = await report_rows(
        demo, reader, "revisionComplianceReport", figures, f"periodStart siteId {figures}"
    )
    by_key = {(e["p"], str(ids.encode("Site", e["site_id"]))): e for e in expected}
    assert len(rows) == len(by_key) > 20
    for row in rows:
        e = by_key[(row["periodStart"], row["siteId"])]
        assert (row["performed"], row["passed"], row["passedWithRemarks"], row["failed"]) == (
            e["performed"],
            e["passed"],
            e["remarks"],
            e["failed"],
        )
        assert row["passRate"] == pytest.approx((e["passed"] + e["remarks"]) / e["performed"])
        assert row["nonCompliantEquipment"] == e["bad"]
    assert totals["performed"] == sum(e["performed"] for e in expected)
    assert totals["failed"] == sum(e["failed"] for e in expected) > 0
    assert sum(r["nonCompliantEquipment"] for r in rows) >= totals["nonCompliantEquipment"] > 0


async def test_equipment_by_the_outcome_of_its_last_revision(demo: Demo, reader: str) -> None:
    expected = await sql_rows(
        demo,
        "SELECT e.site_id, count(*) AS total, "
        "count(*) FILTER (WHERE last.outcome = 'COMPLIANT') AS compliant, "
        "count(*) FILTER (WHERE last.outcome = 'NON_COMPLIANT') AS non_compliant, "
        "count(*) FILTER (WHERE last.outcome = 'NOT_CHECKED') AS not_checked, "
        "count(*) FILTER (WHERE last.outcome IS NULL) AS not_revised "
        "FROM equipment e "
        "JOIN organization o ON o.id = e.organization_id AND o.slug = 'brillanti' LEFT JOIN ("
        "  SELECT i.equipment_id, i.outcome, row_number() OVER (PARTITION BY i.equipment_id "
        "  ORDER BY r.performed_at DESC, r.id DESC) AS n FROM revision_item i "
        "  JOIN revision r ON r.id = i.revision_id JOIN organization o ON o.id = r.organization_id"
        "  WHERE (r.performed_at AT TIME ZONE o.timezone)::date BETWEEN :since AND :until"
        ") last ON last.equipment_id = e.id AND last.n = 1 "
        "WHERE e.installed_on IS NULL OR e.installed_on <= :until GROUP BY 1",
        **SQL_PERIOD,
    )
    figures = "total compliant nonCompliant notChecked notRevised"
    totals, rows = await report_rows(
        demo, reader, "equipmentStatusReport", figures, f"siteId {figures}"
    )
    fields = ("total", "compliant", "non_compliant", "not_checked", "not_revised")
    as_api = {(str(ids.encode("Site", e["site_id"])), *(e[f] for f in fields)) for e in expected}
    assert {tuple(r.values()) for r in rows} == as_api
    assert totals["total"] == sum(e["total"] for e in expected)
    assert totals["nonCompliant"] == sum(e["non_compliant"] for e in expected) > 0


async def test_rows_and_totals_take_the_same_statements_for_any_page_size(demo: Demo) -> None:
    token = await partner_token(demo)
    query = """query($from: Date!, $to: Date!, $first: Int) {
      hoursReport(from: $from, to: $to, period: WEEK) {
        totals { hours } rows(first: $first) { totalCount edges { node { siteName hours } } }
      }
    }"""
    await demo.data(query, token, **PERIOD, first=1)  # the token's first use is recorded once
    sizes = []
    with StatementCounter(demo.app_engine) as counter:
        for first in (5, 800):
            counter.reset()
            rows = (await demo.data(query, token, **PERIOD, first=first))["hoursReport"]["rows"]
            assert len(rows["edges"]) == min(first, rows["totalCount"])
            sizes.append(len(counter.statements))
    assert sizes[0] == sizes[1]
