"""Partner reports (SPEC §7): aggregates computed in PostgreSQL within the caller's row scope.

Each report is a :class:`Report`: a statement of its rows (exported as CSV with the same
statement) and one of its totals, both over the same grouped rows; one statement reads the
totals, the count and a keyset page of the rows together (:meth:`Report.figures`), so a
request aggregates the period once. Every table is read through
:func:`authz.scope.restrict`, each in a subquery of its own, so the organization and a
restricted token's clients apply in the same SQL as the GROUP BY; names come from the
restricted clients, sites and activity types. Only the page's rows are loaded into Python.

Days, weeks (ISO, from Monday) and months are those of the organization's time zone; a period
``since``..``until`` holds those local days, both included.
"""

from __future__ import annotations

from db.queries.reports.base import (
    MAX_DAYS,
    SITE_ORDER,
    SITE_PERIOD_ORDER,
    Figures,
    Grouping,
    Period,
    Report,
    ReportData,
    ReportFilter,
    hidden_filter,
    period_error,
)
from db.queries.reports.revisions import (
    COMPLIANCE_FIGURES,
    EQUIPMENT_FIGURES,
    compliance,
    equipment,
)
from db.queries.reports.tickets import TICKET_FIGURES, TICKET_ORDER, tickets
from db.queries.reports.work import INTERVENTION_ORDER, STATUSES_LOWER, hours, interventions

__all__ = [
    "COMPLIANCE_FIGURES",
    "EQUIPMENT_FIGURES",
    "INTERVENTION_ORDER",
    "MAX_DAYS",
    "SITE_ORDER",
    "SITE_PERIOD_ORDER",
    "STATUSES_LOWER",
    "TICKET_FIGURES",
    "TICKET_ORDER",
    "Figures",
    "Grouping",
    "Period",
    "Report",
    "ReportData",
    "ReportFilter",
    "compliance",
    "equipment",
    "hidden_filter",
    "hours",
    "interventions",
    "period_error",
    "tickets",
]
