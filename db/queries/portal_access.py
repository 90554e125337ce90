"""Portal accesses (contacts) as staff see them: the list with grants and flags, and the
checks before a change (db/queries/portal_access_actions.py makes the changes).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.principals import CONTACT_FLAGS
from authz.scope import RowScope, restrict
from db import models as m
from db.models.base import table_of
from db.pagination import Ordering
from db.queries.accounts import CONTACT
from db.text import contains

GRANT = table_of(m.PortalGrant)
CLIENT = table_of(m.Client)
SITE = table_of(m.Site)

# By last then first name whatever their case; the lowered names are selected as these labels.
ACCESS_ORDER = Ordering(
    (
        sa.func.lower(CONTACT.c.last_name, type_=sa.String()).label("last_name_key"),
        sa.func.lower(CONTACT.c.first_name, type_=sa.String()).label("first_name_key"),
        CONTACT.c.id,
    )
)

# The contact's feature flags, one column each.
FLAGS = CONTACT_FLAGS
PROFILE = ("first_name", "last_name", "username", "email", "phone", "mobile", "notes", "locale")


@dataclasses.dataclass(frozen=True)
class GrantRow:
    client_id: uuid.UUID | None
    site_id: uuid.UUID | None
    name: str


@dataclasses.dataclass(frozen=True)
class AccessRow:
    id: uuid.UUID
    first_name: str
    last_name: str
    username: str
    email: str
    phone: str | None
    mobile: str | None
    notes: str
    locale: str | None
    state: str
    last_login_at: dt.datetime | None
    created_at: dt.datetime
    flags: dict[str, bool]
    grants: list[GrantRow]


def live(organization_id: uuid.UUID) -> list[sa.ColumnElement[bool]]:
    """The organization's contacts that are not deleted."""
    return [CONTACT.c.organization_id == organization_id, CONTACT.c.deleted_at.is_(None)]


async def list_accesses(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    *,
    search: str | None,
    limit: int,
    ids: Sequence[uuid.UUID] | None = None,
) -> list[AccessRow]:
    """Accesses not deleted, by last then first name; ``search`` matches name, username, email."""
    conditions = live(organization_id)
    if search:
        conditions.append(_matching(search))
    if ids is not None:
        conditions.append(CONTACT.c.id.in_(list(ids)))
    rows = (
        await db.execute(
            sa.select(CONTACT).where(*conditions).order_by(*ACCESS_ORDER.columns).limit(limit)
        )
    ).all()
    grants = await _grants(db, [row.id for row in rows])
    return [
        AccessRow(
            **{name: row._mapping[name] for name in ("id", *PROFILE[:-1])},
            locale=row.locale,
            state=row.state,
            last_login_at=row.last_login_at,
            created_at=row.created_at,
            flags={name: bool(row._mapping[name]) for name in FLAGS},
            grants=grants.get(row.id, []),
        )
        for row in rows
    ]


def _matching(search: str) -> sa.ColumnElement[bool]:
    """An access whose name, username or email contains ``search`` (any case)."""
    columns = (
        CONTACT.c.first_name,
        CONTACT.c.last_name,
        CONTACT.c.email,
        CONTACT.c.username,
        CONTACT.c.first_name + " " + CONTACT.c.last_name,
    )
    return contains(columns, search)


def accesses_statement(scope: RowScope, search: str | None) -> sa.Select[Any]:
    """The live accesses of :func:`list_accesses` as one statement to page through in
    ACCESS_ORDER (the CSV export), with their grants (:func:`with_grants`)."""
    profile = (c for c in CONTACT.c if c.name != "password_hash")
    statement = restrict(sa.select(*profile, *ACCESS_ORDER.columns[:2]), m.Contact, scope)
    statement = statement.where(CONTACT.c.deleted_at.is_(None))
    if search:
        statement = statement.where(_matching(search))
    return with_grants(statement)


