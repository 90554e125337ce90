"""GraphQL enums over the enums of db/models and db/queries: each enum is written once.

A schema module registers the lower layer's class itself (``strawberry.enum(m.TicketStatus,
description=...)``), so resolvers receive, and types return, the very members that the
queries store; nothing converts between two copies. ``described`` adds the descriptions of
single values, which the model's plain ``enum.StrEnum`` cannot carry.
"""

from __future__ import annotations

import enum
from typing import TypeVar

from strawberry.types.enum import StrawberryEnumDefinition

E = TypeVar("E", bound=type[enum.Enum])


def described(cls: E, **descriptions: str) -> E:
    """Give members of the registered GraphQL enum ``cls`` a description (by member name)."""
    definition = getattr(cls, "__strawberry_definition__", None)
    if not isinstance(definition, StrawberryEnumDefinition):
        raise TypeError(f"register {cls.__name__} with strawberry.enum before describing it")
    values = {value.name: value for value in definition.values}
    unknown = descriptions.keys() - values.keys()
    if unknown:
        raise ValueError(f"{cls.__name__} has no member {', '.join(sorted(unknown))}")
    for name, description in descriptions.items():
        values[name].description = description
    return cls
