"""Tickets, their comments, the departments that handle them, and ticket statistics.

Tickets list by urgency (CRITICAL first, through the stored ``urgency_rank``), then opening
time, then id: ix_ticket_org_rank, ix_ticket_site_rank and ix_ticket_client_rank serve the
list and its site and client filters. Comments list oldest first. Who opened a ticket or wrote a
comment comes along as first and last name (joined on the row's own foreign key), so naming
authors costs no statement of its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, Scoping, restrict
from db import kept
from db import models as m
from db.models.base import table_of
from db.pagination import Ordering, Page, PageRequest, count, fetch_page
from db.scoped.filter_shapes import (
    equal_to_given,
    filtered,
    filtered_count,
    filtered_page,
    given,
)
from db.scoped.nested import child_lists, rows_by_id

TICKET = table_of(m.Ticket)
COMMENT = table_of(m.TicketComment)
DEPARTMENT = table_of(m.Department)
ORGANIZATION = table_of(m.Organization)
CONTACT = table_of(m.Contact)
STAFF = table_of(m.StaffUser)

TICKET_ORDER = Ordering((TICKET.c.urgency_rank, TICKET.c.opened_at, TICKET.c.id))
COMMENT_ORDER = Ordering((COMMENT.c.created_at, COMMENT.c.id))
DEPARTMENT_ORDER = Ordering((DEPARTMENT.c.name, DEPARTMENT.c.id))


@dataclasses.dataclass(frozen=True)
class TicketFilter:
    """Filters of the ticket list and statistics; None means no condition.

    ``opened_from``/``opened_to`` are inclusive days in the organization's time zone.
    """

    site_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    statuses: tuple[str, ...] | None = None
    urgencies: tuple[str, ...] | None = None
    opened_from: dt.date | None = None
    opened_to: dt.date | None = None


# The filter's fields compared through parameters (db/scoped/filter_shapes.py); statuses and
# urgencies stay in a filter's shape.
FILTER_PARAMETERS = ("site_id", "client_id", "opened_from", "opened_to")


def _local_day(opened_at: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """The day of ``opened_at`` in the ticket's organization's time zone."""
    zone = (
        sa.select(ORGANIZATION.c.timezone)
        .where(ORGANIZATION.c.id == TICKET.c.organization_id)
        .scalar_subquery()
    )
    return sa.cast(sa.func.timezone(zone, opened_at), sa.Date)


def tickets_statement(scope: Scoping, where: TicketFilter | None = None) -> sa.Select[Any]:
    """The tickets ``scope`` may see, filtered by ``where`` (ticket columns only)."""
    statement = restrict(sa.select(TICKET), m.Ticket, scope)
    if where is None:
        return statement
    statement = equal_to_given(statement, TICKET, where, ("site_id", "client_id"))
    if where.statuses is not None:
        statement = statement.where(TICKET.c.status.in_(where.statuses))
    if where.urgencies is not None:
        statement = statement.where(TICKET.c.urgency.in_(where.urgencies))
    if where.opened_from is not None:
        since = given("opened_from", where.opened_from, sa.Date())
        statement = statement.where(_local_day(TICKET.c.opened_at) >= since)
    if where.opened_to is not None:
        until = given("opened_to", where.opened_to, sa.Date())
        statement = statement.where(_local_day(TICKET.c.opened_at) <= until)
    return statement


def _with_author(
    statement: sa.Select[Any], contact_key: sa.Column[Any], staff_key: sa.Column[Any]
) -> sa.Select[Any]:
    """``statement`` plus ``author_first_name``/``author_last_name`` of whoever wrote the row.

    ``statement`` selects from the table of the two keys; the join is built once per pair.
    """
    joined, first_name, last_name = _author_join(contact_key, staff_key)
    return statement.add_columns(first_name, last_name).select_from(joined)


@functools.cache
def _author_join(
    contact_key: sa.Column[Any], staff_key: sa.Column[Any]
) -> tuple[sa.Join, sa.Label[Any], sa.Label[Any]]:
    contact = CONTACT.alias("author_contact")
    staff = STAFF.alias("author_staff")
    joined = contact_key.table.outerjoin(contact, contact.c.id == contact_key).outerjoin(
        staff, staff.c.id == staff_key
    )
    first_name = sa.func.coalesce(contact.c.first_name, staff.c.first_name)
    last_name = sa.func.coalesce(contact.c.last_name, staff.c.last_name)
    return joined, first_name.label("author_first_name"), last_name.label("author_last_name")


def listed_tickets(scope: Scoping, where: TicketFilter | None = None) -> sa.Select[Any]:
    """The tickets of :func:`tickets_statement` with the names of who opened them."""
    return _with_author(
        tickets_statement(scope, where), TICKET.c.opened_by_contact_id, TICKET.c.opened_by_staff_id
    )


async def ticket_page(
    db: AsyncConnection, scope: RowScope, request: PageRequest, where: TicketFilter
) -> Page:
    """One page of tickets, most urgent first, then oldest first."""
    return await filtered_page(
        db, listed_tickets, scope, where, FILTER_PARAMETERS, TICKET_ORDER, request
    )


async def ticket_count(db: AsyncConnection, scope: RowScope, where: TicketFilter) -> int:
    """How many tickets the filtered list holds."""
    return await filtered_count(db, tickets_statement, scope, where, FILTER_PARAMETERS)


async def tickets_by_id(
    db: AsyncConnection, scope: RowScope, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Tickets in the order of ``ids``; None for an id missing or out of scope."""
    return await rows_by_id(db, listed_tickets, scope, TICKET.c.id, ids)


