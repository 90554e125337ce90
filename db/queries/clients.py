"""Clients and their sites, within a row scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, Scoping, restrict
from db import models as m
from db.models.base import table_of
from db.pagination import (
    Ordering,
    Page,
    PageRequest,
    count,
    fetch_page,
)
from db.scoped.nested import child_lists, rows_by_id
from db.text import contains

CLIENT = table_of(m.Client)
SITE = table_of(m.Site)

CLIENT_ORDER = Ordering((CLIENT.c.name, CLIENT.c.id))
SITE_ORDER = Ordering((SITE.c.name, SITE.c.id))


def clients_statement(scope: Scoping, search: str | None = None) -> sa.Select[Any]:
    statement = restrict(sa.select(CLIENT), m.Client, scope)
    if search:
        statement = statement.where(contains((CLIENT.c.name, CLIENT.c.code), search))
    return statement


async def client_page(
    db: AsyncConnection, scope: RowScope, request: PageRequest, search: str | None = None
) -> Page:
    return await fetch_page(db, clients_statement(scope, search), CLIENT_ORDER, request)


async def client_count(db: AsyncConnection, scope: RowScope, search: str | None = None) -> int:
    return await count(db, clients_statement(scope, search))


async def clients_by_id(
    db: AsyncConnection, scope: RowScope, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Rows in the order of ``ids``; None for an id that does not exist or is out of scope."""
    return await rows_by_id(db, clients_statement, scope, CLIENT.c.id, ids)


def sites_statement(
    scope: Scoping, search: str | None = None, client_id: uuid.UUID | None = None
) -> sa.Select[Any]:
    statement = restrict(sa.select(SITE), m.Site, scope)
    if search:
        statement = statement.where(contains((SITE.c.name, SITE.c.address, SITE.c.city), search))
    if client_id is not None:
        statement = statement.where(SITE.c.client_id == client_id)
    return statement


async def site_page(
    db: AsyncConnection,
    scope: RowScope,
    request: PageRequest,
    search: str | None = None,
    client_id: uuid.UUID | None = None,
) -> Page:
    return await fetch_page(db, sites_statement(scope, search, client_id), SITE_ORDER, request)


async def site_count(
    db: AsyncConnection,
    scope: RowScope,
    search: str | None = None,
    client_id: uuid.UUID | None = None,
) -> int:
    return await count(db, sites_statement(scope, search, client_id))


async def sites_by_id(
    db: AsyncConnection, scope: RowScope, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    return await rows_by_id(db, sites_statement, scope, SITE.c.id, ids)


sites_of_clients, site_counts_of_clients = child_lists(
    sites_statement, SITE.c.client_id, SITE_ORDER
)


def sites_with_client_statement(
    scope: RowScope, search: str | None = None, client_id: uuid.UUID | None = None
) -> sa.Select[Any]:
    """Sites with their client's name (for exports), within the scope."""
    return with_names(sites_statement(scope, search, client_id), SITE)


def with_names(statement: sa.Select[Any], table: sa.Table) -> sa.Select[Any]:
    """``statement`` on ``table`` with the names of the client and the site its rows belong to
    (``client_name``, ``site_name``, where ``table`` has those columns; null when none): what a
    CSV export prints beside their ids. Each is the row's own client or site, which any caller
    seeing the row may know by name."""
    names = []
    for target, key in ((CLIENT, "client_id"), (SITE, "site_id")):
        if key in table.c:
            named = sa.select(target.c.name).where(target.c.id == table.c[key])
            names.append(named.scalar_subquery().label(key.removesuffix("_id") + "_name"))
    return statement.add_columns(*names)
