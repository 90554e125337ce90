"""Reports on field work: interventions per period and group, hours worked per site."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from authz.scope import RowScope, restrict
from db import models as m
from db.pagination import Ordering
from db.queries.reports.base import (
    ACTIVITY,
    CLIENT,
    INTERVENTION,
    SITE,
    SITE_PERIOD_ORDER,
    TIMESHEET,
    Grouping,
    Period,
    Report,
    ReportFilter,
    grouped_with_total,
    names,
    out,
    period_start,
    rounded,
    with_site,
    within,
)

# ---- Interventions per period and group, by status (by local start day).

INTERVENTION_ORDER = Ordering(
    (out("period_start", sa.Date), out("group_name", sa.String), out("group_id", sa.Uuid))
)
STATUSES = tuple(status.value for status in m.InterventionStatus)
# The output column of each status' count.
STATUSES_LOWER = tuple(status.lower() for status in STATUSES)


def _status_counts(status: Any) -> list[sa.ColumnElement[Any]]:
    counts = [sa.func.count().filter(status == s).label(s.lower()) for s in STATUSES]
    return [sa.func.count().label("total"), *counts]


def interventions(
    scope: RowScope, where: ReportFilter, period: Period, grouping: Grouping
) -> Report:
    """Interventions starting in the period, per ``period`` and group, counted by status."""
    i = INTERVENTION.c
    key, type_name = grouping.value
    visits = within(
        restrict(
            sa.select(
                period_start(scope, i.starts_at, period).label("period_start"),
                i[key].label("group_id"),
                i.status,
            ),
            m.Intervention,
            scope,
        ),
        INTERVENTION,
        i.starts_at,
        scope,
        where,
    ).subquery()
    grouped = grouped_with_total(
        sa.select(visits.c.period_start, visits.c.group_id, *_status_counts(visits.c.status)),
        visits.c.period_start,
        visits.c.group_id,
    ).subquery("grouped")
    table, model = {
        Grouping.CLIENT: (CLIENT, m.Client),
        Grouping.SITE: (SITE, m.Site),
        Grouping.ACTIVITY_TYPE: (ACTIVITY, m.ActivityType),
    }[grouping]
    named = names(scope, table, model)
    figures = [grouped.c[name] for name in ("total", *STATUSES_LOWER)]
    listed = (
        sa.select(
            grouped.c.period_start,
            grouped.c.group_id,
            *figures,
            named.c.name.label("group_name"),
            sa.literal(type_name, sa.String).label("group_type"),
            grouped.c.is_total,
        )
        .select_from(grouped)
        .outerjoin(named, named.c.id == grouped.c.group_id)
        .where(sa.or_(grouped.c.is_total, named.c.id.is_not(None)))
    )
    return Report(listed, INTERVENTION_ORDER)


# ---- Hours worked per site and period: closed clock-ins, by local clock-in day.


def hours(scope: RowScope, where: ReportFilter, period: Period) -> Report:
    """Hours worked (clock_out - clock_in of closed entries) per site and ``period``."""
    t = TIMESHEET.c
    worked = sa.func.extract("epoch", t.clock_out - t.clock_in)

    def closed(statement: sa.Select[*tuple[Any, ...]]) -> sa.Select[Any]:
        statement = restrict(statement.where(t.clock_out.is_not(None)), m.TimesheetEntry, scope)
        return within(statement, TIMESHEET, t.clock_in, scope, where)

    entries = closed(
        sa.select(
            period_start(scope, t.clock_in, period).label("period_start"),
            t.site_id,
            worked.label("seconds"),
        )
    ).subquery()
    grouped = grouped_with_total(
        sa.select(
            entries.c.period_start,
            entries.c.site_id,
            # No entry at all: the grand total's hours are 0.0, not null.
            sa.func.coalesce(rounded(sa.func.sum(entries.c.seconds) / 3600, 2), 0.0).label("hours"),
            sa.func.count().label("entries"),
        ),
        entries.c.period_start,
        entries.c.site_id,
    ).subquery("grouped")
    listed = with_site(scope, grouped, grouped.c.period_start, grouped.c.hours, grouped.c.entries)
    return Report(listed, SITE_PERIOD_ORDER)
