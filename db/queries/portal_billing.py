"""Billing of portal accesses: every access that existed at any moment of a month, one fee each.

The fee does not depend on how many clients or sites an access covers. Months are calendar
months in the organization's time zone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, restrict
from db import models as m
from db.queries.accounts import CONTACT, ORGANIZATION
from db.queries.portal_access import ACCESS_ORDER, with_grants


@dataclasses.dataclass(frozen=True)
class BilledAccess:
    id: uuid.UUID
    first_name: str
    last_name: str
    email: str
    created_at: dt.datetime
    deleted_at: dt.datetime | None


@dataclasses.dataclass(frozen=True)
class MonthBill:
    month: dt.date
    currency: str
    unit_fee_cents: int
    vat_rate_percent: Decimal
    accesses: list[BilledAccess]

    @property
    def net_cents(self) -> int:
        return self.unit_fee_cents * len(self.accesses)

    @property
    def vat_cents(self) -> int:
        # Rounded half up to the cent, on the total, as an invoice would.
        exact = Decimal(self.net_cents) * self.vat_rate_percent / Decimal(100)
        return int(exact.quantize(Decimal(1), rounding="ROUND_HALF_UP"))

    @property
    def total_cents(self) -> int:
        return self.net_cents + self.vat_cents


BILLED_COLUMNS = (
    CONTACT.c.id,
    CONTACT.c.first_name,
    CONTACT.c.last_name,
    CONTACT.c.email,
    CONTACT.c.created_at,
    CONTACT.c.deleted_at,
)


def _billed_in(month: dt.date, zone: Any) -> sa.ColumnElement[bool]:
    """An access that existed at some moment of ``month`` (its first day) in ``zone``."""
    next_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    starts = sa.func.timezone(zone, sa.cast(month, sa.DateTime()))
    ends = sa.func.timezone(zone, sa.cast(next_month, sa.DateTime()))
    return sa.and_(
        CONTACT.c.created_at < ends,
        sa.or_(CONTACT.c.deleted_at.is_(None), CONTACT.c.deleted_at >= starts),
    )


def billed_statement(scope: RowScope, month: dt.date) -> sa.Select[Any]:
    """The accesses :func:`month_bill` bills for ``month``, as one statement to page through
    in ACCESS_ORDER (the CSV export): with their grants, and on each row the terms of the bill
    (``currency``, ``unit_fee_cents``, ``vat_rate_percent``) from the organization's row."""
    terms = (
        ORGANIZATION.c.currency,
        ORGANIZATION.c.portal_fee_cents.label("unit_fee_cents"),
        ORGANIZATION.c.vat_rate_percent,
    )
    statement = sa.select(*BILLED_COLUMNS, *ACCESS_ORDER.columns[:2], *terms).join(
        ORGANIZATION, ORGANIZATION.c.id == CONTACT.c.organization_id
    )
    statement = restrict(statement, m.Contact, scope).where(
        _billed_in(month, ORGANIZATION.c.timezone)
    )
    return with_grants(statement)


async def month_bill(db: AsyncConnection, organization_id: uuid.UUID, month: dt.date) -> MonthBill:
    """The bill of ``month`` (its first day) for the organization."""
    organization = (
        await db.execute(
            sa.select(
                ORGANIZATION.c.timezone,
                ORGANIZATION.c.currency,
                ORGANIZATION.c.portal_fee_cents,
                ORGANIZATION.c.vat_rate_percent,
            ).where(ORGANIZATION.c.id == organization_id)
        )
    ).one()
    rows = await db.execute(
        sa.select(*BILLED_COLUMNS)
        .where(
            CONTACT.c.organization_id == organization_id,
            _billed_in(month, organization.timezone),
        )
        .order_by(*ACCESS_ORDER.columns)
    )
    return MonthBill(
        month=month,
        currency=organization.currency,
        unit_fee_cents=organization.portal_fee_cents,
        vat_rate_percent=organization.vat_rate_percent,
        accesses=[BilledAccess(**row._mapping) for row in rows],
    )
