"""Per-request DataLoaders: every lookup by id and every nested list is one batched statement.

A request that lists 50 sites and asks for each one's client and equipment runs three
statements, not 101. Loaders live for one request (results are never shared between callers)
and apply the request's row scope, so a loader never returns a row the caller may not see:
a key out of scope loads None, exactly like a key that does not exist.

A key's future is shared by every field that asks for it. When one field of an object fails
on a non-null type, graphql-core cancels the object's other fields, and a task cancelled while
awaiting a future cancels that future: the client of a site whose ``workSheets(first: 500)``
was refused, shared with a list of sites elsewhere in the document, failed the whole request
with ``CancelledError`` instead of answering the input error. :class:`Loader` hands each
caller a shield of the shared future, so a cancelled caller cancels only its own wait. The
resolvers of a read plan's level (schema/kit/together.py) are coroutines stepped together,
never tasks, and never cancelled: their loads take the shared future as it is (a shield costs
a future and two callbacks, about 5% of a page of 100 rows with two relations each).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.dataloader import DataLoader

from authz.scope import RowScope
from db.pagination import Page, PageRequest

Row = sa.Row[Any]
ById = Callable[[AsyncConnection, RowScope, Sequence[uuid.UUID]], Awaitable[list[Row | None]]]
PagesOf = Callable[
    [AsyncConnection, RowScope, Sequence[uuid.UUID], PageRequest], Awaitable[dict[uuid.UUID, Page]]
]
CountsOf = Callable[
    [AsyncConnection, RowScope, Sequence[uuid.UUID]], Awaitable[dict[uuid.UUID, int]]
]


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


class Loader(DataLoader[K, V]):
    """A DataLoader whose callers cannot cancel one another's loads (see the module)."""

    # How many coroutine steps of schema/kit/together.py are running (a step may start another).
    stepping = 0

    def load(self, key: K) -> Awaitable[V]:
        shared = super().load(key)
        if Loader.stepping or not isinstance(shared, asyncio.Future) or shared.done():
            return shared
        return asyncio.shield(shared)

    async def load_all(self, keys: Sequence[K]) -> list[V]:
        """Each key's value, in order. The keys join one batch, whose futures settle together:
        after the first, awaiting the others does not suspend (cheaper than a gather)."""
        waits = [self.load(key) for key in keys]
        try:
            return [await wait for wait in waits]
        except BaseException:
            for wait in waits:  # their error is this one: not "never retrieved"
                if isinstance(wait, asyncio.Future) and wait.done() and not wait.cancelled():
                    wait.exception()
            raise


class Loaders:
    """The loaders of one request, created on first use.

    A loader's function takes the connection and scope, not these loaders: referring back to
    them, it made the loaders, their cached rows and the request one reference cycle, freed by
    the garbage collector instead of when the request ends (tests/api/dashboard/test_queries.py).
    """

    def __init__(self, db: AsyncConnection, scope: RowScope) -> None:
        self.db = db
        self.scope = scope
        self._loaders: dict[Any, Loader[Any, Any]] = {}

    def by_id(
        self, fetch: Callable[[AsyncConnection, RowScope, Sequence[uuid.UUID]], Awaitable[list[T]]]
    ) -> Loader[uuid.UUID, T]:
        """Values by id through ``fetch``, one per id (e.g. db.queries.clients.clients_by_id:
        rows, or None when missing or out of scope)."""
        loader = self._loaders.get(fetch)
        if loader is None:
            db, scope = self.db, self.scope

            async def load(ids: list[uuid.UUID]) -> list[T]:
                return await fetch(db, scope, ids)

            loader = self._loaders[fetch] = Loader(load_fn=load)
        return loader

    def pages_of(self, fetch: PagesOf, request: PageRequest) -> Loader[uuid.UUID, Page]:
        """The same page of children for each parent id (one statement for all parents)."""
        key = (fetch, request)
        loader = self._loaders.get(key)
        if loader is None:
            db, scope = self.db, self.scope

            async def load(ids: list[uuid.UUID]) -> list[Page]:
                pages = await fetch(db, scope, ids, request)
                return [pages[i] for i in ids]

            loader = self._loaders[key] = Loader(load_fn=load)
        return loader

    def counts_of(self, fetch: CountsOf) -> Loader[uuid.UUID, int]:
        loader = self._loaders.get(fetch)
        if loader is None:
            db, scope = self.db, self.scope

            async def load(ids: list[uuid.UUID]) -> list[int]:
                counts = await fetch(db, scope, ids)
                return [counts[i] for i in ids]

            loader = self._loaders[fetch] = Loader(load_fn=load)
        return loader
