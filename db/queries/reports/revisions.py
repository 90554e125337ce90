"""Reports on revisions: compliance per site and period, equipment by last outcome."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on

from authz.scope import RowScope, restrict
from db import models as m
from db.queries.reports.base import (
    EQUIPMENT,
    ITEM,
    REVISION,
    SITE_ORDER,
    SITE_PERIOD_ORDER,
    Period,
    Report,
    ReportFilter,
    filtered,
    grouped_with_total,
    period_start,
    rounded,
    with_site,
    within,
)

# ---- Revision compliance per site and period (by local day of performance).


def _performed(
    scope: RowScope, where: ReportFilter, *columns: Any
) -> tuple[sa.Subquery, sa.Subquery]:
    """(revisions performed in the period, their non-compliant items) as subqueries."""
    r = REVISION.c
    revisions = within(
        restrict(sa.select(r.id, r.result, *columns), m.Revision, scope).where(
            r.performed_at.is_not(None)
        ),
        REVISION,
        r.performed_at,
        scope,
        where,
    ).subquery()
    items = filtered(
        restrict(
            sa.select(ITEM.c.revision_id, ITEM.c.equipment_id).where(
                ITEM.c.outcome == m.ItemOutcome.NON_COMPLIANT.value
            ),
            m.RevisionItem,
            scope,
        ),
        ITEM,
        where,
    ).subquery()
    return revisions, items


COMPLIANCE_FIGURES = (
    "performed",
    "passed",
    "passed_with_remarks",
    "failed",
    "pass_rate",
    "non_compliant_equipment",
)


def _compliance_figures(revisions: sa.Subquery, items: sa.Subquery) -> list[Any]:
    performed = sa.func.count(sa.distinct(revisions.c.id))

    def with_result(result: m.RevisionResult) -> sa.ColumnElement[Any]:
        return sa.func.count(sa.distinct(revisions.c.id)).filter(revisions.c.result == result.value)

    passed = with_result(m.RevisionResult.PASS)
    remarks = with_result(m.RevisionResult.PASS_WITH_REMARKS)
    return [
        performed.label("performed"),
        passed.label("passed"),
        remarks.label("passed_with_remarks"),
        with_result(m.RevisionResult.FAIL).label("failed"),
        rounded((passed + remarks) * 1.0 / sa.func.nullif(performed, 0), 4).label("pass_rate"),
        sa.func.count(sa.distinct(items.c.equipment_id)).label("non_compliant_equipment"),
    ]


def compliance(scope: RowScope, where: ReportFilter, period: Period) -> Report:
    """Revisions performed in the period per site and ``period``: results, pass rate and the
    equipment found non-compliant."""
    r = REVISION.c
    start = period_start(scope, r.performed_at, period).label("period_start")
    revisions, items = _performed(scope, where, r.site_id, start)
    joined = revisions.outerjoin(items, items.c.revision_id == revisions.c.id)
    grouped = grouped_with_total(
        sa.select(
            revisions.c.period_start,
            revisions.c.site_id,
            *_compliance_figures(revisions, items),
        ).select_from(joined),
        revisions.c.period_start,
        revisions.c.site_id,
    ).subquery("grouped")
    figures = [grouped.c[name] for name in COMPLIANCE_FIGURES]
    return Report(with_site(scope, grouped, grouped.c.period_start, *figures), SITE_PERIOD_ORDER)


# ---- Equipment by the outcome of its last revision item in the period, per site.

OUTCOMES = tuple(outcome.value for outcome in m.ItemOutcome)
EQUIPMENT_FIGURES = ("total", *(o.lower() for o in OUTCOMES), "not_revised")


def _outcome_counts(outcome: Any) -> list[sa.ColumnElement[Any]]:
    counts = [sa.func.count().filter(outcome == o).label(o.lower()) for o in OUTCOMES]
    return [
        sa.func.count().label("total"),
        *counts,
        sa.func.count().filter(outcome.is_(None)).label("not_revised"),
    ]


def equipment(scope: RowScope, where: ReportFilter) -> Report:
    """Equipment installed by the end of the period (or on no known date) per site, by the
    outcome of its last item among the revisions performed in the period."""
    r, item, e = REVISION.c, ITEM.c, EQUIPMENT.c
    revisions = within(
        restrict(sa.select(r.id, r.performed_at), m.Revision, scope),
        REVISION,
        r.performed_at,
        scope,
        where,
    ).subquery()
    last = (
        restrict(
            sa.select(item.equipment_id, item.outcome).join(
                revisions, revisions.c.id == item.revision_id
            ),
            m.RevisionItem,
            scope,
        )
        .ext(distinct_on(item.equipment_id))
        .order_by(item.equipment_id, revisions.c.performed_at.desc(), revisions.c.id.desc())
        .subquery()
    )
    installed = filtered(
        restrict(sa.select(e.id, e.site_id), m.Equipment, scope).where(
            sa.or_(e.installed_on.is_(None), e.installed_on <= where.until)
        ),
        EQUIPMENT,
        where,
    ).subquery()
    joined = installed.outerjoin(last, last.c.equipment_id == installed.c.id)
    grouped = grouped_with_total(
        sa.select(installed.c.site_id, *_outcome_counts(last.c.outcome)).select_from(joined),
        installed.c.site_id,
    ).subquery("grouped")
    figures = [grouped.c[name] for name in EQUIPMENT_FIGURES]
    return Report(with_site(scope, grouped, *figures), SITE_ORDER)
