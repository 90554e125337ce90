"""GraphQL execution with a short path for plain fields.

Most fields of a response are *plain*: a scalar or enum attribute of a row already loaded by
its parent's resolver (a ticket's ``number``, a document's ``fileName``), with no resolver, no
arguments and no per-field check (field decisions are taken once per document, before
execution: authz/checks.py). graphql-core resolves each of them like any field: a path, a
resolve-info object of fourteen members, Strawberry's wrapper, two awaitable checks and the
generic completion. :class:`PlainFieldsExecution` reads such a field's attribute and coerces
it with the field's own scalar or enum type, and leaves everything unusual to graphql-core:
a ``null`` on a non-null field, a value its type refuses or a failing attribute read take the
ordinary path, which raises and locates the error exactly as before.

``is_awaitable`` answers from the value's type, looked up once per type (graphql-core asks it
twice per field).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import CoroutineType
from typing import Any, NamedTuple, TypeGuard
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
    is_non_null_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField


class PlainField(NamedTuple):
    """How to resolve one plain field: the attribute to read and the type's coercion."""

    attribute: str
    coerce: Callable[[Any], Any]
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
        return None
    return PlainField(definition.python_name, leaf.coerce_output_value, non_null)


# Per schema (each audience view has its own; narrowed views come and go), per type name:
# each field's plain reading.
_PLANS: WeakKeyDictionary[GraphQLSchema, dict[str, dict[str, PlainField | None]]] = (
    WeakKeyDictionary()
)


def _plans_of(schema: GraphQLSchema) -> dict[str, dict[str, PlainField | None]]:
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


class PlainFieldsExecution(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain fields read directly (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans = _plans_of(self.schema)

    def _type_plans(self, parent: GraphQLObjectType) -> dict[str, PlainField | None]:
        found = self._plans.get(parent.name)
        if found is None:
            found = self._plans[parent.name] = {
                name: plain_field(field) for name, field in parent.fields.items()
            }
        return found

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        plain = self._type_plans(parent_type).get(field_details_list[0].node.name.value)
        if plain is not None:
            try:
                value = getattr(source, plain.attribute)
                if value is None:
                    if not plain.non_null:
                        return None
                else:
                    coerced = plain.coerce(value)
                    if coerced is not None and coerced is not Undefined:
                        return coerced
            except Exception:  # noqa: S110 - the ordinary path below raises it, located
                pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
