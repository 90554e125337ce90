"""What an export is: a statement built from the caller's scope and the query parameters, an
ordering, and columns that mirror GraphQL fields."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope
from db.pagination import Ordering
from db.text import unstorable
from schema.kit import ids


class ExportInputError(ValueError):
    """A query parameter refused; answered 400 BAD_USER_INPUT naming ``field``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclasses.dataclass(frozen=True)
class Column:
    header: str
    type_name: str
    field_name: str
    value: Callable[[Any], Any]


@dataclasses.dataclass(frozen=True)
class Export:
    query_field: str
    parameters: frozenset[str]
    build: Callable[[RowScope, Mapping[str, str]], Any]
    ordering: Ordering
    columns: tuple[Column, ...]
    # Run before the first row: raises NotFound when a filter names a record out of sight.
    check: Callable[[AsyncConnection, RowScope, Mapping[str, str]], Awaitable[None]] | None = None
    # What the file name says the rows are of (the bill's month); the local day otherwise.
    period: Callable[[Mapping[str, str]], str] | None = None

    def statement(self, scope: RowScope, params: Mapping[str, str]) -> Any:
        for name, value in params.items():
            reason = unstorable(name) or unstorable(value)
            if reason is not None:
                raise ExportInputError(name if unstorable(name) is None else "query", reason)
        unknown = sorted(set(params) - self.parameters)
        if unknown:
            raise ExportInputError(unknown[0], "is not a filter of this list")
        return self.build(scope, params)


def global_id(params: Mapping[str, str], name: str, type_name: str) -> uuid.UUID | None:
    """A filter by id; a malformed id filters like one that does not exist (nothing)."""
    return ids.filter_id(type_name, params.get(name))


def text(params: Mapping[str, str], name: str, limit: int = 100) -> str | None:
    value = params.get(name)
    if value is not None and len(value) > limit:
        raise ExportInputError(name, f"use at most {limit} characters")
    return value


def column(header: str, type_name: str, field_name: str, attribute: str | None = None) -> Column:
    key = attribute or header
    return Column(header, type_name, field_name, lambda row: row._mapping[key])
