"""Claiming and retrying, the same for the mail outbox (mailer/worker.py) and the webhook
deliveries (mailer/webhooks.py): one item per transaction, an exponential backoff with jitter
after a failure.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=1)

Claimed = TypeVar("Claimed")


def backoff(attempts: int, jitter: float) -> dt.timedelta:
    """The wait after the ``attempts``-th failure; ``jitter`` in [0, 1] spreads retries."""
    doublings: int = 2 ** min(max(attempts - 1, 0), 20)
    delay = min(BACKOFF_BASE * doublings, BACKOFF_CAP)
    return delay * (0.5 + 0.5 * jitter)


def retry_in(attempts: int, *, dead: bool) -> dt.timedelta | None:
    """When to try again after the ``attempts``-th failure; None when there is no next try."""
    return None if dead else backoff(attempts, random.random())  # noqa: S311 (jitter)


async def drain(
    db: AsyncConnection,
    batch_size: int,
    claim: Callable[[AsyncConnection], Awaitable[Claimed | None]],
    handle: Callable[[Claimed], Awaitable[bool]],
) -> tuple[int, bool]:
    """Claim and handle up to ``batch_size`` items, each in its own transaction (the claim's
    row lock held while ``handle`` runs); return (how many ``handle`` passed, whether none was
    left)."""
    passed = 0
    for _ in range(batch_size):
        async with db.begin():
            item = await claim(db)
            if item is None:
                return passed, True
            if await handle(item):
                passed += 1
    return passed, False
