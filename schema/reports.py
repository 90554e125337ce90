"""Partner reports (SPEC §7): figures per period, client, site, activity type or urgency.

A report object holds its statements (db/queries/reports.py); ``totals`` and ``rows`` run
them only when asked. Rows are a connection: partners page them up to 1,000 at a time.
Periods and days are those of the organization's time zone.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any, TypeVar

import strawberry
from strawberry import Info

from db.queries import reports as queries
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.relay import Connection, page_request, paged
from schema.tickets import TicketUrgency

ContextInfo = Info[Context, None]
T = TypeVar("T")


@strawberry.enum(description="The length of a report period, in the organization's time zone.")
class ReportPeriod(enum.Enum):
    DAY = "DAY"
    WEEK = strawberry.enum_value("WEEK", description="ISO weeks, from Monday.")
    MONTH = "MONTH"


@strawberry.enum(description="What intervention counts are grouped by.")
class InterventionGrouping(enum.Enum):
    CLIENT = "CLIENT"
    SITE = "SITE"
    ACTIVITY_TYPE = "ACTIVITY_TYPE"


async def report_rows(
    info: ContextInfo,
    report: queries.Report,
    to_node: Callable[[Any], T],
    page: tuple[int | None, str | None, int | None, str | None],
) -> Connection[T]:
    """One page of a report's rows; totalCount counts them (a statement of its own)."""
    db = info.context.db
    request = page_request(*page)
    return await paged(lambda: report.page(db, request), to_node, lambda: report.count(db))


def _site_columns(row: Any) -> dict[str, Any]:
    return {
        "client_id": ids.encode("Client", row.client_id),
        "client_name": row.client_name,
        "site_id": ids.encode("Site", row.site_id),
        "site_name": row.site_name,
    }


# ---- Interventions


@strawberry.type(description="Interventions counted by status.")
class InterventionFigures:
    total: int
    requested: int
    planned: int
    in_progress: int
    done: int
    cancelled: int

    @classmethod
    def counts(cls, row: Any) -> dict[str, int]:
        return {name: getattr(row, name) for name in ("total", *queries.STATUSES_LOWER)}

    @classmethod
    def from_row(cls, row: Any) -> InterventionFigures:
        return cls(**cls.counts(row))


@strawberry.type(description="Interventions of one period and group.")
class InterventionReportRow(InterventionFigures):
    period_start: dt.date = strawberry.field(description="First day of the period.")
    group_id: strawberry.ID = strawberry.field(description="Id of the client, site or type.")
    group_name: str

    @classmethod
    def from_row(cls, row: Any) -> InterventionReportRow:
        return cls(
            period_start=row.period_start,
            group_id=ids.encode(row.group_type, row.group_id),
            group_name=row.group_name,
            **InterventionFigures.counts(row),
        )


