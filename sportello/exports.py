"""The lists that can be downloaded as CSV (sportello/export_route.py serves them).

Each export names the GraphQL root field whose rule decides who may download it, builds its
statement from the caller's row scope and the query parameters (named like the GraphQL
arguments), and lists its columns in order, each mirroring a GraphQL field whose rule decides
whether the caller gets that column.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from authz.scope import RowScope
from db.pagination import Ordering
from db.queries import clients
from schema import ids

NO_ID = uuid.UUID(int=0)


class ExportInputError(ValueError):
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

    def statement(self, scope: RowScope, params: Mapping[str, str]) -> Any:
        unknown = sorted(set(params) - self.parameters)
        if unknown:
            raise ExportInputError(unknown[0], "is not a filter of this list")
        return self.build(scope, params)


def global_id(params: Mapping[str, str], name: str, type_name: str) -> uuid.UUID | None:
    """A filter by id; a malformed id filters like one that does not exist (nothing)."""
    value = params.get(name)
    if value is None:
        return None
    return ids.decode(type_name, value) or NO_ID


def text(params: Mapping[str, str], name: str, limit: int = 100) -> str | None:
    value = params.get(name)
    if value is not None and len(value) > limit:
        raise ExportInputError(name, f"use at most {limit} characters")
    return value


def column(header: str, type_name: str, field_name: str, attribute: str | None = None) -> Column:
    key = attribute or header
    return Column(header, type_name, field_name, lambda row: row._mapping[key])


EXPORTS: dict[str, Export] = {
    "clients": Export(
        query_field="clients",
        parameters=frozenset({"search"}),
        build=lambda scope, p: clients.clients_statement(scope, text(p, "search")),
        ordering=clients.CLIENT_ORDER,
        columns=(
            column("code", "Client", "code"),
            column("name", "Client", "name"),
            column("tax_id", "Client", "taxId"),
            column("email", "Client", "email"),
            column("phone", "Client", "phone"),
        ),
    ),
    "sites": Export(
        query_field="sites",
        parameters=frozenset({"search", "clientId"}),
        build=lambda scope, p: clients.sites_with_client_statement(
            scope, text(p, "search"), global_id(p, "clientId", "Client")
        ),
        ordering=clients.SITE_ORDER,
        columns=(
            column("client", "Site", "client", "client_name"),
            column("name", "Site", "name"),
            column("address", "Site", "address"),
            column("postal_code", "Site", "postalCode"),
            column("city", "Site", "city"),
            column("province", "Site", "province"),
            column("country", "Site", "country"),
            column("lat", "Site", "lat"),
            column("lng", "Site", "lng"),
        ),
    ),
}
