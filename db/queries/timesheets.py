"""Timesheet entries (timbrature): technicians' clock-ins at sites, within a row scope.

Listed by clock-in, then id: ix_timesheet_entry_org_clock_in, ix_timesheet_entry_site_clock_in
and ix_timesheet_entry_client_clock_in serve the list and its site and client filters;
ix_timesheet_entry_technician (technician_id, clock_in) the staff-only technician filter.
The technician's first name and last initial come joined on the entry's own foreign key, so a
page of entries names its technicians without a statement of its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, Scoping, restrict
from db import models as m
from db.models.base import table_of
from db.pagination import (
    Ordering,
    Page,
    PageRequest,
    child_counts,
    fetch_child_pages,
)
from db.queries.staff import with_technician_name
from db.scoped.filter_shapes import (
    equal_to_given,
    filtered,
    filtered_count,
    filtered_page,
    given,
)
from db.scoped.nested import rows_by_id

ENTRY = table_of(m.TimesheetEntry)

ENTRY_ORDER = Ordering((ENTRY.c.clock_in, ENTRY.c.id))


@dataclasses.dataclass(frozen=True)
class TimesheetFilter:
    """Filters of the timesheet lists; None means no condition.

    ``since``/``until``: the clock-in falls in [since, until).
    """

    site_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    technician_id: uuid.UUID | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


# Every field is compared through a parameter (db/scoped/filter_shapes.py).
FILTER_PARAMETERS = ("site_id", "client_id", "technician_id", "since", "until")
_INSTANT = ENTRY.c.clock_in.type


def _filtered(scope: Scoping, where: TimesheetFilter | None) -> sa.Select[Any]:
    statement = restrict(sa.select(ENTRY), m.TimesheetEntry, scope)
    if where is None:
        return statement
    column = ENTRY.c
    statement = equal_to_given(statement, ENTRY, where, ("site_id", "client_id", "technician_id"))
    if where.since is not None:
        statement = statement.where(column.clock_in >= given("since", where.since, _INSTANT))
    if where.until is not None:
        statement = statement.where(column.clock_in < given("until", where.until, _INSTANT))
    return statement


def entries_statement(scope: Scoping, where: TimesheetFilter | None = None) -> sa.Select[Any]:
    """The entries ``scope`` may see, filtered by ``where``, with the technician's name."""
    return with_technician_name(_filtered(scope, where), ENTRY)


async def entry_page(
    db: AsyncConnection, scope: RowScope, request: PageRequest, where: TimesheetFilter
) -> Page:
    """One page of entries, earliest clock-in first."""
    return await filtered_page(
        db, entries_statement, scope, where, FILTER_PARAMETERS, ENTRY_ORDER, request
    )


async def entry_count(db: AsyncConnection, scope: RowScope, where: TimesheetFilter) -> int:
    """How many entries the filtered list holds."""
    return await filtered_count(db, _filtered, scope, where, FILTER_PARAMETERS)


async def entries_by_id(
    db: AsyncConnection, scope: RowScope, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Entries in the order of ``ids``; None for an id missing or out of scope."""
    return await rows_by_id(db, entries_statement, scope, ENTRY.c.id, ids)


@dataclasses.dataclass(frozen=True)
class EntriesOfSites:
    """The same page of filtered entries for many sites, in one statement.

    A value, not a closure: equal filters make equal loader keys.
    """

    where: TimesheetFilter

    async def __call__(
        self,
        db: AsyncConnection,
        scope: RowScope,
        site_ids: Sequence[uuid.UUID],
        request: PageRequest,
    ) -> dict[uuid.UUID, Page]:
        statement, parameters = filtered(entries_statement, scope, self.where, FILTER_PARAMETERS)
        return await fetch_child_pages(
            db, statement, ENTRY.c.site_id, site_ids, ENTRY_ORDER, request, parameters=parameters
        )


@dataclasses.dataclass(frozen=True)
class EntryCountsOfSites:
    """How many filtered entries each of many sites has, in one statement."""

    where: TimesheetFilter

    async def __call__(
        self, db: AsyncConnection, scope: RowScope, site_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, int]:
        statement, parameters = filtered(_filtered, scope, self.where, FILTER_PARAMETERS)
        return await child_counts(db, statement, ENTRY.c.site_id, site_ids, parameters=parameters)
