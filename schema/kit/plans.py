"""How each field of a response is read: its *plan*, found once per schema and type.

Most fields of a response are *plain*: a scalar or enum attribute of a row already loaded by
its parent's resolver (a ticket's ``number``, a document's ``fileName``), with no resolver, no
arguments and no per-field check (field decisions are taken once per document, before
execution: authz/checks.py). Such a field's plan is the attribute to read and its type's own
coercion; an object or list attribute without resolver (a connection's ``edges``, an edge's
``node``) is read the same way and completed by graphql-core.

A sync resolver without arguments or extensions (a document's ``downloadUrl``) has a plan
too: it is called directly with what Strawberry's wrapper would give it.

Every other field (None) takes graphql-core's ordinary path (schema/kit/execution.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import CoroutineType
from typing import Any, NamedTuple, TypeGuard
from weakref import WeakKeyDictionary

from graphql import GraphQLField, GraphQLSchema, is_leaf_type, is_non_null_type
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField


class PlainField(NamedTuple):
    """How to resolve one plain field: the attribute to read and the type's coercion (None:
    an object or a list, completed by graphql-core)."""

    attribute: str
    coerce: Callable[[Any], Any] | None
    non_null: bool


def plain_field(field: GraphQLField) -> PlainField | None:
    """The plain reading of ``field``, or None when it needs graphql-core's whole path."""
    resolve = field.resolve
    if resolve is None or not getattr(resolve, "_is_default", False) or field.args:
        return None
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or definition.default_resolver is not getattr:
        return None
    non_null = is_non_null_type(field.type)
    leaf = field.type.of_type if non_null else field.type  # type: ignore[union-attr]
    if not is_leaf_type(leaf):
        return PlainField(definition.python_name, None, non_null)
    return PlainField(definition.python_name, leaf.coerce_output_value, non_null)


class DirectResolver(NamedTuple):
    """A sync resolver without arguments or extensions (a document's ``downloadUrl``, an
    edge's ``cursor``), called with what Strawberry would pass it, without its wrapper."""

    field: GraphQLField
    definition: StrawberryField
    takes_self: bool  # the source as first positional argument
    source_names: tuple[str, ...]  # keyword parameters given the source (root, parent)
    info_name: str | None  # the keyword parameter given the Info


def direct_resolver(field: GraphQLField) -> DirectResolver | None:
    """How to call ``field``'s resolver directly, or None when it needs Strawberry's wrapper:
    async, with arguments, or with extensions (permission classes included)."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField):
        return None
    resolver = definition.base_resolver
    if resolver is None or definition.is_async or definition.extensions:
        return None
    if field.args or definition.arguments:
        return None
    sources = (resolver.root_parameter, resolver.parent_parameter)
    info = resolver.info_parameter
    return DirectResolver(
        field,
        definition,
        resolver.self_parameter is not None,
        tuple(parameter.name for parameter in sources if parameter is not None),
        None if info is None else info.name,
    )


# How a field is read: plain, by a direct resolver call, or (None) by graphql-core's path.
FieldPlan = PlainField | DirectResolver | None


def field_plan(field: GraphQLField) -> FieldPlan:
    return plain_field(field) or direct_resolver(field)


# Per schema (each audience view has its own; narrowed views come and go), per type name:
# each field's plan.
_PLANS: WeakKeyDictionary[GraphQLSchema, dict[str, dict[str, FieldPlan]]] = WeakKeyDictionary()


def plans_of(schema: GraphQLSchema) -> dict[str, dict[str, FieldPlan]]:
    plans = _PLANS.get(schema)
    if plans is None:
        plans = _PLANS[schema] = {}
    return plans


_AWAITABLE: dict[type, bool] = {CoroutineType: True}


def is_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    """Whether ``value`` can be awaited: its type has ``__await__`` (coroutines, futures).

    Special methods are looked up on the type, so the answer holds for every value of it.
    """
    kind = type(value)
    answer = _AWAITABLE.get(kind)
    if answer is None:
        answer = _AWAITABLE[kind] = hasattr(kind, "__await__")
    return answer
