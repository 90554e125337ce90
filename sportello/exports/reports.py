"""The partner reports as CSV (db/queries/reports.py): the parameters are the GraphQL
arguments of the report fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

import sportello.exports.arguments as arguments
from authz.policy import (
    COMPLIANCE,
    EQUIPMENT_STATUS,
    HOURS,
    INTERVENTION_COUNTS,
    SITE_COLUMNS,
    TICKET_FIGURES,
)
from authz.scope import RowScope
from db.pagination import Ordering
from db.queries import reports
from schema.kit import ids
from schema.kit.errors import NotFound
from sportello.exports.base import Column, Export, ExportInputError, column, global_id


def _day(params: Mapping[str, str], name: str) -> dt.date:
    day = arguments.date(params, name)
    if day is None:
        raise ExportInputError(name, "is required (YYYY-MM-DD)")
    return day


def _choice(params: Mapping[str, str], name: str, default: str, choices: Any) -> Any:
    value = params.get(name, default)
    if value not in choices.__members__:
        raise ExportInputError(name, f"use one of {', '.join(choices.__members__)}")
    return choices[value]


def _report_filter(params: Mapping[str, str]) -> reports.ReportFilter:
    since, until = _day(params, "from"), _day(params, "to")
    problem = reports.period_error(since, until)
    if problem is not None:
        raise ExportInputError("to", problem)
    client = global_id(params, "clientId", "Client")
    return reports.ReportFilter(since, until, client, global_id(params, "siteId", "Site"))


def _period(params: Mapping[str, str]) -> Any:
    return _choice(params, "period", "MONTH", reports.Period)


async def _filters_visible(db: AsyncConnection, scope: RowScope, params: Mapping[str, str]) -> None:
    """A client or site filter out of the caller's sight is NOT_FOUND, as in the API."""
    hidden = await reports.hidden_filter(db, scope, _report_filter(params))
    if hidden is not None:
        raise NotFound(hidden)


# Report columns whose value is a global id: the GraphQL id, never the raw uuid.
_ID_COLUMNS = {"clientId": "Client", "siteId": "Site"}


def _mirror(type_name: str, *fields: str) -> tuple[Column, ...]:
    """Columns mirroring report fields; headers are the snake_case names of the SQL columns."""
    columns = []
    for field in fields:
        header = "".join(f"_{c.lower()}" if c.isupper() else c for c in field)
        id_type = _ID_COLUMNS.get(field)
        if id_type is None:
            columns.append(column(header, type_name, field))
        else:
            columns.append(Column(header, type_name, field, _encoder(header, id_type)))
    return tuple(columns)


def _encoder(header: str, id_type: str) -> Callable[[Any], Any]:
    return lambda row: ids.encode(id_type, row._mapping[header])


def _report(
    name: str,
    build: Callable[[RowScope, Mapping[str, str]], Any],
    ordering: Ordering,
    columns: tuple[Column, ...],
    *extra: str,
) -> Export:
    parameters = frozenset({"from", "to", "clientId", "siteId", *extra})
    return Export(name, parameters, build, ordering, columns, check=_filters_visible)


_ROW = "InterventionReportRow"

REPORTS: dict[str, Export] = {
    "interventionReport": _report(
        "interventionReport",
        lambda scope, p: (
            reports.interventions(
                scope,
                _report_filter(p),
                _period(p),
                _choice(p, "groupBy", "CLIENT", reports.Grouping),
            ).rows
        ),
        reports.INTERVENTION_ORDER,
        (
            *_mirror(_ROW, "periodStart"),
            Column("group_id", _ROW, "groupId", lambda r: ids.encode(r.group_type, r.group_id)),
            *_mirror(_ROW, "groupName", *INTERVENTION_COUNTS),
        ),
        "period",
        "groupBy",
    ),
    "hoursReport": _report(
        "hoursReport",
        lambda scope, p: reports.hours(scope, _report_filter(p), _period(p)).rows,
        reports.SITE_PERIOD_ORDER,
        _mirror("HoursReportRow", "periodStart", *SITE_COLUMNS, *HOURS),
        "period",
    ),
    "ticketReport": _report(
        "ticketReport",
        lambda scope, p: reports.tickets(scope, _report_filter(p)).rows,
        reports.TICKET_ORDER,
        _mirror("TicketUrgencyFigures", "urgency", *TICKET_FIGURES),
    ),
    "revisionComplianceReport": _report(
        "revisionComplianceReport",
        lambda scope, p: reports.compliance(scope, _report_filter(p), _period(p)).rows,
        reports.SITE_PERIOD_ORDER,
        _mirror("RevisionComplianceRow", "periodStart", *SITE_COLUMNS, *COMPLIANCE),
        "period",
    ),
    "equipmentStatusReport": _report(
        "equipmentStatusReport",
        lambda scope, p: reports.equipment(scope, _report_filter(p)).rows,
        reports.SITE_ORDER,
        _mirror("EquipmentStatusRow", *SITE_COLUMNS, *EQUIPMENT_STATUS),
    ),
}
