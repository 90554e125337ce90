"""Relay conventions: the Node interface, cursor connections, page info."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ClassVar, Generic, Self, TypeVar

import strawberry
from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode

from authz.policy import SHARED
from authz.principals import Audience, Principal
from db.cursors import BadCursor
from db.pagination import MAX_PAGE, PARTNER_MAX_PAGE, BadPage, Page, PageRequest
from db.scoped.loaders import ById
from schema.kit.declared import computed
from schema.kit.errors import BadUserInput
from schema.kit.permissions import readable

T = TypeVar("T")

# The largest page of the request being run. The GraphQL route sets it from the principal
# before executing anything (set_page_limit) and page_request reads it, so every list of the
# request, top level or nested, pages within the caller's limit.
_page_limit: ContextVar[int] = ContextVar("page_limit", default=MAX_PAGE)


def page_limit(principal: Principal) -> int:
    """The largest page ``principal`` may ask for: partners' reporting tools read more."""
    return PARTNER_MAX_PAGE if principal.audience is Audience.PARTNER else MAX_PAGE


def set_page_limit(principal: Principal) -> None:
    """Lists of the request being run page up to ``principal``'s limit."""
    _page_limit.set(page_limit(principal))


@strawberry.interface(description="A record with an opaque global id, for node(id:).")
class Node:
    id: strawberry.ID = readable(SHARED)
    # The query that reads records of the type by id, within a row scope: node(id:) and the
    # root "one by id" fields load through it (None: not loadable by id).
    by_id: ClassVar[ById | None] = None

    @classmethod
    def from_row(cls, row: Any) -> Self:
        """The object of a row read by ``by_id``; every type that implements Node builds one."""
        raise NotImplementedError(f"{cls.__name__} does not define from_row")


# Cursors are encoded only when a document selects them (most select none).


def _start_cursor(root: PageInfo, _context: Any) -> str | None:
    return root.page.cursor(0) if root.page.rows else None


def _end_cursor(root: PageInfo, _context: Any) -> str | None:
    return root.page.cursor(-1) if root.page.rows else None


@strawberry.type
class PageInfo:
    has_next_page: bool = readable(SHARED)
    has_previous_page: bool = readable(SHARED)
    page: strawberry.Private[Page]
    start_cursor: str | None = computed(_start_cursor, rule=SHARED)
    end_cursor: str | None = computed(_end_cursor, rule=SHARED)


def _edge_cursor(root: Edge[Any], _context: Any) -> str:
    return root.page.cursor(root.index)


@strawberry.type
class Edge(Generic[T]):
    cursor: str = computed(_edge_cursor, rule=SHARED)
    node: T = readable(SHARED)
    page: strawberry.Private[Page]
    index: strawberry.Private[int]


def _total_count(root: Connection[Any], _context: Any) -> int | Awaitable[int]:
    """The total read with the page when the document asked for it, else its own count."""
    return root.total if root.total is not None else root.count()


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]] = readable(SHARED)
    page_info: PageInfo = readable(SHARED)
    # Counting is a statement of its own: run only when totalCount is asked for (a page asked
    # with its total has it in ``total``).
    count: strawberry.Private[Callable[[], Awaitable[int]]]
    total: strawberry.Private[int | None] = None
    total_count: int = computed(  # type: ignore[assignment]  # an int, or awaited to one
        _total_count, "How many records the list holds with these filters.", rule=SHARED
    )


def page_request(
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    *,
    with_total: bool = False,
) -> PageRequest:
    return PageRequest(
        first=first,
        after=after,
        last=last,
        before=before,
        max_size=_page_limit.get(),
        with_total=with_total,
    )


def asks_total(
    nodes: Iterable[FieldNode | InlineFragmentNode | FragmentDefinitionNode],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> bool:
    """Whether a connection field's selection (fragments included) holds ``totalCount``."""
    for node in nodes:
        if node.selection_set is None:
            continue
        for selection in node.selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value == "totalCount":
                    return True
            elif isinstance(selection, InlineFragmentNode):
                if asks_total([selection], fragments):
                    return True
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None and asks_total([fragment], fragments):
                    return True
    return False


def to_connection(
    page: Page, to_node: Callable[[Any], T], count: Callable[[], Awaitable[int]]
) -> Connection[T]:
    return Connection(
        edges=[Edge(page=page, index=i, node=to_node(row)) for i, row in enumerate(page.rows)],
        page_info=PageInfo(
            has_next_page=page.has_next, has_previous_page=page.has_previous, page=page
        ),
        count=count,
        total=page.total,
    )


@contextmanager
def input_errors() -> Iterator[None]:
    """Bad cursors and page sizes met inside, named as input errors of their argument."""
    try:
        yield
    except BadCursor as error:
        raise BadUserInput(error.argument, str(error)) from None
    except BadPage as error:
        raise BadUserInput("first", str(error)) from None


async def paged(
    fetch: Callable[[], Awaitable[Page]],
    to_node: Callable[[Any], T],
    count: Callable[[], Awaitable[int]],
) -> Connection[T]:
    """A connection from a page fetch, with bad cursors and sizes named as input errors."""
    with input_errors():
        page = await fetch()
    return to_connection(page, to_node, count)
