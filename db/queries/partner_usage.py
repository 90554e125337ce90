"""Requests and query cost of each partner token, counted per minute in one row per token.

Counting happens in one atomic statement (INSERT ... ON CONFLICT DO UPDATE), so concurrent
requests of the same token queue on its row and none slips past the limits. A request over
a limit is not counted: the caller waits for the next minute and its budget is whole again.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db.models.base import table_of
from db.models.identity import PartnerUsage

USAGE = table_of(PartnerUsage)


def window_of(now: dt.datetime) -> dt.datetime:
    """The one-minute window ``now`` falls in (fixed windows, starting on the minute)."""
    return now.replace(second=0, microsecond=0)


async def charge(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    token_id: uuid.UUID,
    now: dt.datetime,
    cost: int,
    *,
    max_requests: int,
    max_cost: int,
) -> bool:
    """Count one request of ``cost`` for the token; False (and nothing counted) when it would
    exceed ``max_requests`` or ``max_cost`` in the current minute."""
    window = window_of(now)
    if cost > max_cost:
        return False
    stored = USAGE.c
    values = insert(USAGE).values(
        id=uuid.uuid4(),
        organization_id=organization_id,
        partner_token_id=token_id,
        window_start=window,
        requests=1,
        cost=cost,
    )
    new = values.excluded
    same_window = stored.window_start == new.window_start
    statement = values.on_conflict_do_update(
        index_elements=[stored.partner_token_id, stored.organization_id],
        set_={
            "window_start": new.window_start,
            "requests": sa.case((same_window, stored.requests + 1), else_=1),
            "cost": sa.case((same_window, stored.cost + new.cost), else_=new.cost),
        },
        # In the same minute, only while both budgets hold; a new minute starts afresh.
        where=sa.or_(
            sa.not_(same_window),
            sa.and_(stored.requests + 1 <= max_requests, stored.cost + new.cost <= max_cost),
        ),
    ).returning(stored.requests)
    return (await db.execute(statement)).first() is not None
