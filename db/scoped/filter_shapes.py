"""A list's filters as named parameters, so that its statement can be built once per shape.

A filter (``TicketFilter(site_id=..., opened_from=...)``) changes a statement in two ways:
which conditions it has (the filter's *shape*: which fields are given) and the values they
compare with. Statement functions compare with :func:`given` (a parameter ``where_<field>``),
so that the statement built for a filter's shape (:func:`filter_shape`: every given value
replaced by :data:`UNBOUND`) serves every filter of that shape, run with
:func:`filter_parameters`. As with a scope's shape (authz/scope.py), a statement built from a
shape holds no value of any request: run without the request's parameters, it fails.

Fields whose values choose the statement's text (sets of statuses compiled to ``IN`` lists)
stay in the shape with their values; they come from small enumerations. A field left out of a
list's parameter fields by mistake is therefore never reused with another request's value:
it only makes more shapes.

:func:`filtered` gives such a statement with its parameters; :func:`filtered_page` and
:func:`filtered_count` are a root list's page and count this way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope
from db.pagination import Ordering, Page, PageRequest, count, fetch_page
from db.scoped.nested import shaped


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


def equal_to_given(
    statement: sa.Select[Any], table: sa.Table, where: object, fields: tuple[str, ...]
) -> sa.Select[Any]:
    """``statement`` keeping the rows whose column of each field ``where`` gives (``site_id``,
    ``client_id``, ...) equals its :func:`given` parameter."""
    for name in fields:
        value = getattr(where, name)
        if value is not None:
            column = table.c[name]
            statement = statement.where(column == given(name, value, column.type))
    return statement


def filter_shape(where: Filter, fields: tuple[str, ...]) -> Filter:
    """``where`` with the given values of ``fields`` replaced by :data:`UNBOUND`."""
    unbound = {name: UNBOUND for name in fields if getattr(where, name) is not None}
    return dataclasses.replace(where, **unbound)  # type: ignore[type-var]


def filter_parameters(where: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """The execution parameters of ``where``'s given ``fields``."""
    return {
        f"where_{name}": value for name in fields if (value := getattr(where, name)) is not None
    }


def filtered(
    statement_of: Callable[..., sa.Select[Any]],
    scope: RowScope,
    where: object,
    fields: tuple[str, ...],
) -> tuple[sa.Select[Any], dict[str, Any]]:
    """``statement_of(scope, where)`` as the statement built once for the shapes of ``scope``
    and ``where`` (``fields``: those of ``where`` compared through parameters), and the
    parameters to run it with."""
    statement = shaped(statement_of, scope.shape, filter_shape(where, fields))
    return statement, {**scope.parameters, **filter_parameters(where, fields)}


async def filtered_page(
    db: AsyncConnection,
    statement_of: Callable[..., sa.Select[Any]],
    scope: RowScope,
    where: object,
    fields: tuple[str, ...],
    ordering: Ordering,
    request: PageRequest,
) -> Page:
    """A page of :func:`filtered`'s statement."""
    statement, parameters = filtered(statement_of, scope, where, fields)
    return await fetch_page(db, statement, ordering, request, parameters=parameters)


async def filtered_count(
    db: AsyncConnection,
    statement_of: Callable[..., sa.Select[Any]],
    scope: RowScope,
    where: object,
    fields: tuple[str, ...],
) -> int:
    """How many rows :func:`filtered_page` pages through."""
    statement, parameters = filtered(statement_of, scope, where, fields)
    return await count(db, statement, parameters)
