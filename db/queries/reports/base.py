"""What every report shares: the period and filters, the time zone, names of sites and clients."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import enum
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, restrict
from db import models as m
from db.models.base import table_of
from db.pagination import Ordering, Page, PageRequest, beyond, cut

INTERVENTION = table_of(m.Intervention)
TIMESHEET = table_of(m.TimesheetEntry)
TICKET = table_of(m.Ticket)
REVISION = table_of(m.Revision)
ITEM = table_of(m.RevisionItem)
EQUIPMENT = table_of(m.Equipment)
CLIENT = table_of(m.Client)
SITE = table_of(m.Site)
ACTIVITY = table_of(m.ActivityType)
ORGANIZATION = table_of(m.Organization)

# A report covers at most this many days (a year, leap day included).
MAX_DAYS = 366


class Period(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class Grouping(enum.Enum):
    """What intervention counts are grouped by: the column and the global id type of a group."""

    CLIENT = ("client_id", "Client")
    SITE = ("site_id", "Site")
    ACTIVITY_TYPE = ("activity_type_id", "ActivityType")


@dataclasses.dataclass(frozen=True)
class ReportFilter:
    """The local days a report covers (both included) and an optional client or site."""

    since: dt.date
    until: dt.date
    client_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None


def period_error(since: dt.date, until: dt.date) -> str | None:
    """What is wrong with the period (argument ``to``), or None when it is usable."""
    if until < since:
        return "must not be before from"
    if (until - since).days + 1 > MAX_DAYS:
        return f"the period may cover at most {MAX_DAYS} days; ask for one year at a time"
    return None


@dataclasses.dataclass(frozen=True)
class Figures:
    """What one statement of a report read: its totals, how many rows it has, and a page."""

    totals: sa.Row[Any]
    count: int
    page: Page | None


# The count of a report's rows, a column of the statement of :meth:`Report.figures`.
ROW_COUNT = "report_row_count"


@dataclasses.dataclass(frozen=True)
class Report:
    """One report: its rows in ``ordering`` (the last column unique) and its grand total.

    ``listed`` selects the rows and, flagged ``is_total``, the grand total (grouped by
    ``GROUPING SETS`` with the empty set, :func:`grouped_with_total`), with the same figure
    columns: :meth:`figures` reads both and the count in one statement, so a request
    aggregates the period once.
    """

    listed: sa.Select[Any]
    ordering: Ordering

    @property
    def rows(self) -> sa.Select[Any]:
        """The report's rows (the CSV exports page this statement in ``ordering``)."""
        report = self.listed.subquery("report")
        columns = [c for c in report.c if c.key != "is_total"]
        return sa.select(*columns).where(sa.not_(report.c.is_total))

    async def figures(
        self, db: AsyncConnection, request: PageRequest | None, *, every_row: bool = False
    ) -> Figures:
        """Totals, the count of rows and one keyset page of them (every row, in order, with
        ``every_row``; none without ``request``), in one statement."""
        page = None if every_row or request is None else cut(self.ordering, request)
        shape: _Shape | None = None
        if every_row:
            shape = _Shape(reverse=self.ordering.descending, limited=False)
        elif page is not None:
            shape = _Shape(page.reverse, page.after, page.before)
        # The grand total comes first, then the page's rows.
        values = page.values if page is not None else {}
        totals, *rows = (await db.execute(self._statement(shape), values)).all()
        count = int(totals._mapping[ROW_COUNT])
        labels = self.ordering.labels
        if every_row:
            return Figures(totals, count, Page(rows, False, False, count, labels))
        if page is None:
            return Figures(totals, count, None)
        return Figures(totals, count, page.page(rows, labels, total=count))

    def _statement(self, shape: _Shape | None) -> sa.Select[Any]:
        """The grand total, then (with ``shape``) a page of rows; each carries the count."""
        report = self.listed.subquery("report")
        rows_only = sa.not_(report.c.is_total)
        counted = sa.select(
            report, sa.func.count().filter(rows_only).over().label(ROW_COUNT)
        ).subquery("counted")
        total = counted.c.is_total
        if shape is None:
            return sa.select(counted).where(total)
        past: list[sa.ColumnElement[bool]] = []
        if shape.after:
            past.append(beyond(self.ordering, "page_after", True))
        if shape.before:
            past.append(beyond(self.ordering, "page_before", False))
        statement = sa.select(counted).order_by(
            total.desc(), *(c.desc() if shape.reverse else c.asc() for c in self.ordering.columns)
        )
        if past:
            statement = statement.where(sa.or_(total, sa.and_(*past)))
        if shape.limited:
            # The grand total, and one row more than the page to know whether another follows.
            statement = statement.limit(sa.bindparam("page_limit", type_=sa.Integer) + 1)
        return statement

    def check(self, request: PageRequest) -> None:
        """Raise BadPage or BadCursor when ``request`` is no page of this report."""
        cut(self.ordering, request)


class ReportData:
    """A report's figures for one report object: the statement that reads what the document
    selects (totals, totalCount and the planned page of rows) runs once, whichever field asks
    first; a page other than the planned one (an alias with other arguments) has its own."""

    def __init__(
        self, report: Report, planned: PageRequest | None, *, every_row: bool = False
    ) -> None:
        self.report = report
        self.planned = planned
        self.every_row = every_row
        self._figures: Figures | None = None
        self._lock = asyncio.Lock()

    async def figures(self, db: AsyncConnection) -> Figures:
        """Totals, row count and the planned page, read once."""
        async with self._lock:
            if self._figures is None:
                self._figures = await self.report.figures(
                    db, self.planned, every_row=self.every_row
                )
            return self._figures

    async def page(self, db: AsyncConnection, request: PageRequest) -> Figures:
        """The figures with the page ``request``."""
        if request == self.planned:
            return await self.figures(db)
        return await self.report.figures(db, request)