def _named_grants() -> tuple[sa.Join, sa.ColumnElement[str]]:
    """The grants joined to what they grant, and the name of that: a client's name, or
    "client - site" for a single site."""
    site_client = sa.orm.aliased(CLIENT)
    grants = (
        GRANT.outerjoin(CLIENT, CLIENT.c.id == GRANT.c.client_id)
        .outerjoin(SITE, SITE.c.id == GRANT.c.site_id)
        .outerjoin(site_client, site_client.c.id == SITE.c.client_id)
    )
    return grants, sa.func.coalesce(CLIENT.c.name, site_client.c.name + " - " + SITE.c.name)


def with_grants(statement: sa.Select[Any]) -> sa.Select[Any]:
    """``statement`` on ``contact`` with each access's grants, by name: ``grant_names`` (a
    client's name, or "client - site" for a single site), and in the same order
    ``grant_client_ids`` and ``grant_site_ids`` (one of the two set per grant)."""
    grants, name = _named_grants()
    order = (name, GRANT.c.id)

    def listed(value: sa.ColumnElement[Any], label: str) -> sa.Label[Any]:
        aggregated = sa.func.array_agg(aggregate_order_by(value, *order))
        return (
            sa.select(aggregated)
            .select_from(grants)
            .where(GRANT.c.contact_id == CONTACT.c.id)
            .scalar_subquery()
            .label(label)
        )

    return statement.add_columns(
        listed(name, "grant_names"),
        listed(GRANT.c.client_id, "grant_client_ids"),
        listed(GRANT.c.site_id, "grant_site_ids"),
    )


async def _grants(
    db: AsyncConnection, contact_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[GrantRow]]:
    """Every grant of the given contacts, with the client's or site's name, in one statement."""
    if not contact_ids:
        return {}
    grants, name = _named_grants()
    rows = await db.execute(
        sa.select(GRANT.c.contact_id, GRANT.c.client_id, GRANT.c.site_id, name.label("name"))
        .select_from(grants)
        .where(GRANT.c.contact_id.in_(contact_ids))
        .order_by(GRANT.c.contact_id, sa.text("name"))
    )
    found: dict[uuid.UUID, list[GrantRow]] = {}
    for row in rows:
        found.setdefault(row.contact_id, []).append(GrantRow(row.client_id, row.site_id, row.name))
    return found


async def unknown_targets(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    client_ids: Sequence[uuid.UUID],
    site_ids: Sequence[uuid.UUID],
) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """Which of the given clients and sites are not of this organization."""
    clients = set(
        await db.scalars(
            sa.select(CLIENT.c.id).where(
                CLIENT.c.organization_id == organization_id, CLIENT.c.id.in_(list(client_ids))
            )
        )
    )
    sites = set(
        await db.scalars(
            sa.select(SITE.c.id).where(
                SITE.c.organization_id == organization_id, SITE.c.id.in_(list(site_ids))
            )
        )
    )
    return set(client_ids) - clients, set(site_ids) - sites


async def _taken(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    column: sa.ColumnElement[str],
    value: str,
    but: uuid.UUID | None,
) -> bool:
    """Another live access than ``but`` has ``value`` in ``column`` (any case)."""
    conditions = [*live(organization_id), sa.func.lower(column) == value.lower()]
    if but is not None:
        conditions.append(CONTACT.c.id != but)
    return bool(await db.scalar(sa.select(sa.exists().where(*conditions))))


async def email_taken(
    db: AsyncConnection, organization_id: uuid.UUID, email: str, but: uuid.UUID | None = None
) -> bool:
    return await _taken(db, organization_id, CONTACT.c.email, email, but)


async def free_username(
    db: AsyncConnection, organization_id: uuid.UUID, first_name: str, last_name: str
) -> str:
    """``first.last`` in plain lowercase letters, with a number when it is taken."""

    def plain(text: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "", ascii_text.lower())

    base = ".".join(part for part in (plain(first_name), plain(last_name)) if part) or "user"
    base = base[:90]
    taken = set(
        await db.scalars(
            sa.select(sa.func.lower(CONTACT.c.username)).where(
                *live(organization_id), sa.func.lower(CONTACT.c.username).like(base + "%")
            )
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


async def username_taken(
    db: AsyncConnection, organization_id: uuid.UUID, username: str, but: uuid.UUID | None = None
) -> bool:
    return await _taken(db, organization_id, CONTACT.c.username, username, but)
