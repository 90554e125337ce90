"""Plain fields, and telling awaitables from their type.

Most fields of a response are *plain*: an attribute of the object its parent built from a
row (a ticket's ``number``, a document's ``fileName``, a connection's ``edges``), with
Strawberry's default resolver, no arguments and no extensions but its policy's permission
(decided once per document, schema/kit/permissions.py). A read plan
(schema/kit/read_plans.py) reads such a field from its attribute and coerces it with the
field's own scalar or enum type, without a resolver call.
"""

from __future__ import annotations

from collections.abc import Awaitable
from types import CoroutineType
from typing import Any, TypeGuard

from graphql import GraphQLField
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from schema.kit.permissions import own_extensions


def plain_attribute(field: GraphQLField) -> str | None:
    """The attribute a plain field reads, or None when the field has a resolver, arguments
    or extensions."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or field.args or own_extensions(definition):
        return None
    if definition.base_resolver is not None or definition.default_resolver is not getattr:
        return None
    return definition.python_name


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
