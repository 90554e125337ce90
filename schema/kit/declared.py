"""What a field declares for the read plans, beside its Strawberry resolver.

Both executors read the same declaration: Strawberry's through the field's resolver (made from
the declaration), a read plan (schema/kit/read_plans.py) through :class:`Declared` in the
field's metadata, without a resolver call per object:

- a *computed* field is a function of the object and the request's context (a document's
  ``downloadUrl``, an edge's ``cursor``), made here by :func:`computed`;
- a *loaded* field is a related record or a child connection (schema/kit/batched.py
  ``related``, ``children``): one ``load`` for every object of a level that asks for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeVar

import strawberry
from strawberry import Info

from authz.rules import Rule
from schema.kit.permissions import permitted

T = TypeVar("T")

# The key of a field's declaration in its Strawberry metadata.
DECLARED = "sportello.declared"


class Declared(Protocol):
    """A field's declaration: ``computed`` (a function of the object and the context), or
    ``load`` (the values of many objects at once; ``arguments`` by their GraphQL names)."""

    computed: Callable[[Any, Any], Any] | None

    def load(
        self,
        context: Any,
        sources: Sequence[Any],
        arguments: dict[str, Any],
        asks_total: bool,
    ) -> Awaitable[Sequence[Any]]: ...


class Computed:
    """A computed field's declaration (its value may be awaitable: a connection's count)."""

    def __init__(self, function: Callable[[Any, Any], Any]) -> None:
        self.computed: Callable[[Any, Any], Any] | None = function

    async def load(
        self, context: Any, sources: Sequence[Any], arguments: dict[str, Any], asks_total: bool
    ) -> Sequence[Any]:
        raise TypeError("a computed field is not loaded")


def computed(
    function: Callable[[Any, Any], T], description: str | None = None, rule: Rule | None = None
) -> T:
    """The field whose value is ``function(object, context)``; ``function`` may need nothing
    of the context (an edge's cursor) or read the request's keys (a download link). ``rule``
    is its rule in the policy table (schema/kit/permissions.py)."""

    def resolve(root: Any, info: Info[Any, None]) -> T:
        return function(root, info.context)

    field: T = strawberry.field(
        resolver=resolve,
        description=description,
        metadata={DECLARED: Computed(function)},
        extensions=permitted(rule),
    )
    return field
