"""A list's filters as named parameters, so that its statement can be built once per shape.

A filter (``TicketFilter(site_id=..., opened_from=...)``) changes a statement in two ways:
which conditions it has (the filter's *shape*: which fields are given) and the values they
compare with. Statement functions compare with :func:`given` (a parameter ``where_<field>``),
so that the statement built for a filter's shape (:func:`filter_shape`: every given value
replaced by :data:`UNBOUND`) serves every filter of that shape, run with
:func:`filter_parameters`. As with a scope's shape (authz/scope.py), a statement built from a
shape holds no value of any request: run without the request's parameters, it fails.

Fields whose values choose the statement's text (sets of statuses compiled to ``IN`` lists)
stay in the shape with their values; they come from small enumerations.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

import sqlalchemy as sa


class _Unbound:
    """The value of a field of a filter shape: given, value supplied at execution."""

    def __repr__(self) -> str:
        return "UNBOUND"


UNBOUND: Any = _Unbound()

Filter = TypeVar("Filter")


def given(field: str, value: Any, type_: sa.types.TypeEngine[Any]) -> sa.BindParameter[Any]:
    """The parameter ``where_<field>``: bound to ``value``, or left to the execution when
    ``value`` is :data:`UNBOUND`."""
    if value is UNBOUND:
        return sa.bindparam(f"where_{field}", type_=type_)
    return sa.bindparam(f"where_{field}", value, type_=type_)


def filter_shape(where: Filter, fields: tuple[str, ...]) -> Filter:
    """``where`` with the given values of ``fields`` replaced by :data:`UNBOUND`."""
    unbound = {name: UNBOUND for name in fields if getattr(where, name) is not None}
    return dataclasses.replace(where, **unbound)  # type: ignore[type-var]


def filter_parameters(where: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """The execution parameters of ``where``'s given ``fields``."""
    return {
        f"where_{name}": value for name in fields if (value := getattr(where, name)) is not None
    }
