"""The columns of the list exports, each mirroring a GraphQL field of the listed type."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from schema.kit import ids
from schema.staff import Technician
from sportello.exports.base import Column


def enum_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def mirrored(type_name: str, *fields: str, **computed: Callable[[Any], Any]) -> tuple[Column, ...]:
    """Columns mirroring fields of ``type_name``, headed and read by their snake_case names.

    ``computed`` maps a field to its value when it is not the row's column of the same name.
    """
    columns = []
    for field in fields:
        header = snake(field)
        value = computed.get(field) or attribute(header)
        columns.append(Column(header, type_name, field, value))
    return tuple(columns)


def attribute(name: str) -> Callable[[Any], Any]:
    return lambda row: enum_value(row._mapping[name])


def link(type_name: str, attribute: str) -> Callable[[Any], Any]:
    """A relation field as the global id of the record it names (empty when none)."""

    def value(row: Any) -> Any:
        key = row._mapping[attribute]
        return ids.encode(type_name, key) if key is not None else None

    return value


def technician() -> tuple[Column, ...]:
    """The technician as contacts read it (first name, initial); its staff user id for staff."""

    def name(row: Any) -> str | None:
        technician = Technician.from_row(row)
        return technician.display_name if technician is not None else None

    return (
        Column("technician", "Technician", "displayName", name),
        Column("technician_id", "Technician", "staffUser", link("StaffUser", "technician_id")),
    )


def places_of(type_name: str, *fields: str) -> tuple[Column, ...]:
    """Columns of relation fields (``client``, ``site``, ...) holding global ids, each client
    and site followed by its name (``client_name``, selected by db.queries.clients.with_names)."""
    types = {"client": ("Client", "client_id"), "site": ("Site", "site_id")}
    types |= {"appointment": ("Appointment", "intervention_id")}
    columns = []
    for field in fields:
        target, key = types[field]
        columns.append(Column(f"{field}_id", type_name, field, link(target, key)))
        if field in ("client", "site"):
            columns.append(Column(f"{field}_name", type_name, field, attribute(f"{field}_name")))
    return tuple(columns)


def grants() -> tuple[Column, ...]:
    """An access's clients and sites (db.queries.portal_access.with_grants): their names
    joined in one cell, and their global ids in the same order in the next."""

    def keys(row: Any) -> list[str]:
        pairs = zip(row.grant_client_ids or [], row.grant_site_ids or [], strict=True)
        return [ids.encode("Client", c) if c else ids.encode("Site", s) for c, s in pairs]

    return (
        Column("grants", "PortalGrant", "name", lambda row: row.grant_names or []),
        Column("grant_ids", "PortalAccess", "grants", keys),
    )


def minutes(row: Any) -> int | None:
    if row.clock_out is None:
        return None
    return int((row.clock_out - row.clock_in).total_seconds() // 60)


def author(full: bool) -> Callable[[Any], Any]:
    def value(row: Any) -> str | None:
        first, last = row.author_first_name, row.author_last_name
        if first is None:
            return None
        return f"{first} {last}" if full else (f"{first} {last[:1]}." if last else first)

    return value


def id_column(type_name: str) -> Column:
    return Column("id", type_name, "id", link(type_name, "id"))


def bill(type_name: str, *fields: str) -> tuple[Column, ...]:
    """Columns of quotes and invoices: cost and margin are staff-only fields."""
    return (
        id_column(type_name),
        *mirrored(type_name, *fields, "status", "netCents", "vatCents", "totalCents", "currency"),
        *mirrored(type_name, "costCents", "marginCents", marginCents=margin),
        *places_of(type_name, "client", "site"),
    )


def margin(row: Any) -> int:
    return int(row.net_cents - row.cost_cents)
