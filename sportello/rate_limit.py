"""The per-token budget of partner tokens (SPEC §7): requests and query cost per minute.

Each GraphQL request of a partner token spends one request and its query cost
(schema/limits.py); each CSV export one request and ``EXPORT_COST``. The budget is counted in
PostgreSQL (db/queries/partner_usage.py) in a transaction of its own, so a request that fails
afterwards still counts. Over budget: 429 with ``RATE_LIMITED``, ``extensions.retryAfter``
and a ``Retry-After`` header, both in seconds until the next minute starts.
Staff and contacts are not metered here: their requests are bounded by the per-request limits.
"""

from __future__ import annotations

import math

from starlette.responses import JSONResponse

from authz.login import now_utc
from authz.principals import PartnerPrincipal, Principal
from db import tenancy
from db.queries import partner_usage
from schema.errors import RateLimited
from schema.limits import MAX_COST
from sportello.state import AppState

# A CSV export streams a whole report or list: it costs as much as a tenth of the largest query.
EXPORT_COST = MAX_COST // 10


async def charge(state: AppState, principal: Principal, cost: int) -> RateLimited | None:
    """Spend one request of ``cost`` from a partner token's budget; the refusal when it is
    spent (None for everyone else, and while the budget lasts)."""
    if not isinstance(principal, PartnerPrincipal):
        return None
    settings = state.settings
    now = now_utc()
    async with state.engine.begin() as db:
        await tenancy.bind(db, principal.organization_id)
        counted = await partner_usage.charge(
            db,
            principal.organization_id,
            principal.token_id,
            now,
            cost,
            max_requests=settings.partner_requests_per_minute,
            max_cost=settings.partner_cost_per_minute,
        )
    if counted:
        return None
    next_window = partner_usage.window_of(now).timestamp() + 60
    retry_after = max(1, math.ceil(next_window - now.timestamp()))
    return RateLimited(
        f"This token used its budget for this minute ({settings.partner_requests_per_minute} "
        f"requests, cost {settings.partner_cost_per_minute}); retry in {retry_after} s.",
        retry_after,
    )


def refusal(limited: RateLimited, request_id: str | None = None) -> JSONResponse:
    """The 429 answer to a request over budget."""
    extensions = limited.as_extensions()
    headers = {"Retry-After": str(limited.retry_after_seconds)}
    if request_id is not None:
        extensions["requestId"] = request_id
        headers["X-Request-Id"] = request_id
    body = {"errors": [{"message": limited.message, "extensions": extensions}]}
    return JSONResponse(body, status_code=429, headers=headers)
