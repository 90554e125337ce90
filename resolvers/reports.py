"""Root fields of the partner reports (SPEC §7), for staff and tokens with ``reports:read``.

Every report takes the local days ``from``..``to`` (both included, at most a year) and
optionally one client or site. An inverted or too long period is BAD_USER_INPUT on ``to``; a
client or site the caller cannot see (another organization's, outside a token's clients, or
malformed) is NOT_FOUND, exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import Info

from authz.policy import REPORTS
from db.queries import reports as queries
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput, NotFound
from schema.kit.permissions import permitted
from schema.reports import (
    EquipmentStatusReport,
    HoursReport,
    InterventionGrouping,
    InterventionReport,
    ReportPeriod,
    RevisionComplianceReport,
    TicketReport,
    report_data,
)

ContextInfo = Info[Context, None]
From = Annotated[
    dt.date, strawberry.argument(name="from", description="First day (organization's time).")
]
To = Annotated[
    dt.date,
    strawberry.argument(name="to", description="Last day, included; at most 366 days in all."),
]
ClientFilter = Annotated[
    strawberry.ID | None, strawberry.argument(description="Only this client's figures.")
]
SiteFilter = Annotated[
    strawberry.ID | None, strawberry.argument(description="Only this site's figures.")
]


async def report_filter(
    info: ContextInfo,
    since: dt.date,
    until: dt.date,
    client_id: strawberry.ID | None,
    site_id: strawberry.ID | None,
) -> queries.ReportFilter:
    """The checked arguments of a report: a usable period and visible filters."""
    problem = queries.period_error(since, until)
    if problem is not None:
        raise BadUserInput("to", problem)
    client = ids.decode("Client", client_id) if client_id is not None else None
    site = ids.decode("Site", site_id) if site_id is not None else None
    if client_id is not None and client is None:
        raise NotFound("client")
    if site_id is not None and site is None:
        raise NotFound("site")
    where = queries.ReportFilter(since, until, client, site)
    context = info.context
    hidden = await queries.hidden_filter(context.db, context.rows.scope, where)
    if hidden is not None:
        raise NotFound(hidden)
    return where


@strawberry.type
class ReportQuery:
    @strawberry.field(
        description="Interventions per period and group, counted by status.",
        extensions=permitted(REPORTS),
    )
    async def intervention_report(
        self,
        info: ContextInfo,
        since: From,
        until: To,
        period: ReportPeriod = ReportPeriod.MONTH,
        group_by: InterventionGrouping = InterventionGrouping.CLIENT,
        client_id: ClientFilter = None,
        site_id: SiteFilter = None,
    ) -> InterventionReport:
        where = await report_filter(info, since, until, client_id, site_id)
        report = queries.interventions(info.context.rows.scope, where, period, group_by)
        return InterventionReport(data=report_data(report, info))

    @strawberry.field(
        description="Hours worked per site and period, from timesheets.",
        extensions=permitted(REPORTS),
    )
    async def hours_report(
        self,
        info: ContextInfo,
        since: From,
        until: To,
        period: ReportPeriod = ReportPeriod.MONTH,
        client_id: ClientFilter = None,
        site_id: SiteFilter = None,
    ) -> HoursReport:
        where = await report_filter(info, since, until, client_id, site_id)
        report = queries.hours(info.context.rows.scope, where, period)
        return HoursReport(data=report_data(report, info))

    @strawberry.field(
        description="Tickets opened in the period per urgency, with times.",
        extensions=permitted(REPORTS),
    )
    async def ticket_report(
        self,
        info: ContextInfo,
        since: From,
        until: To,
        client_id: ClientFilter = None,
        site_id: SiteFilter = None,
    ) -> TicketReport:
        where = await report_filter(info, since, until, client_id, site_id)
        report = queries.tickets(info.context.rows.scope, where)
        return TicketReport(data=queries.ReportData(report, None, every_row=True))

    @strawberry.field(
        description="Revisions performed per site and period, with pass rate.",
        extensions=permitted(REPORTS),
    )
    async def revision_compliance_report(
        self,
        info: ContextInfo,
        since: From,
        until: To,
        period: ReportPeriod = ReportPeriod.MONTH,
        client_id: ClientFilter = None,
        site_id: SiteFilter = None,
    ) -> RevisionComplianceReport:
        where = await report_filter(info, since, until, client_id, site_id)
        report = queries.compliance(info.context.rows.scope, where, period)
        return RevisionComplianceReport(data=report_data(report, info))

    @strawberry.field(
        description="Equipment per site by the outcome of its last revision.",
        extensions=permitted(REPORTS),
    )
    async def equipment_status_report(
        self,
        info: ContextInfo,
        since: From,
        until: To,
        client_id: ClientFilter = None,
        site_id: SiteFilter = None,
    ) -> EquipmentStatusReport:
        where = await report_filter(info, since, until, client_id, site_id)
        report = queries.equipment(info.context.rows.scope, where)
        return EquipmentStatusReport(data=report_data(report, info))
