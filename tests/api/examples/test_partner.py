"""graphql_examples/partner/: each report query answers on the demo data with plausible figures.

Run with a partner token of the whole organization (scope ``reports:read``) over the demo's
history; the figures must hold together (rows add up to the totals, rates between 0 and 1,
medians below 90th percentiles), which a wrong join or filter would break.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.api import Demo
from tests.partners import partner_token

EXAMPLES = Path(__file__).resolve().parents[3] / "graphql_examples" / "partner"
PERIOD = {"from": "2025-12-01", "to": "2026-11-30"}


def nodes(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = report["rows"]
    assert not rows["pageInfo"]["hasNextPage"]
    assert rows["totalCount"] == len(rows["edges"]) > 0
    return [edge["node"] for edge in rows["edges"]]


def interventions(data: dict[str, Any]) -> None:
    report = data["interventionReport"]
    statuses = ("requested", "planned", "inProgress", "done", "cancelled")
    rows = nodes(report)
    for row in rows:
        assert row["total"] == sum(row[s] for s in statuses) > 0
        assert row["periodStart"].endswith("-01")
    for figure in ("total", *statuses):
        assert report["totals"][figure] == sum(row[figure] for row in rows)
    assert report["totals"]["done"] > report["totals"]["cancelled"] > 0


def hours(data: dict[str, Any]) -> None:
    report = data["hoursReport"]
    rows = nodes(report)
    for row in rows:
        assert 0 < row["hours"] < 24 * row["entries"]
    assert report["totals"]["entries"] == sum(row["entries"] for row in rows)
    assert report["totals"]["hours"] == pytest.approx(sum(row["hours"] for row in rows), abs=1)


def tickets(data: dict[str, Any]) -> None:
    report = data["ticketReport"]
    rows = report["byUrgency"]
    assert [row["urgency"] for row in rows] == ["CRITICAL", "HIGH", "NORMAL", "LOW"]
    for figures in (*rows, report["totals"]):
        assert figures["resolved"] + figures["stillOpen"] == figures["opened"]
        for kind in ("FirstResponse", "Resolution"):
            median, p90 = figures[f"median{kind}Minutes"], figures[f"p90{kind}Minutes"]
            assert median is None or 0 <= median <= p90
    assert report["totals"]["opened"] == sum(row["opened"] for row in rows) > 0
    # Critical tickets are answered faster than low ones.
    assert rows[0]["medianFirstResponseMinutes"] < rows[-1]["medianFirstResponseMinutes"]


def compliance(data: dict[str, Any]) -> None:
    report = data["revisionComplianceReport"]
    rows = nodes(report)
    for row in (*rows, report["totals"]):
        assert row["passed"] + row["passedWithRemarks"] + row["failed"] == row["performed"]
        assert 0 <= row["passRate"] <= 1
    assert report["totals"]["performed"] == sum(row["performed"] for row in rows)


def equipment(data: dict[str, Any]) -> None:
    report = data["equipmentStatusReport"]
    rows = nodes(report)
    outcomes = ("compliant", "nonCompliant", "notChecked", "notRevised")
    for row in (*rows, report["totals"]):
        assert row["total"] == sum(row[o] for o in outcomes) > 0
    assert report["totals"]["total"] == sum(row["total"] for row in rows)
    assert report["totals"]["compliant"] > report["totals"]["nonCompliant"]


CHECKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "interventions_per_month.graphql": interventions,
    "hours_per_site.graphql": hours,
    "ticket_times.graphql": tickets,
    "revision_compliance.graphql": compliance,
    "equipment_status.graphql": equipment,
}


def test_every_example_has_a_check() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.graphql")) == sorted(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
async def test_the_example_answers_with_plausible_figures(demo: Demo, name: str) -> None:
    token = await partner_token(demo)
    data = await demo.data((EXAMPLES / name).read_text(encoding="utf-8"), token, **PERIOD)
    CHECKS[name](data)
