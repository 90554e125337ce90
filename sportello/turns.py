"""What admission keeps for the life of a process (sportello/admission.py says why): the turns
to execute an operation, shared fairly between principals, and this process's own count of
anonymous requests per address."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator

from schema.kit.errors import RateLimited
from sportello.base.settings import Settings

# Distinct addresses a process counts in one minute before it forgets its own counts (the
# counts in PostgreSQL still hold); bounds the memory an address-rotating caller can fill.
MAX_COUNTED_ADDRESSES = 100_000


class Crowded(Exception):
    """A principal already has as many operations executing and waiting as it may."""

    def __init__(self, limited: RateLimited) -> None:
        super().__init__(limited.message)
        self.limited = limited


@dataclasses.dataclass
class _Share:
    """One principal's operations in this process: ``holders`` executing or waiting."""

    executing: asyncio.Semaphore
    holders: int = 0


class Turns:
    """The process's turns to execute an operation, shared fairly between principals.

    A request first waits for one of its principal's turns (``per_principal``), then for one
    of the process's (``turns``, in arrival order). A principal with ``per_principal`` plus
    ``waiting`` requests already here is refused at once.
    """

    def __init__(self, turns: int, per_principal: int, waiting: int) -> None:
        self._turns = asyncio.Semaphore(turns)
        self._per_principal = per_principal
        self._waiting = waiting
        self._shares: dict[str, _Share] = {}

    def holders(self, key: str) -> int:
        """Operations of the principal ``key`` executing or waiting in this process."""
        share = self._shares.get(key)
        return 0 if share is None else share.holders

    @contextlib.asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[None]:
        """Hold a turn for the principal ``key``; Crowded when it may not queue more."""
        share = self._shares.get(key)
        if share is None:
            share = self._shares[key] = _Share(asyncio.Semaphore(self._per_principal))
        if share.holders >= self._per_principal + self._waiting:
            raise Crowded(
                RateLimited(
                    f"Too many of your requests are running or waiting "
                    f"({self._per_principal} at once, {self._waiting} waiting); "
                    "wait for their answers and retry in 1 s.",
                    1,
                )
            )
        share.holders += 1
        try:
            async with share.executing, self._turns:
                yield
        finally:
            share.holders -= 1
            if share.holders == 0:
                del self._shares[key]


class AddressCounts:
    """This process's own count of anonymous requests per address in the current minute.

    Every process's count is at most PostgreSQL's, so an address over the limit here is over
    it everywhere and is refused without a database round trip.
    """

    def __init__(self) -> None:
        self.window: dt.datetime | None = None
        self.counts: dict[str, int] = {}

    def count(self, address: str, window: dt.datetime) -> int:
        """This process's count for ``address`` in ``window``, this request included."""
        if window != self.window or len(self.counts) >= MAX_COUNTED_ADDRESSES:
            self.window = window
            self.counts.clear()
        seen = self.counts.get(address, 0) + 1
        self.counts[address] = seen
        return seen


@dataclasses.dataclass(frozen=True)
class Admission:
    """What admission keeps for the life of a process."""

    turns: Turns
    addresses: AddressCounts

    @classmethod
    def for_settings(cls, settings: Settings) -> Admission:
        return cls(
            Turns(
                settings.concurrent_requests,
                settings.principal_concurrent_requests,
                settings.principal_waiting_requests,
            ),
            AddressCounts(),
        )
