"""Nested lists of records under parent records, through the request's loaders."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from strawberry import Info

from db.scoped.loaders import CountsOf, PagesOf
from schema.kit.context import Context
from schema.kit.relay import Connection, input_errors, nested_request, to_connection

T = TypeVar("T")


async def connections(
    info: Info[Context, None],
    lists: tuple[PagesOf, CountsOf],
    parent_ids: Sequence[uuid.UUID],
    to_node: Callable[[Any], T],
    first: int | None,
    after: str | None,
) -> list[Connection[T]]:
    """One page of each parent's children; every parent asking shares one statement (and one
    more for totalCount, only when asked), whether asked together or one by one."""
    pages, counts = lists
    loaders = info.context.rows
    request = nested_request(info, first, after)
    with input_errors():
        found = await loaders.pages_of(pages, request).load_all(parent_ids)
    count = loaders.counts_of(counts).load
    return [
        to_connection(page, to_node, _count_of(count, parent_id))
        for parent_id, page in zip(parent_ids, found, strict=True)
    ]


def _count_of(
    load: Callable[[uuid.UUID], Awaitable[int]], key: uuid.UUID
) -> Callable[[], Awaitable[int]]:
    return lambda: load(key)
