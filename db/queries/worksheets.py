"""Work sheets (fogli di intervento), within a row scope.

Listed newest first (work date, then id, both descending): ix_work_sheet_org_date and
ix_work_sheet_site_date serve the list and its site filter (read backwards). Contacts and
partners see only signed work sheets (the record rule in authz/policy.py).
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
from db.pagination import Ordering, Page, PageRequest
from db.scoped.filter_shapes import equal_to_given, filtered_count, filtered_page, given
from db.scoped.nested import child_lists, rows_by_id

WORK_SHEET = table_of(m.WorkSheet)

WORK_SHEET_ORDER = Ordering((WORK_SHEET.c.work_date, WORK_SHEET.c.id), descending=True)


@dataclasses.dataclass(frozen=True)
class WorkSheetFilter:
    """Filters of the work sheet list; None means no condition.

    ``since``/``until`` are inclusive work dates.
    """

    site_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    statuses: tuple[str, ...] | None = None


# The filter's fields compared through parameters (db/scoped/filter_shapes.py); statuses stay in a
# filter's shape.
FILTER_PARAMETERS = ("site_id", "client_id", "since", "until")


def work_sheets_statement(scope: Scoping, where: WorkSheetFilter | None = None) -> sa.Select[Any]:
    """The work sheets ``scope`` may see, filtered by ``where``."""
    statement = restrict(sa.select(WORK_SHEET), m.WorkSheet, scope)
    if where is None:
        return statement
    column = WORK_SHEET.c
    statement = equal_to_given(statement, WORK_SHEET, where, ("site_id", "client_id"))
    day = column.work_date
    if where.since is not None:
        statement = statement.where(day >= given("since", where.since, day.type))
    if where.until is not None:
        statement = statement.where(day <= given("until", where.until, day.type))
    if where.statuses is not None:
        statement = statement.where(column.status.in_(where.statuses))
    return statement


async def work_sheet_page(
    db: AsyncConnection, scope: RowScope, request: PageRequest, where: WorkSheetFilter
) -> Page:
    """One page of work sheets, newest first."""
    return await filtered_page(
        db, work_sheets_statement, scope, where, FILTER_PARAMETERS, WORK_SHEET_ORDER, request
    )


async def work_sheet_count(db: AsyncConnection, scope: RowScope, where: WorkSheetFilter) -> int:
    """How many work sheets the filtered list holds."""
    return await filtered_count(db, work_sheets_statement, scope, where, FILTER_PARAMETERS)


async def work_sheets_by_id(
    db: AsyncConnection, scope: RowScope, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Work sheets in the order of ``ids``; None for an id missing or out of scope."""
    return await rows_by_id(db, work_sheets_statement, scope, WORK_SHEET.c.id, ids)


# The work sheets of many appointments (ix_work_sheet_intervention) or sites, one statement each.
work_sheets_of_appointments, work_sheet_counts_of_appointments = child_lists(
    work_sheets_statement, WORK_SHEET.c.intervention_id, WORK_SHEET_ORDER
)
work_sheets_of_sites, work_sheet_counts_of_sites = child_lists(
    work_sheets_statement, WORK_SHEET.c.site_id, WORK_SHEET_ORDER
)
