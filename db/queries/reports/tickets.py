"""Report on tickets: outcomes and response times per urgency."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from authz.scope import RowScope, restrict
from db import models as m
from db.pagination import Ordering
from db.queries.reports.base import (
    TICKET,
    Report,
    ReportFilter,
    grouped_with_total,
    minutes,
    out,
    rounded,
    within,
)

# ---- Tickets opened in the period, per urgency: outcomes and response times.

URGENCIES = ("CRITICAL", "HIGH", "NORMAL", "LOW")
TICKET_FIGURES = (
    "opened",
    "resolved",
    "still_open",
    "median_first_response_minutes",
    "p90_first_response_minutes",
    "median_resolution_minutes",
    "p90_resolution_minutes",
)
TICKET_ORDER = Ordering((out("urgency_rank", sa.Integer),))


def _ticket_figures(tickets: sa.Subquery) -> list[sa.ColumnElement[Any]]:
    c = tickets.c

    def percentile(fraction: str, value: Any) -> sa.ColumnElement[Any]:
        return rounded(sa.func.percentile_cont(sa.literal_column(fraction)).within_group(value), 1)

    return [
        sa.func.count(c.opened_at).label("opened"),
        sa.func.count(c.resolved_at).label("resolved"),
        (sa.func.count(c.opened_at) - sa.func.count(c.resolved_at)).label("still_open"),
        percentile("0.5", c.response).label("median_first_response_minutes"),
        percentile("0.9", c.response).label("p90_first_response_minutes"),
        percentile("0.5", c.resolution).label("median_resolution_minutes"),
        percentile("0.9", c.resolution).label("p90_resolution_minutes"),
    ]


def tickets(scope: RowScope, where: ReportFilter) -> Report:
    """Tickets opened in the period, per urgency (every urgency, most urgent first)."""
    t = TICKET.c
    resolved_at = sa.func.coalesce(t.resolved_at, t.closed_at)
    opened = within(
        restrict(
            sa.select(
                t.urgency,
                t.opened_at,
                resolved_at.label("resolved_at"),
                minutes(t.first_response_at - t.opened_at).label("response"),
                minutes(resolved_at - t.opened_at).label("resolution"),
            ),
            m.Ticket,
            scope,
        ),
        TICKET,
        t.opened_at,
        scope,
        where,
    ).subquery()
    urgencies = (
        sa.values(sa.column("urgency", sa.String), sa.column("urgency_rank", sa.Integer))
        .data([(urgency, rank) for rank, urgency in enumerate(URGENCIES)])
        .alias("urgencies")
    )
    grouped = grouped_with_total(
        sa.select(
            urgencies.c.urgency, urgencies.c.urgency_rank, *_ticket_figures(opened)
        ).select_from(urgencies.outerjoin(opened, opened.c.urgency == urgencies.c.urgency)),
        urgencies.c.urgency,
        urgencies.c.urgency_rank,
    ).subquery("grouped")
    figures = [grouped.c[name] for name in TICKET_FIGURES]
    listed = sa.select(grouped.c.urgency, grouped.c.urgency_rank, *figures, grouped.c.is_total)
    return Report(listed, TICKET_ORDER)