@strawberry.type(description="Interventions starting in the period (local start day).")
class InterventionReport:
    report: strawberry.Private[queries.Report]

    @strawberry.field(description="Counts over the whole period and filters.")
    async def totals(self, info: ContextInfo) -> InterventionFigures:
        return InterventionFigures.from_row(await self.report.total(info.context.db))

    @strawberry.field(description="One row per period and group with interventions, in order.")
    async def rows(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[InterventionReportRow]:
        page = (first, after, last, before)
        return await report_rows(info, self.report, InterventionReportRow.from_row, page)


# ---- Hours worked


@strawberry.type(description="Hours worked: clock-out minus clock-in of closed clock-ins.")
class HoursFigures:
    hours: float = strawberry.field(description="Hours, rounded to the hundredth.")
    entries: int = strawberry.field(description="Closed clock-ins counted.")


@strawberry.type(description="Hours worked at one site in one period.")
class HoursReportRow(HoursFigures):
    period_start: dt.date = strawberry.field(description="First day of the period.")
    client_id: strawberry.ID
    client_name: str
    site_id: strawberry.ID
    site_name: str

    @classmethod
    def from_row(cls, row: Any) -> HoursReportRow:
        return cls(
            period_start=row.period_start,
            hours=row.hours,
            entries=row.entries,
            **_site_columns(row),
        )


@strawberry.type(
    description="Hours worked per site from timesheets: clock-ins of the period (local day of "
    "clock-in); open clock-ins (no clock-out yet) are left out."
)
class HoursReport:
    report: strawberry.Private[queries.Report]

    @strawberry.field(description="Hours over the whole period and filters.")
    async def totals(self, info: ContextInfo) -> HoursFigures:
        row = await self.report.total(info.context.db)
        return HoursFigures(hours=row.hours, entries=row.entries)

    @strawberry.field(description="One row per period and site with hours, in order.")
    async def rows(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[HoursReportRow]:
        page = (first, after, last, before)
        return await report_rows(info, self.report, HoursReportRow.from_row, page)


# ---- Tickets


@strawberry.type(description="Tickets opened in the period: outcome and times, in minutes.")
class TicketFigures:
    opened: int
    resolved: int = strawberry.field(description="Resolved or closed since (by now).")
    still_open: int = strawberry.field(description="Neither resolved nor closed by now.")
    median_first_response_minutes: float | None = strawberry.field(
        description="Median of first_response_at - opened_at: when staff first answered "
        "(the first staff comment visible to the client, or the first status change away "
        "from OPEN, whichever came first). Null when no ticket was answered."
    )
    p90_first_response_minutes: float | None = strawberry.field(
        description="90th percentile of the same (percentile_cont)."
    )
    median_resolution_minutes: float | None = strawberry.field(
        description="Median of resolved_at (closed_at when never marked resolved) - opened_at."
    )
    p90_resolution_minutes: float | None = strawberry.field(
        description="90th percentile of the same (percentile_cont)."
    )

    @classmethod
    def figures(cls, row: Any) -> dict[str, Any]:
        return {name: getattr(row, name) for name in queries.TICKET_FIGURES}

    @classmethod
    def from_row(cls, row: Any) -> TicketFigures:
        return cls(**cls.figures(row))


@strawberry.type(description="Tickets of one urgency opened in the period.")
class TicketUrgencyFigures(TicketFigures):
    urgency: TicketUrgency

    @classmethod
    def from_row(cls, row: Any) -> TicketUrgencyFigures:
        return cls(urgency=TicketUrgency(row.urgency), **TicketFigures.figures(row))


@strawberry.type(description="Tickets opened in the period (local day of opening).")
class TicketReport:
    report: strawberry.Private[queries.Report]

    @strawberry.field(description="Figures of every ticket opened in the period.")
    async def totals(self, info: ContextInfo) -> TicketFigures:
        return TicketFigures.from_row(await self.report.total(info.context.db))

    @strawberry.field(description="Every urgency, most urgent first, zeros included.")
    async def by_urgency(self, info: ContextInfo) -> list[TicketUrgencyFigures]:
        rows = await self.report.every_row(info.context.db)
        return [TicketUrgencyFigures.from_row(row) for row in rows]


# ---- Revision compliance


@strawberry.type(description="Revisions performed, their results and what they found.")
class RevisionComplianceFigures:
    performed: int
    passed: int = strawberry.field(description="Result PASS.")
    passed_with_remarks: int
    failed: int
    pass_rate: float | None = strawberry.field(
        description="(passed + passedWithRemarks) / performed, 0 to 1; null when none."
    )
    non_compliant_equipment: int = strawberry.field(
        description="Distinct equipment with a NON_COMPLIANT item in these revisions."
    )

    @classmethod
    def figures(cls, row: Any) -> dict[str, Any]:
        return {name: getattr(row, name) for name in queries.COMPLIANCE_FIGURES}

    @classmethod
    def from_row(cls, row: Any) -> RevisionComplianceFigures:
        return cls(**cls.figures(row))


@strawberry.type(description="Revisions performed at one site in one period.")
class RevisionComplianceRow(RevisionComplianceFigures):
    period_start: dt.date = strawberry.field(description="First day of the period.")
    client_id: strawberry.ID
    client_name: str
    site_id: strawberry.ID
    site_name: str

    @classmethod
    def from_row(cls, row: Any) -> RevisionComplianceRow:
        return cls(
            period_start=row.period_start,
            **_site_columns(row),
            **RevisionComplianceFigures.figures(row),
        )


@strawberry.type(description="Revisions performed in the period (local day of performance).")
class RevisionComplianceReport:
    report: strawberry.Private[queries.Report]

    @strawberry.field(description="Figures over the whole period and filters.")
    async def totals(self, info: ContextInfo) -> RevisionComplianceFigures:
        return RevisionComplianceFigures.from_row(await self.report.total(info.context.db))

    @strawberry.field(description="One row per period and site with revisions, in order.")
    async def rows(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[RevisionComplianceRow]:
        page = (first, after, last, before)
        return await report_rows(info, self.report, RevisionComplianceRow.from_row, page)


# ---- Equipment by last revision outcome


@strawberry.type(description="Equipment by the outcome of its last revision item.")
class EquipmentStatusFigures:
    total: int
    compliant: int
    non_compliant: int
    not_checked: int
    not_revised: int = strawberry.field(description="In no revision performed in the period.")

    @classmethod
    def figures(cls, row: Any) -> dict[str, Any]:
        return {name: getattr(row, name) for name in queries.EQUIPMENT_FIGURES}

    @classmethod
    def from_row(cls, row: Any) -> EquipmentStatusFigures:
        return cls(**cls.figures(row))


@strawberry.type(description="Equipment of one site by last revision outcome.")
class EquipmentStatusRow(EquipmentStatusFigures):
    client_id: strawberry.ID
    client_name: str
    site_id: strawberry.ID
    site_name: str

    @classmethod
    def from_row(cls, row: Any) -> EquipmentStatusRow:
        return cls(**_site_columns(row), **EquipmentStatusFigures.figures(row))


@strawberry.type(
    description="Equipment installed by the end of the period (or on an unknown date), by "
    "the outcome of its item in the last revision performed in the period."
)
class EquipmentStatusReport:
    report: strawberry.Private[queries.Report]

    @strawberry.field(description="Figures over every site of the filters.")
    async def totals(self, info: ContextInfo) -> EquipmentStatusFigures:
        return EquipmentStatusFigures.from_row(await self.report.total(info.context.db))

    @strawberry.field(description="One row per site with equipment, by client and site name.")
    async def rows(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[EquipmentStatusRow]:
        page = (first, after, last, before)
        return await report_rows(info, self.report, EquipmentStatusRow.from_row, page)
