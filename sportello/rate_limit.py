"""The per-minute budget of every principal that says who it is (SPEC §7, issue 24 item 2).

- Partner tokens: requests and query cost per token, ``SPORTELLO_PARTNER_REQUESTS_PER_MINUTE``
  and ``SPORTELLO_PARTNER_COST_PER_MINUTE`` (db/queries/partner_usage.py).
- Staff users and contacts: query cost per account, all its sessions together (logging in
  again buys no new budget), ``SPORTELLO_SESSION_COST_PER_MINUTE`` (db/queries/usage.py). A
  staff member previewing the portal as a contact spends its own budget.

Each GraphQL request spends its query cost (schema/kit/limits.py), at least 1; each CSV export
``EXPORT_COST``. The budget is counted in PostgreSQL, so it holds across processes, in a
transaction of its own, so a request that fails afterwards still counts. Over budget: 429 with
``RATE_LIMITED``, ``extensions.retryAfter`` and a ``Retry-After`` header, both in seconds
until the next minute starts (``Refusal.of``, sportello/errors.py). Anonymous callers are
counted per address instead (sportello/admission.py).
"""

from __future__ import annotations

import datetime as dt
import math

from authz.principals import ContactPrincipal, PartnerPrincipal, Principal, StaffPrincipal
from db import tenancy
from db.queries import partner_usage, usage
from schema.kit.errors import RateLimited
from schema.kit.limits import MAX_COST
from sportello.base.clock import now_utc
from sportello.state import AppState

# A CSV export streams a whole report or list: it costs as much as a tenth of the largest query.
EXPORT_COST = MAX_COST // 10


async def charge(state: AppState, principal: Principal, cost: int) -> RateLimited | None:
    """Spend one request of ``cost`` from the principal's budget; the refusal when it is
    spent (None for anonymous callers, and while the budget lasts)."""
    if isinstance(principal, PartnerPrincipal):
        return await _charge_partner(state, principal, cost)
    if isinstance(principal, ContactPrincipal | StaffPrincipal):
        return await _charge_account(state, principal, max(1, cost))
    return None


async def _charge_partner(
    state: AppState, principal: PartnerPrincipal, cost: int
) -> RateLimited | None:
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
    retry_after = _until_next_minute(now)
    return RateLimited(
        f"This token used its budget for this minute ({settings.partner_requests_per_minute} "
        f"requests, cost {settings.partner_cost_per_minute}); retry in {retry_after} s.",
        retry_after,
    )


async def _charge_account(
    state: AppState, principal: ContactPrincipal | StaffPrincipal, cost: int
) -> RateLimited | None:
    if isinstance(principal, StaffPrincipal):
        account_id = principal.user_id
    elif principal.viewed_by is not None:  # staff previewing the portal spend their own
        account_id = principal.viewed_by.user_id
    else:
        account_id = principal.contact_id
    limit = state.settings.session_cost_per_minute
    now = now_utc()
    # One statement in a transaction of its own, on the standing connection in autocommit (no
    # BEGIN and COMMIT round trips, no checkout: every request of every session pays it), not
    # bound to the organization for row-level security: the row it writes is keyed by the
    # account the session lookup just found.
    async with state.standing.alone() as db:
        counted = await usage.charge_account(
            db, principal.organization_id, account_id, now, cost, max_cost=limit
        )
    if counted:
        return None
    retry_after = _until_next_minute(now)
    return RateLimited(
        f"Your account used its query budget for this minute (cost {limit}, this request "
        f"{cost}); ask for less at a time or retry in {retry_after} s.",
        retry_after,
    )


def _until_next_minute(now: dt.datetime) -> int:
    """Seconds until the next one-minute window starts, at least 1."""
    next_window = partner_usage.window_of(now).timestamp() + 60
    return max(1, math.ceil(next_window - now.timestamp()))
