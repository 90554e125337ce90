"""What every report shares: the period and filters, the time zone, names of sites and clients."""

from __future__ import annotations

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
from db.pagination import Ordering, Page, PageRequest, count, fetch_page

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
class Report:
    """One report: its rows in ``ordering`` (the last column unique) and its totals."""

    rows: sa.Select[Any]
    totals: sa.Select[Any]
    ordering: Ordering

    async def page(self, db: AsyncConnection, request: PageRequest) -> Page:
        """One keyset page of the rows."""
        return await fetch_page(db, self.rows, self.ordering, request)

    async def count(self, db: AsyncConnection) -> int:
        """How many rows the report has."""
        return await count(db, self.rows)

    async def every_row(self, db: AsyncConnection) -> list[sa.Row[Any]]:
        """All rows, for reports with a handful of them (one per urgency)."""
        order = [c.desc() if self.ordering.descending else c for c in self.ordering.columns]
        return list((await db.execute(self.rows.order_by(*order))).all())

    async def total(self, db: AsyncConnection) -> sa.Row[Any]:
        """The one row of totals over the whole period and filters."""
        row: sa.Row[Any] = (await db.execute(self.totals)).one()
        return row


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


def with_site(scope: RowScope, grouped: sa.Subquery, *columns: Any) -> sa.Subquery:
    """Rows of ``grouped`` (by ``site_id``) with their client and site, as ``report``."""
    sites = restrict(sa.select(SITE.c.id, SITE.c.name, SITE.c.client_id), m.Site, scope).subquery()
    clients = names(scope, CLIENT, m.Client)
    return (
        sa.select(
            clients.c.id.label("client_id"),
            clients.c.name.label("client_name"),
            grouped.c.site_id,
            sites.c.name.label("site_name"),
            *columns,
        )
        .join_from(grouped, sites, sites.c.id == grouped.c.site_id)
        .join(clients, clients.c.id == sites.c.client_id)
        .subquery("report")
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
