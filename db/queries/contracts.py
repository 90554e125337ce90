"""Service contracts, client-wide or for one site, within a row scope.

Listed by expiry (soonest first, then id): ix_contract_org_expires serves the whole list.
``days_to_expiry`` counts from today in the organization's time zone (negative once expired).
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

CONTRACT = table_of(m.Contract)
ORGANIZATION = table_of(m.Organization)

CONTRACT_ORDER = Ordering((CONTRACT.c.expires_on, CONTRACT.c.id))


@dataclasses.dataclass(frozen=True)
class ContractFilter:
    """The filters of the contract list; None means no condition."""

    site_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    expiring_before: dt.date | None = None


# Every field of the filter is compared through a parameter (db/scoped/filter_shapes.py).
FILTER_PARAMETERS = ("site_id", "client_id", "expiring_before")


def contracts_statement(scope: Scoping, where: ContractFilter | None = None) -> sa.Select[Any]:
    """The contracts ``scope`` may see (with ``days_to_expiry``), filtered by ``where``."""
    today = sa.cast(sa.func.timezone(ORGANIZATION.c.timezone, sa.func.now()), sa.Date)
    statement = restrict(
        sa.select(CONTRACT, (CONTRACT.c.expires_on - today).label("days_to_expiry")).join(
            ORGANIZATION, ORGANIZATION.c.id == CONTRACT.c.organization_id
        ),
        m.Contract,
        scope,
    )
    if where is None:
        return statement
    statement = equal_to_given(statement, CONTRACT, where, ("site_id", "client_id"))
    if where.expiring_before is not None:
        expires = CONTRACT.c.expires_on
        before = given("expiring_before", where.expiring_before, expires.type)
        statement = statement.where(expires < before)
    return statement


async def contract_page(
    db: AsyncConnection, scope: RowScope, request: PageRequest, where: ContractFilter
) -> Page:
    """One page of contracts, soonest expiry first."""
    return await filtered_page(
        db, contracts_statement, scope, where, FILTER_PARAMETERS, CONTRACT_ORDER, request
    )


async def contract_count(db: AsyncConnection, scope: RowScope, where: ContractFilter) -> int:
    """How many contracts the filtered list holds."""
    return await filtered_count(db, contracts_statement, scope, where, FILTER_PARAMETERS)


async def contracts_by_id(
    db: AsyncConnection, scope: RowScope, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Contracts in the order of ``ids``; None for an id missing or out of scope."""
    return await rows_by_id(db, contracts_statement, scope, CONTRACT.c.id, ids)


contracts_of_sites, contract_counts_of_sites = child_lists(
    contracts_statement, CONTRACT.c.site_id, CONTRACT_ORDER
)
contracts_of_clients, contract_counts_of_clients = child_lists(
    contracts_statement, CONTRACT.c.client_id, CONTRACT_ORDER
)
