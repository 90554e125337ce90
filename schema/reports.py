"""Partner reports (SPEC §7): figures per period, client, site, activity type or urgency.

A report object holds its statements (db/queries/reports/) and runs one of them, once, for
whatever the document selects of it: totals, totalCount and a page of rows. Rows are a
connection: partners page them up to 1,000 at a time.
Periods and days are those of the organization's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar, Self, TypeVar

import strawberry
from strawberry import Info
from strawberry.types.nodes import SelectedField, Selection

from authz.policy import REPORTS
from authz.rules import Rule
from db.cursors import BadCursor
from db.pagination import BadPage
from db.queries import reports as queries
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.enums import described
from schema.kit.permissions import permitted, readable
from schema.kit.relay import Connection, input_errors, page_request, to_connection
from schema.tickets import TicketUrgency

ContextInfo = Info[Context, None]
T = TypeVar("T")


ReportPeriod = queries.Period
described(
    strawberry.enum(
        ReportPeriod,
        name="ReportPeriod",
        description="The length of a report period, in the organization's time zone.",
    ),
    WEEK="ISO weeks, from Monday.",
)
InterventionGrouping = queries.Grouping
strawberry.enum(
    InterventionGrouping,
    name="InterventionGrouping",
    description="What intervention counts are grouped by.",
)


def report_data(report: queries.Report, info: ContextInfo) -> queries.ReportData:
    """The figures of ``report`` for the report field of ``info``, with the page of its first
    usable ``rows`` selection planned into the same statement."""
    for selected in info.selected_fields:
        for rows in _selected("rows", selected.selections):
            given = rows.arguments
            # Strawberry gives a literal as its text ("1000"), a variable as its value.
            first, last = (_number(given.get(name)) for name in ("first", "last"))
            request = page_request(first, given.get("after"), last, given.get("before"))
            try:
                report.check(request)
            except (BadPage, BadCursor):
                continue
            return queries.ReportData(report, request)
    return queries.ReportData(report, None)


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, str) else value


def _selected(name: str, selections: Iterable[Selection]) -> Iterator[SelectedField]:
    """The fields named ``name`` among ``selections``, fragments included."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                yield selection
        else:
            yield from _selected(name, selection.selections)


def totals_of(to_value: Callable[[Any], T], description: str, rule: Rule) -> T:
    """The field of a report's figures over the whole period and filters."""

    async def resolve(root: Any, info: ContextInfo) -> T:
        return to_value((await root.data.figures(info.context.db)).totals)

    field: T = strawberry.field(
        resolver=resolve, description=description, extensions=permitted(rule)
    )
    return field


