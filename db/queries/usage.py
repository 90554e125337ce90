"""Anonymous requests per client address and query cost per account, counted per minute.

The same fixed one-minute windows as the partner tokens' budget (db/queries/partner_usage.py):
counting is one atomic statement (INSERT ... ON CONFLICT DO UPDATE), so concurrent requests of
one key queue on its row and none slips past the limit, in any number of processes. A request
over the limit is not counted.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import kept
from db.models.base import table_of
from db.models.usage import AccountUsage, AddressUsage
from db.queries.partner_usage import window_of

ADDRESSES = table_of(AddressUsage)
ACCOUNTS = table_of(AccountUsage)
# Rows of past minutes each anonymous request deletes on its way (other addresses' only).
STALE_ROWS_PER_REQUEST = 20

_WHEN = sa.DateTime(timezone=True)


def _address_statement() -> sa.Insert:
    """One anonymous request of ``:address`` in ``:window``, while ``:max_requests`` hold.

    The same statement deletes a few rows of past minutes (they limit nothing any more, and
    the table would otherwise keep a row per address ever seen): every request does the same
    work, rows another request is deleting are skipped rather than waited for, and the
    caller's own row is left to the upsert.
    """
    stored = ADDRESSES.c
    address = sa.bindparam("address", type_=sa.String)
    window = sa.bindparam("window", type_=_WHEN)
    stale = (
        sa.select(stored.address)
        .where(stored.window_start < window, stored.address != address)
        .limit(STALE_ROWS_PER_REQUEST)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    forgotten = (
        sa.delete(ADDRESSES).where(stored.address.in_(stale)).returning(stored.address).cte()
    )
    values = insert(ADDRESSES).values(address=address, window_start=window, requests=1)
    new = values.excluded
    same_window = stored.window_start == new.window_start
    limit = sa.bindparam("max_requests", type_=sa.Integer)
    statement = values.on_conflict_do_update(
        index_elements=[stored.address],
        set_={
            "window_start": new.window_start,
            "requests": sa.case((same_window, stored.requests + 1), else_=1),
        },
        where=sa.or_(sa.not_(same_window), stored.requests + 1 <= limit),
    ).returning(stored.requests)
    return statement.add_cte(forgotten)


def _account_statement() -> sa.Insert:
    """One request of ``:cost`` for ``:account`` in ``:window``, while ``:max_cost`` holds."""
    stored = ACCOUNTS.c
    values = insert(ACCOUNTS).values(
        # The database's id and clock, as the columns' server defaults: a default made in
        # Python would keep the statement off the driver (db/kept.py), and a uuid made for
        # every request here (os.urandom) cost 1.5% of a trivial request for a row inserted
        # once a minute.
        id=sa.func.gen_random_uuid(),
        created_at=sa.func.now(),
        organization_id=sa.bindparam("organization", type_=sa.Uuid),
        account_id=sa.bindparam("account", type_=sa.Uuid),
        window_start=sa.bindparam("window", type_=_WHEN),
        requests=1,
        cost=sa.bindparam("spent", type_=sa.Integer),
    )
    new = values.excluded
    same_window = stored.window_start == new.window_start
    limit = sa.bindparam("max_cost", type_=sa.Integer)
    return values.on_conflict_do_update(
        index_elements=[stored.account_id, stored.organization_id],
        set_={
            "window_start": new.window_start,
            "requests": sa.case((same_window, stored.requests + 1), else_=1),
            "cost": sa.case((same_window, stored.cost + new.cost), else_=new.cost),
        },
        where=sa.or_(sa.not_(same_window), stored.cost + new.cost <= limit),
    ).returning(stored.cost)


# Built once: building an upsert's EXCLUDED alias anew for every request left its columns in
# reference cycles, for the garbage collector to find.
# Kept (db/kept.py): run on the driver, as every request of every session pays one.
_CHARGE_ADDRESS = kept.keep(_address_statement())
_CHARGE_ACCOUNT = kept.keep(_account_statement())


async def charge_address(
    db: AsyncConnection, address: str, now: dt.datetime, *, max_requests: int
) -> bool:
    """Count one anonymous request from ``address``; False (and nothing counted) when the
    address already made ``max_requests`` in the current minute."""
    parameters = {"address": address, "window": window_of(now), "max_requests": max_requests}
    return bool(await kept.execute(db, _CHARGE_ADDRESS, parameters))


async def charge_account(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    account_id: uuid.UUID,
    now: dt.datetime,
    cost: int,
    *,
    max_cost: int,
) -> bool:
    """Count one request of ``cost`` for a staff user's or contact's sessions together; False
    (and nothing counted) when it would take the current minute's cost past ``max_cost``."""
    if cost > max_cost:
        return False
    parameters = {
        "organization": organization_id,
        "account": account_id,
        "window": window_of(now),
        "spent": cost,
        "max_cost": max_cost,
    }
    return bool(await kept.execute(db, _CHARGE_ACCOUNT, parameters))
