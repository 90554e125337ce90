"""The benchmark's workloads: one GraphQL document plus one hand-written floor handler each.

A workload is ``<name>.graphql`` (what Sportello is sent), ``<name>.postgraphile.graphql``
(the same data asked of PostGraphile, when it can answer it) and ``<name>.py``, a module
holding ``WORKLOAD``: how to build the variables from the fixture, and the floor's handler,
which answers the same request body with byte-for-byte Sportello's JSON. Add a workload by
adding those files and its module name to ``NAMES``.
"""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

HERE = Path(__file__).resolve().parent

# In the order they are run and reported.
NAMES = ("portal_site", "timesheet_page", "intervention_report", "login")


@dataclass(frozen=True)
class Fixture:
    """The records the workloads are about, found in the seeded database by bench/run.py."""

    organization_slug: str
    organization_id: uuid.UUID
    today: dt.date
    staff_email: str
    contact_email: str
    site_id: uuid.UUID
    password: str
    # Bearer tokens by principal ("staff", "contact", "partner"), valid for every server
    # that authenticates (Sportello and the floor read the same session table).
    tokens: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Caller:
    """Who the floor authenticated: the organization, and for a contact its id and flags."""

    organization_id: uuid.UUID
    contact_id: uuid.UUID | None = None
    flags: frozenset[str] = frozenset()


# (connection inside the request's transaction, the caller or None for public operations,
#  variables, the client's address) -> the response body's "data".
FloorHandler = Callable[
    [asyncpg.Connection, Caller | None, dict[str, Any], str | None], Awaitable[dict[str, Any]]
]


@dataclass(frozen=True)
class Workload:
    name: str
    title: str
    # Whose bearer token the request carries: "staff", "contact", "partner", or None.
    principal: str | None
    variables: Callable[[Fixture], dict[str, Any]]
    floor: FloorHandler
    postgraphile_variables: Callable[[Fixture], dict[str, Any]] | None = None
    # PostGraphile's data turned into Sportello's values where they are derived differently.
    adapt_postgraphile: Callable[[Any], Any] = lambda data: data
    # Why PostGraphile does not take part, when it does not.
    no_postgraphile: str | None = None
    # Whether two answers may differ (fresh tokens and times): then only the shape is compared.
    changes_every_time: bool = False
    # Relations the document follows (issue 9's goal: statements per request at most
    # PostGraphile's plus this number).
    relation_edges: int = 0

    @property
    def document(self) -> str:
        return (HERE / f"{self.name}.graphql").read_text()

    @property
    def operation_name(self) -> str:
        for line in self.document.splitlines():
            words = line.replace("(", " ").replace("{", " ").split()
            if words and words[0] in {"query", "mutation"}:
                return words[1]
        raise ValueError(f"{self.name}.graphql has no named operation")

    @property
    def postgraphile_document(self) -> str | None:
        path = HERE / f"{self.name}.postgraphile.graphql"
        return path.read_text() if path.is_file() else None


def load() -> list[Workload]:
    workloads = []
    for name in NAMES:
        module = importlib.import_module(f"bench.workloads.{name}")
        workload: Workload = module.WORKLOAD
        workloads.append(workload)
    return workloads


def global_id(type_name: str, row_id: uuid.UUID) -> str:
    """Sportello's opaque id (schema/kit/ids.py), written again so the floor imports no service."""
    raw = f"{type_name}:{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_id(type_name: str, value: str) -> uuid.UUID | None:
    """The uuid inside a Sportello id of ``type_name``; None for anything else."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        kind, _, text = raw.partition(":")
        return uuid.UUID(text) if kind == type_name else None
    except ValueError:
        return None


def iso(value: dt.datetime | dt.date | None) -> str | None:
    return None if value is None else value.isoformat()