def rows_of(to_node: Callable[[Any], T], description: str, rule: Rule) -> Connection[T]:
    """The field of one page of a report's rows; totalCount comes with the page."""

    async def resolve(
        root: Any,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[T]:
        request = page_request(first, after, last, before)
        with input_errors():
            figures: queries.Figures = await root.data.page(info.context.db, request)

        async def count() -> int:
            return figures.count

        assert figures.page is not None
        return to_connection(figures.page, to_node, count)

    field: Connection[T] = strawberry.field(
        resolver=resolve, description=description, extensions=permitted(rule)
    )
    return field


class _Figures:
    """A report's figures, read from the row's columns of the same names (``NAMES``)."""

    NAMES: ClassVar[tuple[str, ...]]

    @classmethod
    def figures(cls, row: Any) -> dict[str, Any]:
        return {name: getattr(row, name) for name in cls.NAMES}

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(**cls.figures(row))


def _site_columns(row: Any) -> dict[str, Any]:
    return {
        "client_id": ids.encode("Client", row.client_id),
        "client_name": row.client_name,
        "site_id": ids.encode("Site", row.site_id),
        "site_name": row.site_name,
    }


# ---- Interventions


@strawberry.type(description="Interventions counted by status.")
class InterventionFigures(_Figures):
    NAMES = ("total", *queries.STATUSES_LOWER)
    total: int = readable(REPORTS)
    requested: int = readable(REPORTS)
    planned: int = readable(REPORTS)
    in_progress: int = readable(REPORTS)
    done: int = readable(REPORTS)
    cancelled: int = readable(REPORTS)


@strawberry.type(description="Interventions of one period and group.")
class InterventionReportRow(InterventionFigures):
    period_start: dt.date = readable(REPORTS, description="First day of the period.")
    group_id: strawberry.ID = readable(REPORTS, description="Id of the client, site or type.")
    group_name: str = readable(REPORTS)

    @classmethod
    def from_row(cls, row: Any) -> InterventionReportRow:
        return cls(
            period_start=row.period_start,
            group_id=ids.encode(row.group_type, row.group_id),
            group_name=row.group_name,
            **cls.figures(row),
        )


@strawberry.type(description="Interventions starting in the period (local start day).")
class InterventionReport:
    data: strawberry.Private[queries.ReportData]
    totals: InterventionFigures = totals_of(
        InterventionFigures.from_row, "Counts over the whole period and filters.", rule=REPORTS
    )
    rows: Connection[InterventionReportRow] = rows_of(
        InterventionReportRow.from_row,
        "One row per period and group with interventions, in order.",
        rule=REPORTS,
    )


# ---- Hours worked


@strawberry.type(description="Hours worked: clock-out minus clock-in of closed clock-ins.")
class HoursFigures(_Figures):
    NAMES = ("hours", "entries")
    hours: float = readable(REPORTS, description="Hours, rounded to the hundredth.")
    entries: int = readable(REPORTS, description="Closed clock-ins counted.")


@strawberry.type(description="Hours worked at one site in one period.")
class HoursReportRow(HoursFigures):
    period_start: dt.date = readable(REPORTS, description="First day of the period.")
    client_id: strawberry.ID = readable(REPORTS)
    client_name: str = readable(REPORTS)
    site_id: strawberry.ID = readable(REPORTS)
    site_name: str = readable(REPORTS)

    @classmethod
    def from_row(cls, row: Any) -> HoursReportRow:
        return cls(
            period_start=row.period_start,
            **_site_columns(row),
            **cls.figures(row),
        )


@strawberry.type(
    description="Hours worked per site from timesheets: clock-ins of the period (local day of "
    "clock-in); open clock-ins (no clock-out yet) are left out."
)
class HoursReport:
    data: strawberry.Private[queries.ReportData]
    totals: HoursFigures = totals_of(
        HoursFigures.from_row, "Hours over the whole period and filters.", rule=REPORTS
    )
    rows: Connection[HoursReportRow] = rows_of(
        HoursReportRow.from_row, "One row per period and site with hours, in order.", rule=REPORTS
    )


# ---- Tickets


@strawberry.type(description="Tickets opened in the period: outcome and times, in minutes.")
class TicketFigures(_Figures):
    NAMES = queries.TICKET_FIGURES
    opened: int = readable(REPORTS)
    resolved: int = readable(REPORTS, description="Resolved or closed since (by now).")
    still_open: int = readable(REPORTS, description="Neither resolved nor closed by now.")
    median_first_response_minutes: float | None = readable(
        REPORTS,
        description="Median of first_response_at - opened_at: when staff first answered "
        "(the first staff comment visible to the client, or the first status change away "
        "from OPEN, whichever came first). Null when no ticket was answered.",
    )
    p90_first_response_minutes: float | None = readable(
        REPORTS, description="90th percentile of the same (percentile_cont)."
    )
    median_resolution_minutes: float | None = readable(
        REPORTS,
        description="Median of resolved_at (closed_at when never marked resolved) - opened_at.",
    )
    p90_resolution_minutes: float | None = readable(
        REPORTS, description="90th percentile of the same (percentile_cont)."
    )


@strawberry.type(description="Tickets of one urgency opened in the period.")
class TicketUrgencyFigures(TicketFigures):
    urgency: TicketUrgency = readable(REPORTS)

    @classmethod
    def from_row(cls, row: Any) -> TicketUrgencyFigures:
        return cls(urgency=TicketUrgency(row.urgency), **cls.figures(row))


@strawberry.type(description="Tickets opened in the period (local day of opening).")
class TicketReport:
    data: strawberry.Private[queries.ReportData]
    totals: TicketFigures = totals_of(
        TicketFigures.from_row, "Figures of every ticket opened in the period.", rule=REPORTS
    )

    @strawberry.field(
        description="Every urgency, most urgent first, zeros included.",
        extensions=permitted(REPORTS),
    )
    async def by_urgency(self, info: ContextInfo) -> list[TicketUrgencyFigures]:
        page = (await self.data.figures(info.context.db)).page
        assert page is not None
        return [TicketUrgencyFigures.from_row(row) for row in page.rows]


# ---- Revision compliance


@strawberry.type(description="Revisions performed, their results and what they found.")
class RevisionComplianceFigures(_Figures):
    NAMES = queries.COMPLIANCE_FIGURES
    performed: int = readable(REPORTS)
    passed: int = readable(REPORTS, description="Result PASS.")
    passed_with_remarks: int = readable(REPORTS)
    failed: int = readable(REPORTS)
    pass_rate: float | None = readable(
        REPORTS, description="(passed + passedWithRemarks) / performed, 0 to 1; null when none."
    )
    non_compliant_equipment: int = readable(
        REPORTS, description="Distinct equipment with a NON_COMPLIANT item in these revisions."
    )


@strawberry.type(description="Revisions performed at one site in one period.")
class RevisionComplianceRow(RevisionComplianceFigures):
    period_start: dt.date = readable(REPORTS, description="First day of the period.")
    client_id: strawberry.ID = readable(REPORTS)
    client_name: str = readable(REPORTS)
    site_id: strawberry.ID = readable(REPORTS)
    site_name: str = readable(REPORTS)

    @classmethod
    def from_row(cls, row: Any) -> RevisionComplianceRow:
        return cls(
            period_start=row.period_start,
            **_site_columns(row),
            **cls.figures(row),
        )


@strawberry.type(description="Revisions performed in the period (local day of performance).")
class RevisionComplianceReport:
    data: strawberry.Private[queries.ReportData]
    totals: RevisionComplianceFigures = totals_of(
        RevisionComplianceFigures.from_row,
        "Figures over the whole period and filters.",
        rule=REPORTS,
    )
    rows: Connection[RevisionComplianceRow] = rows_of(
        RevisionComplianceRow.from_row,
        "One row per period and site with revisions, in order.",
        rule=REPORTS,
    )


# ---- Equipment by last revision outcome


@strawberry.type(description="Equipment by the outcome of its last revision item.")
class EquipmentStatusFigures(_Figures):
    NAMES = queries.EQUIPMENT_FIGURES
    total: int = readable(REPORTS)
    compliant: int = readable(REPORTS)
    non_compliant: int = readable(REPORTS)
    not_checked: int = readable(REPORTS)
    not_revised: int = readable(REPORTS, description="In no revision performed in the period.")


@strawberry.type(description="Equipment of one site by last revision outcome.")
class EquipmentStatusRow(EquipmentStatusFigures):
    client_id: strawberry.ID = readable(REPORTS)
    client_name: str = readable(REPORTS)
    site_id: strawberry.ID = readable(REPORTS)
    site_name: str = readable(REPORTS)

    @classmethod
    def from_row(cls, row: Any) -> EquipmentStatusRow:
        return cls(**_site_columns(row), **cls.figures(row))


@strawberry.type(
    description="Equipment installed by the end of the period (or on an unknown date), by "
    "the outcome of its item in the last revision performed in the period."
)
class EquipmentStatusReport:
    data: strawberry.Private[queries.ReportData]
    totals: EquipmentStatusFigures = totals_of(
        EquipmentStatusFigures.from_row, "Figures over every site of the filters.", rule=REPORTS
    )
    rows: Connection[EquipmentStatusRow] = rows_of(
        EquipmentStatusRow.from_row,
        "One row per site with equipment, by client and site name.",
        rule=REPORTS,
    )
