"""Coroutines driven side by side: one wait per round for all of them, not one task each.

The async fields of a list's rows (a work sheet's documents, an equipment item's last result,
a timesheet entry's site) wait on DataLoader futures that one batch resolves for every row at
once. Gathering them costs a task per row, and each task a few scheduling rounds of the event
loop. :func:`run_together` steps the coroutines itself: each runs until it waits, then the
futures they wait on are awaited once (together), then each waiting coroutine resumes, and so
on until all are done. A coroutine resumes exactly as a task would resume it (the future it
waits on is done; its result or exception is delivered by the coroutine's own ``await``).

Nothing cancels a coroutine stepped here (cancelled, :func:`run_together` closes them), so
the loads they ask for need no shield against cancellation (db/scoped/loaders.py):
``Loader.stepping`` says a step is running.

Unlike tasks, the coroutines share the context of the one running them (a task runs in a copy
of its creator's context): a resolver must not set a context variable. None does; the only
one, the request's page limit (schema/kit/relay.py), is set by the route before execution.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine, Sequence
from types import CoroutineType
from typing import Any, NamedTuple

from db.scoped.loaders import Loader


class Outcome(NamedTuple):
    """What one coroutine gave: its value, or the exception it raised."""

    value: Any
    error: Exception | None = None


async def _awaited(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def _as_coroutine(awaitable: Awaitable[Any]) -> Coroutine[Any, Any, Any]:
    if type(awaitable) is CoroutineType:
        return awaitable
    return _awaited(awaitable)


async def _settled(waits: Sequence[Any]) -> None:
    """Return when one future of ``waits`` is done (a bare ``yield`` waits one round).

    Not all of them: coroutines may wait on each other (two statements on one connection,
    the second waiting on the connection's lock until the first is resumed and done).
    One waiter of our own: awaiting the futures themselves would cancel them (shared loader
    futures other rows wait on) if this task were cancelled.
    """
    if any(waited is None or waited.done() for waited in waits):
        await asyncio.sleep(0)
        return
    waiter = asyncio.get_running_loop().create_future()

    def one_done(_: Any) -> None:
        if not waiter.done():
            waiter.set_result(None)

    for future in waits:
        future.add_done_callback(one_done)
    try:
        await waiter
    finally:
        for future in waits:
            future.remove_done_callback(one_done)


async def run_together(awaitables: Sequence[Awaitable[Any]]) -> list[Outcome]:
    """The outcome of each awaitable, in order; one failing does not stop the others.

    Each coroutine runs until it waits; once one of the futures waited on is done, every
    coroutine whose future is done resumes, the others keep waiting. A coroutine that waits
    on something other than a future (or a bare ``yield``) is closed and fails with
    ``RuntimeError``, as under a task. Cancelled while waiting, the coroutines still running
    are closed.
    """
    outcomes: list[Outcome] = [Outcome(None)] * len(awaitables)
    running = [(index, _as_coroutine(awaitable)) for index, awaitable in enumerate(awaitables)]
    waiting: list[tuple[int, Coroutine[Any, Any, Any], Any]] = []
    try:
        while running or waiting:
            for index, coroutine in running:
                Loader.stepping += 1
                try:
                    waited = coroutine.send(None)
                except StopIteration as done:
                    outcomes[index] = Outcome(done.value)
                    continue
                except Exception as error:
                    outcomes[index] = Outcome(None, error)
                    continue
                finally:
                    Loader.stepping -= 1
                if waited is not None:
                    if not getattr(waited, "_asyncio_future_blocking", False):
                        coroutine.close()
                        outcomes[index] = Outcome(None, RuntimeError(f"bad yield: {waited!r}"))
                        continue
                    # Taken over at once, as a task takes it over: the next coroutine may
                    # wait on the same future (one loader key asked by two rows).
                    waited._asyncio_future_blocking = False
                waiting.append((index, coroutine, waited))
            if not waiting:
                break
            await _settled([waited for _, _, waited in waiting])
            still: list[tuple[int, Coroutine[Any, Any, Any], Any]] = []
            running = []
            for index, coroutine, waited in waiting:
                if waited is None or waited.done():
                    running.append((index, coroutine))
                else:
                    still.append((index, coroutine, waited))
            waiting = still
    except BaseException:
        for _, coroutine in running:
            coroutine.close()
        for _, coroutine, _ in waiting:
            coroutine.close()
        raise
    return outcomes
