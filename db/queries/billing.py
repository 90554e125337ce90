"""Quotes and invoices within a row scope, newest first, with the organization's currency.

Both lists order by issue date, then id, descending: ix_quote_org_issued / ix_invoice_org_issued
(and the per-client indexes) serve them. The record rules of authz/policy.py hide drafts of
both, voided invoices, and every invoice from a contact without ``can_view_invoices``.
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

QUOTE = table_of(m.Quote)
INVOICE = table_of(m.Invoice)
ORGANIZATION = table_of(m.Organization)

QUOTE_ORDER = Ordering((QUOTE.c.issued_on, QUOTE.c.id), descending=True)
INVOICE_ORDER = Ordering((INVOICE.c.issued_on, INVOICE.c.id), descending=True)


@dataclasses.dataclass(frozen=True)
class BillFilter:
    """Filters shared by quotes and invoices; None means no condition, dates are inclusive."""

    site_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    statuses: tuple[str, ...] | None = None


# The filter's fields compared through parameters (db/scoped/filter_shapes.py); statuses stay in a
# filter's shape.
FILTER_PARAMETERS = ("site_id", "client_id", "issued_from", "issued_to")


def _statement(
    table: sa.Table, model: Any, scope: Scoping, where: BillFilter | None
) -> sa.Select[Any]:
    statement = restrict(
        sa.select(table, ORGANIZATION.c.currency).join(
            ORGANIZATION, ORGANIZATION.c.id == table.c.organization_id
        ),
        model,
        scope,
    )
    if where is None:
        return statement
    statement = equal_to_given(statement, table, where, ("site_id", "client_id"))
    day = table.c.issued_on
    if where.issued_from is not None:
        statement = statement.where(day >= given("issued_from", where.issued_from, day.type))
    if where.issued_to is not None:
        statement = statement.where(day <= given("issued_to", where.issued_to, day.type))
    if where.statuses is not None:
        statement = statement.where(table.c.status.in_(where.statuses))
    return statement


def quotes_statement(scope: Scoping, where: BillFilter | None = None) -> sa.Select[Any]:
    """The quotes ``scope`` may see, filtered by ``where``."""
    return _statement(QUOTE, m.Quote, scope, where)


def invoices_statement(scope: Scoping, where: BillFilter | None = None) -> sa.Select[Any]:
    """The invoices ``scope`` may see, filtered by ``where``."""
    return _statement(INVOICE, m.Invoice, scope, where)


async def quote_page(
    db: AsyncConnection, scope: RowScope, request: PageRequest, where: BillFilter
) -> Page:
    """One page of quotes, newest first."""
    return await filtered_page(
        db, quotes_statement, scope, where, FILTER_PARAMETERS, QUOTE_ORDER, request
    )


async def quote_count(db: AsyncConnection, scope: RowScope, where: BillFilter) -> int:
    """How many quotes the filtered list holds."""
    return await filtered_count(db, quotes_statement, scope, where, FILTER_PARAMETERS)


async def quotes_by_id(
    db: AsyncConnection, scope: RowScope, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Quotes in the order of ``ids``; None for an id missing or out of scope."""
    return await rows_by_id(db, quotes_statement, scope, QUOTE.c.id, ids)


async def invoice_page(
    db: AsyncConnection, scope: RowScope, request: PageRequest, where: BillFilter
) -> Page:
    """One page of invoices, newest first."""
    return await filtered_page(
        db, invoices_statement, scope, where, FILTER_PARAMETERS, INVOICE_ORDER, request
    )


async def invoice_count(db: AsyncConnection, scope: RowScope, where: BillFilter) -> int:
    """How many invoices the filtered list holds."""
    return await filtered_count(db, invoices_statement, scope, where, FILTER_PARAMETERS)


async def invoices_by_id(
    db: AsyncConnection, scope: RowScope, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Invoices in the order of ``ids``; None for an id missing or out of scope."""
    return await rows_by_id(db, invoices_statement, scope, INVOICE.c.id, ids)


quotes_of_sites, quote_counts_of_sites = child_lists(quotes_statement, QUOTE.c.site_id, QUOTE_ORDER)
quotes_of_clients, quote_counts_of_clients = child_lists(
    quotes_statement, QUOTE.c.client_id, QUOTE_ORDER
)
invoices_of_sites, invoice_counts_of_sites = child_lists(
    invoices_statement, INVOICE.c.site_id, INVOICE_ORDER
)
invoices_of_clients, invoice_counts_of_clients = child_lists(
    invoices_statement, INVOICE.c.client_id, INVOICE_ORDER
)
