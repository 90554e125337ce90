"""Ticket statistics: counts by status, urgency and month equal to plain SQL, per scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from schema.kit import ids
from tests.api import Demo
from tests.api.grants import VISIBLE, org_id
from tests.partners import partner_token

STATISTICS = """query($siteId: ID, $from: Date, $to: Date) {
  ticketStatistics(siteId: $siteId, from: $from, to: $to) {
    total byStatus { status count } byUrgency { urgency count } perMonth { month count }
  }
}"""


async def sql_statistics(demo: Demo, condition: str, **params: Any) -> dict[str, Any]:
    """The same figures as ticketStatistics, computed in plain SQL over ``ticket r``."""
    local = "(r.opened_at AT TIME ZONE o.timezone)"
    base = f"FROM ticket r JOIN organization o ON o.id = r.organization_id WHERE {condition}"

    async def grouped(key: str) -> dict[str, int]:
        found = await demo.scalar(
            f"SELECT coalesce(jsonb_object_agg(k, n), '{{}}') FROM "  # noqa: S608
            f"(SELECT {key} AS k, count(*) AS n {base} GROUP BY 1) g",
            **params,
        )
        return dict(found)

    return {
        "total": await demo.scalar(f"SELECT count(*) {base}", **params),
        "status": await grouped("r.status"),
        "urgency": await grouped("r.urgency"),
        "month": await grouped(f"to_char(date_trunc('month', {local}), 'YYYY-MM-DD')"),
    }


def figures(stats: dict[str, Any]) -> dict[str, Any]:
    """The API's statistics in the shape of :func:`sql_statistics`, zero rows left out."""
    return {
        "total": stats["total"],
        "status": {r["status"]: r["count"] for r in stats["byStatus"] if r["count"]},
        "urgency": {r["urgency"]: r["count"] for r in stats["byUrgency"] if r["count"]},
        "month": {r["month"]: r["count"] for r in stats["perMonth"] if r["count"]},
    }


async def test_statistics_equal_plain_sql_within_each_scope(demo: Demo) -> None:
    staff = await demo.as_("staff admin")
    org = await org_id(demo, "brillanti")
    stats = (await demo.data(STATISTICS, staff))["ticketStatistics"]
    assert figures(stats) == await sql_statistics(demo, "r.organization_id = :o", o=org)
    assert [r["status"] for r in stats["byStatus"]] == [
        "OPEN",
        "IN_PROGRESS",
        "WAITING_CLIENT",
        "RESOLVED",
        "CLOSED",
    ]
    assert [r["urgency"] for r in stats["byUrgency"]] == ["CRITICAL", "HIGH", "NORMAL", "LOW"]
    months = [r["month"] for r in stats["perMonth"]]
    assert months == sorted(months)
    assert len(months) == len(set(months)) >= 6
    for role in (
        "contact of one client",
        "contact of several clients",
        "contact limited to one site",
    ):
        seen = (await demo.data(STATISTICS, await demo.as_(role)))["ticketStatistics"]
        assert figures(seen) == await sql_statistics(demo, VISIBLE, email=demo.login_of(role))
    # A period: local days, both ends included; months of the period without tickets count 0.
    period = {"from": "2026-09-15", "to": "2026-11-20"}
    within = (await demo.data(STATISTICS, staff, **period))["ticketStatistics"]
    expected = await sql_statistics(
        demo,
        "r.organization_id = :o AND (r.opened_at AT TIME ZONE o.timezone)::date "
        "BETWEEN '2026-09-15' AND '2026-11-20'",
        o=org,
    )
    assert figures(within) == expected
    assert [r["month"] for r in within["perMonth"]] == ["2026-09-01", "2026-10-01", "2026-11-01"]
    ignis = await demo.data(STATISTICS, await demo.as_("staff admin", "ignis"))
    assert figures(ignis["ticketStatistics"]) == await sql_statistics(
        demo, "r.organization_id = :o", o=await org_id(demo, "ignis")
    )


async def test_an_inverted_period_names_the_argument(demo: Demo) -> None:
    response = await demo.gql(
        STATISTICS,
        token=await demo.as_("staff admin"),
        variables={"from": "2026-11-01", "to": "2026-10-01"},
    )
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "to"}


async def test_partners_need_the_reports_scope_and_see_only_their_clients(demo: Demo) -> None:
    (client,) = await demo.busiest("ticket", "client_id")
    lists = await partner_token(demo, scopes=["lists:read"], clients=[client])
    refused = await demo.gql(STATISTICS, token=lists)
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listed = await demo.data("{ tickets { totalCount } }", lists)
    assert listed["tickets"]["totalCount"] == await demo.scalar(
        "SELECT count(*) FROM ticket WHERE client_id = :c", c=client
    )
    reports = await partner_token(demo, scopes=["reports:read"], clients=[client])
    seen = (await demo.data(STATISTICS, reports))["ticketStatistics"]
    assert figures(seen) == await sql_statistics(demo, "r.client_id = :c", c=client)


async def test_each_request_counts_with_its_own_filter_values(demo: Demo) -> None:
    """The statistics statement is built once per filter shape (db/scoped/filter_shapes.py): asked
    in turn for different sites and periods, each answer is that site's and period's."""
    staff = await demo.as_("staff admin")
    org = await org_id(demo, "brillanti")
    sites = await demo.busiest("ticket", "site_id", 3)
    assert len(sites) == 3
    for site in [sites[0], sites[1], sites[0], sites[2], sites[1]]:
        seen = await demo.data(STATISTICS, staff, siteId=ids.encode("Site", site))
        expected = await sql_statistics(demo, "r.site_id = :s", s=site)
        assert figures(seen["ticketStatistics"]) == expected
        assert expected["total"] > 0
    local_day = "(r.opened_at AT TIME ZONE o.timezone)::date"
    for since, until in [("2026-01-01", "2026-03-31"), ("2026-06-01", "2026-11-20")] * 2:
        seen = await demo.data(STATISTICS, staff, **{"from": since, "to": until})
        expected = await sql_statistics(
            demo,
            f"r.organization_id = :o AND {local_day} BETWEEN :f AND :t",
            o=org,
            f=dt.date.fromisoformat(since),
            t=dt.date.fromisoformat(until),
        )
        assert figures(seen["ticketStatistics"]) == expected