@dataclasses.dataclass(frozen=True)
class _Shape:
    """How a page is cut from a report's rows: the statement's shape, not its values."""

    reverse: bool
    after: bool = False
    before: bool = False
    limited: bool = True


def grouped_with_total(statement: sa.Select[Any], *columns: Any) -> sa.Select[Any]:
    """``statement`` grouped by ``columns`` and by nothing (the grand total, flagged
    ``is_total``): one aggregation gives a report's rows and its totals."""
    is_total = (sa.func.grouping(*columns) != 0).label("is_total")
    return statement.add_columns(is_total).group_by(
        sa.func.grouping_sets(sa.tuple_(*columns), sa.tuple_())
    )


def out(name: str, kind: Any) -> sa.ColumnClause[Any]:
    """A column of a report's output (``SELECT ... FROM (...) AS report``), for its ordering."""
    return sa.column(name, kind)


def zone(scope: RowScope) -> sa.ScalarSelect[Any]:
    """The organization's time zone, as a subquery."""
    # Not correlated: PostgreSQL reads the time zone once per statement, not once per row.
    return (
        sa.select(ORGANIZATION.c.timezone)
        .where(ORGANIZATION.c.id == scope.organization_id)
        .scalar_subquery()
    )


def midnight(scope: RowScope, day: dt.date) -> sa.ColumnElement[Any]:
    """The moment ``day`` starts in the organization's time zone."""
    local = sa.literal(dt.datetime.combine(day, dt.time()), sa.DateTime())
    return sa.func.timezone(zone(scope), local)


def period_start(scope: RowScope, moment: Any, period: Period) -> sa.ColumnElement[Any]:
    """The first local day of the period ``moment`` falls in."""
    # A literal, not a parameter: the unit comes from the enum, never from the caller.
    unit: sa.ColumnClause[str] = sa.literal_column(f"'{period.value}'")
    return sa.cast(sa.func.date_trunc(unit, sa.func.timezone(zone(scope), moment)), sa.Date)


def within(
    statement: sa.Select[Any], table: sa.Table, moment: Any, scope: RowScope, where: ReportFilter
) -> sa.Select[Any]:
    """``statement`` on ``table`` limited to the period (by ``moment``) and the filters."""
    end = where.until + dt.timedelta(days=1)
    statement = statement.where(
        moment >= midnight(scope, where.since), moment < midnight(scope, end)
    )
    return filtered(statement, table, where)


def filtered(statement: sa.Select[Any], table: sa.Table, where: ReportFilter) -> sa.Select[Any]:
    """``statement`` on ``table`` limited to the client and site filters."""
    if where.client_id is not None:
        statement = statement.where(table.c.client_id == where.client_id)
    if where.site_id is not None:
        statement = statement.where(table.c.site_id == where.site_id)
    return statement


def names(scope: RowScope, table: sa.Table, model: Any) -> sa.Subquery:
    """Ids and names of ``model`` within the row scope (clients, sites, activity types)."""
    return restrict(sa.select(table.c.id, table.c.name), model, scope).subquery()


def with_site(scope: RowScope, grouped: sa.Subquery, *columns: Any) -> sa.Select[Any]:
    """Rows of ``grouped`` (by ``site_id``, :func:`grouped_with_total`) with their client and
    site, and its grand total (no site): a report's ``listed``."""
    sites = restrict(sa.select(SITE.c.id, SITE.c.name, SITE.c.client_id), m.Site, scope).subquery()
    clients = names(scope, CLIENT, m.Client)
    return (
        sa.select(
            clients.c.id.label("client_id"),
            clients.c.name.label("client_name"),
            grouped.c.site_id,
            sites.c.name.label("site_name"),
            *columns,
            grouped.c.is_total,
        )
        .select_from(grouped)
        .outerjoin(sites, sites.c.id == grouped.c.site_id)
        .outerjoin(clients, clients.c.id == sites.c.client_id)
        .where(sa.or_(grouped.c.is_total, clients.c.id.is_not(None)))
    )


def rounded(value: Any, digits: int) -> sa.ColumnElement[Any]:
    """``value`` rounded to ``digits`` decimals, as a float."""
    return sa.cast(sa.func.round(sa.cast(value, sa.Numeric), digits), sa.Float)


def minutes(interval: Any) -> sa.ColumnElement[Any]:
    """The minutes of an interval."""
    return sa.func.extract("epoch", interval) / 60


SITE_PERIOD_ORDER = Ordering(
    (
        out("period_start", sa.Date),
        out("client_name", sa.String),
        out("site_name", sa.String),
        out("site_id", sa.Uuid),
    )
)
SITE_ORDER = Ordering(
    (out("client_name", sa.String), out("site_name", sa.String), out("site_id", sa.Uuid))
)


async def hidden_filter(db: AsyncConnection, scope: RowScope, where: ReportFilter) -> str | None:
    """``"client"`` or ``"site"`` when a filter names a record the caller cannot see (or that
    does not exist); None when both filters are visible or absent."""
    checks = (("client", where.client_id, CLIENT, m.Client), ("site", where.site_id, SITE, m.Site))
    for what, row_id, table, model in checks:
        if row_id is None:
            continue
        found = await db.scalar(
            restrict(sa.select(table.c.id), model, scope).where(table.c.id == row_id)
        )
        if found is None:
            return what
    return None
