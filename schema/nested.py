"""A nested list of records under a parent record, through the request's loaders."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from strawberry import Info

from db.loaders import CountsOf, PagesOf
from schema.context import Context
from schema.relay import Connection, nested_request, paged

T = TypeVar("T")


async def nested(
    info: Info[Context, None],
    lists: tuple[PagesOf, CountsOf],
    parent_id: uuid.UUID,
    to_node: Callable[[Any], T],
    first: int | None,
    after: str | None,
) -> Connection[T]:
    """One page of a parent's children; every parent asking shares one statement (and one
    more for totalCount, only when asked)."""
    pages, counts = lists
    loaders = info.context.rows
    request = nested_request(info, first, after)
    return await paged(
        lambda: loaders.pages_of(pages, request).load(parent_id),
        to_node,
        lambda: loaders.counts_of(counts).load(parent_id),
    )
