"""The heaviest partner report: interventions of a year by day and site, a page of 1,000."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench.workloads import Caller, Fixture, Workload, global_id, iso

PAGE = 1000

# One statement: the interventions of the period are read once (a CTE used twice is computed
# once), then grouped for the page, its count and the totals.
SQL = """
WITH zone AS (SELECT timezone FROM organization WHERE id = $1),
visits AS (
  SELECT date_trunc('day', timezone((SELECT timezone FROM zone), i.starts_at))::date
      AS period_start,
    i.site_id, i.status
  FROM intervention i
  WHERE i.organization_id = $1
    AND i.starts_at >= timezone((SELECT timezone FROM zone), $2::timestamp)
    AND i.starts_at < timezone((SELECT timezone FROM zone), $3::timestamp)
),
report AS (
  SELECT g.*, s.name AS group_name
  FROM (
    SELECT period_start, site_id, count(*) AS total,
      count(*) FILTER (WHERE status = 'REQUESTED') AS requested,
      count(*) FILTER (WHERE status = 'PLANNED') AS planned,
      count(*) FILTER (WHERE status = 'IN_PROGRESS') AS in_progress,
      count(*) FILTER (WHERE status = 'DONE') AS done,
      count(*) FILTER (WHERE status = 'CANCELLED') AS cancelled
    FROM visits GROUP BY period_start, site_id
  ) g
  JOIN site s ON s.id = g.site_id
)
SELECT
  (SELECT count(*) FROM visits) AS total,
  (SELECT count(*) FROM visits WHERE status = 'DONE') AS done,
  (SELECT count(*) FROM report) AS total_count,
  ARRAY(
    SELECT (period_start, site_id, group_name, total, requested, planned, in_progress, done,
      cancelled)
    FROM report ORDER BY period_start, group_name, site_id LIMIT $4
  ) AS rows
"""


async def floor(
    db: asyncpg.Connection, caller: Caller | None, variables: dict[str, Any], _: str | None
) -> dict[str, Any]:
    assert caller is not None
    since = dt.date.fromisoformat(variables["from"])
    until = dt.date.fromisoformat(variables["to"])
    start = dt.datetime.combine(since, dt.time())
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time())
    row = await db.fetchrow(SQL, caller.organization_id, start, end, PAGE)
    assert row is not None
    return {
        "interventionReport": {
            "totals": {"total": row["total"], "done": row["done"]},
            "rows": {
                "totalCount": row["total_count"],
                "edges": [
                    {
                        "node": {
                            "periodStart": iso(r[0]),
                            "groupId": global_id("Site", r[1]),
                            "groupName": r[2],
                            "total": r[3],
                            "requested": r[4],
                            "planned": r[5],
                            "inProgress": r[6],
                            "done": r[7],
                            "cancelled": r[8],
                        }
                    }
                    for r in row["rows"]
                ],
            },
        }
    }


def year(fixture: Fixture) -> dict[str, Any]:
    """The last 365 days up to the seed's anchor day."""
    return {
        "from": (fixture.today - dt.timedelta(days=364)).isoformat(),
        "to": fixture.today.isoformat(),
    }


def adapt_postgraphile(data: Any) -> Any:
    """Two root fields in PostGraphile, one report object in Sportello."""
    return {
        "interventionReport": {
            "totals": data["interventionReportTotals"],
            "rows": data["interventionReport"],
        }
    }


WORKLOAD = Workload(
    name="intervention_report",
    title="Heaviest partner report: interventions of a year by day and site (partner token)",
    principal="partner",
    variables=year,
    postgraphile_variables=year,
    adapt_postgraphile=adapt_postgraphile,
    floor=floor,
)