tickets_of_sites, ticket_counts_of_sites = child_lists(
    listed_tickets, TICKET.c.site_id, TICKET_ORDER
)
tickets_of_clients, ticket_counts_of_clients = child_lists(
    listed_tickets, TICKET.c.client_id, TICKET_ORDER
)


def comments_statement(scope: Scoping) -> sa.Select[Any]:
    """The ticket comments ``scope`` may read, with their authors' names."""
    return _with_author(
        restrict(sa.select(COMMENT), m.TicketComment, scope),
        COMMENT.c.author_contact_id,
        COMMENT.c.author_staff_id,
    )


comments_of_tickets, comment_counts_of_tickets = child_lists(
    comments_statement, COMMENT.c.ticket_id, COMMENT_ORDER
)


def departments_statement(scope: Scoping) -> sa.Select[Any]:
    """The departments ``scope`` may see (contacts: those offered on the portal)."""
    return restrict(sa.select(DEPARTMENT), m.Department, scope)


def _departments_in_use(scope: Scoping) -> sa.Select[Any]:
    """The list is the ticket form's menu: archived departments leave it (the tickets that
    name one still read it, through departments_by_id)."""
    return departments_statement(scope).where(DEPARTMENT.c.archived_at.is_(None))


async def department_page(db: AsyncConnection, scope: RowScope, request: PageRequest) -> Page:
    """One page of departments in use, by name."""
    return await fetch_page(db, _departments_in_use(scope), DEPARTMENT_ORDER, request)


async def department_count(db: AsyncConnection, scope: RowScope) -> int:
    """How many departments in use the caller sees."""
    return await count(db, _departments_in_use(scope))


async def departments_by_id(
    db: AsyncConnection, scope: RowScope, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Departments in the order of ``ids``; None for an id missing or not visible."""
    return await rows_by_id(db, departments_statement, scope, DEPARTMENT.c.id, ids)


@dataclasses.dataclass(frozen=True)
class TicketStatistics:
    """Ticket counts of one scope and filter: in total, by status, by urgency, by month."""

    total: int
    by_status: dict[str, int]
    by_urgency: dict[str, int]
    per_month: dict[dt.date, int]


def _statistics_statement(scope: Scoping, where: TicketFilter) -> sa.Select[Any]:
    month = sa.cast(sa.func.date_trunc("month", _local_day(TICKET.c.opened_at)), sa.Date)
    tickets = (
        tickets_statement(scope, where)
        .with_only_columns(TICKET.c.status, TICKET.c.urgency, month.label("month"))
        .subquery()
    )
    columns = (tickets.c.status, tickets.c.urgency, tickets.c.month)
    return sa.select(
        *columns, sa.func.grouping(*columns).label("unused"), sa.func.count()
    ).group_by(sa.func.grouping_sets(*(sa.tuple_(c) for c in columns), sa.tuple_()))


async def ticket_statistics(
    db: AsyncConnection, scope: RowScope, where: TicketFilter
) -> TicketStatistics:
    """Counts by status, by urgency and by opening month, in one GROUP BY GROUPING SETS
    (a statement built once per scope shape and filter shape)."""
    statement, parameters = filtered(_statistics_statement, scope, where, FILTER_PARAMETERS)
    rows: Sequence[Any] = await kept.execute(db, statement, parameters)
    total = 0
    by_status: dict[str, int] = {}
    by_urgency: dict[str, int] = {}
    per_month: dict[dt.date, int] = {}
    for status, urgency, opened_month, unused, found in rows:
        # grouping() sets a bit per column left out of the row's grouping set.
        if unused == 0b111:
            total = found
        elif unused == 0b011:
            by_status[str(status)] = found
        elif unused == 0b101:
            by_urgency[str(urgency)] = found
        else:
            per_month[opened_month] = found
    return TicketStatistics(total, by_status, by_urgency, per_month)
