"""Portal accesses (contacts) as staff manage them: grants, flags, deletion, portal switches.

Whatever takes a contact's access away (its portal access flag, the organization's or a
granted client's portal switched off, deletion, a credentials reset) revokes its sessions in
the same transaction: switching back on never brings an old session back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.principals import CONTACT_FLAGS
from authz.scope import RowScope, restrict
from db import models as m
from db.models.base import table_of
from db.pagination import Ordering
from db.queries.accounts import CONTACT, ORGANIZATION, SESSION, AccountKind, end_sessions

GRANT = table_of(m.PortalGrant)
CLIENT = table_of(m.Client)
SITE = table_of(m.Site)
TOKEN = table_of(m.AccountToken)

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


def _live(organization_id: uuid.UUID) -> list[sa.ColumnElement[bool]]:
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
    conditions = _live(organization_id)
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
    escaped = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    columns = (
        CONTACT.c.first_name,
        CONTACT.c.last_name,
        CONTACT.c.email,
        CONTACT.c.username,
        CONTACT.c.first_name + " " + CONTACT.c.last_name,
    )
    return sa.or_(*(sa.func.lower(column).like(pattern, escape="\\") for column in columns))


def accesses_statement(scope: RowScope, search: str | None) -> sa.Select[Any]:
    """The live accesses of :func:`list_accesses` as one statement to page through in
    ACCESS_ORDER (the CSV export), with their grants (:func:`with_grants`)."""
    profile = (c for c in CONTACT.c if c.name != "password_hash")
    statement = restrict(sa.select(*profile, *ACCESS_ORDER.columns[:2]), m.Contact, scope)
    statement = statement.where(CONTACT.c.deleted_at.is_(None))
    if search:
        statement = statement.where(_matching(search))
    return with_grants(statement)


def with_grants(statement: sa.Select[Any]) -> sa.Select[Any]:
    """``statement`` on ``contact`` with each access's grants, by name: ``grant_names`` (a
    client's name, or "client - site" for a single site), and in the same order
    ``grant_client_ids`` and ``grant_site_ids`` (one of the two set per grant)."""
    site_client = sa.orm.aliased(CLIENT)
    name = sa.func.coalesce(CLIENT.c.name, site_client.c.name + " - " + SITE.c.name)
    grants = (
        GRANT.outerjoin(CLIENT, CLIENT.c.id == GRANT.c.client_id)
        .outerjoin(SITE, SITE.c.id == GRANT.c.site_id)
        .outerjoin(site_client, site_client.c.id == SITE.c.client_id)
    )
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
    site_client = sa.orm.aliased(CLIENT)
    rows = await db.execute(
        sa.select(
            GRANT.c.contact_id,
            GRANT.c.client_id,
            GRANT.c.site_id,
            sa.func.coalesce(CLIENT.c.name, site_client.c.name + " - " + SITE.c.name).label("name"),
        )
        .outerjoin(CLIENT, CLIENT.c.id == GRANT.c.client_id)
        .outerjoin(SITE, SITE.c.id == GRANT.c.site_id)
        .outerjoin(site_client, site_client.c.id == SITE.c.client_id)
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


async def email_taken(
    db: AsyncConnection, organization_id: uuid.UUID, email: str, but: uuid.UUID | None = None
) -> bool:
    conditions = [*_live(organization_id), sa.func.lower(CONTACT.c.email) == email.lower()]
    if but is not None:
        conditions.append(CONTACT.c.id != but)
    return bool(await db.scalar(sa.select(sa.exists().where(*conditions))))


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
                *_live(organization_id), sa.func.lower(CONTACT.c.username).like(base + "%")
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
    conditions = [*_live(organization_id), sa.func.lower(CONTACT.c.username) == username.lower()]
    if but is not None:
        conditions.append(CONTACT.c.id != but)
    return bool(await db.scalar(sa.select(sa.exists().where(*conditions))))


class Taken(Exception):
    """Another live access took this email or username after it was checked (two requests
    at once): the unique index decided. ``field`` is the input field at fault."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


# The unique indexes of a live contact, by the input field they protect.
_UNIQUE = {"uq_contact_org_email": "email", "uq_contact_org_username": "username"}


@contextlib.asynccontextmanager
async def _unique_fields() -> AsyncIterator[None]:
    try:
        yield
    except IntegrityError as error:
        taken = next((f for name, f in _UNIQUE.items() if name in str(error.orig)), None)
        if taken is None:
            raise
        raise Taken(taken) from None


async def create(
    db: AsyncConnection, organization_id: uuid.UUID, values: dict[str, Any], now: dt.datetime
) -> uuid.UUID:
    """A new access; :class:`Taken` when its email or username was just taken."""
    contact_id = uuid.uuid4()
    async with _unique_fields():
        await db.execute(
            CONTACT.insert().values(
                id=contact_id,
                created_at=now,
                organization_id=organization_id,
                state=m.ContactState.INVITED.value,
                password_hash=None,
                **values,
            )
        )
    return contact_id


async def update(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    contact_id: uuid.UUID,
    values: dict[str, Any],
    now: dt.datetime,
) -> bool:
    """Change profile fields and flags of a live access; False when there is none,
    :class:`Taken` when its new email or username was just taken. Switching its portal access
    off ends its sessions for good (switching it back on needs a new login)."""
    statement = CONTACT.update().where(*_live(organization_id), CONTACT.c.id == contact_id)
    # With nothing to change the statement still tells whether the access exists.
    statement = statement.values(**values) if values else statement.values(id=CONTACT.c.id)
    async with _unique_fields():
        result = await db.execute(statement.returning(CONTACT.c.id))
    found = result.first() is not None
    if found and values.get("portal_access") is False:
        await end_sessions(db, AccountKind.CONTACT, contact_id, now)
    return found


async def replace_grants(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    contact_id: uuid.UUID,
    client_ids: Sequence[uuid.UUID],
    site_ids: Sequence[uuid.UUID],
    now: dt.datetime,
) -> None:
    await db.execute(GRANT.delete().where(GRANT.c.contact_id == contact_id))
    rows = [{"client_id": client_id, "site_id": None} for client_id in sorted(set(client_ids))] + [
        {"client_id": None, "site_id": site_id} for site_id in sorted(set(site_ids))
    ]
    if rows:
        await db.execute(
            GRANT.insert(),
            [
                {
                    "id": uuid.uuid4(),
                    "created_at": now,
                    "organization_id": organization_id,
                    "contact_id": contact_id,
                    **row,
                }
                for row in rows
            ],
        )


async def reset_credentials(
    db: AsyncConnection, organization_id: uuid.UUID, contact_id: uuid.UUID, now: dt.datetime
) -> bool:
    """Forget the password (back to INVITED, unless disabled) and end every session."""
    found = await db.execute(
        CONTACT.update()
        .where(*_live(organization_id), CONTACT.c.id == contact_id)
        .values(
            password_hash=None,
            state=sa.case(
                (CONTACT.c.state == m.ContactState.DISABLED.value, CONTACT.c.state),
                else_=m.ContactState.INVITED.value,
            ),
        )
        .returning(CONTACT.c.id)
    )
    if found.first() is None:
        return False
    await end_sessions(db, AccountKind.CONTACT, contact_id, now)
    return True


async def delete(
    db: AsyncConnection, organization_id: uuid.UUID, contact_id: uuid.UUID, now: dt.datetime
) -> bool:
    """Delete an access: kept for billing with deleted_at, sessions and links end at once."""
    found = await db.execute(
        CONTACT.update()
        .where(*_live(organization_id), CONTACT.c.id == contact_id)
        .values(deleted_at=now, password_hash=None, state=m.ContactState.DISABLED.value)
        .returning(CONTACT.c.id)
    )
    if found.first() is None:
        return False
    await end_sessions(db, AccountKind.CONTACT, contact_id, now)
    await db.execute(
        TOKEN.update()
        .where(TOKEN.c.contact_id == contact_id, TOKEN.c.used_at.is_(None))
        .values(superseded_at=sa.func.coalesce(TOKEN.c.superseded_at, now))
    )
    return True


async def _end_contact_sessions(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    now: dt.datetime,
    *contacts: sa.ColumnElement[bool],
) -> None:
    """Revoke the open sessions of the organization's contacts (all of them, or those the
    ``contacts`` conditions select), in the caller's transaction."""
    await db.execute(
        SESSION.update()
        .where(
            SESSION.c.organization_id == organization_id,
            SESSION.c.contact_id.is_not(None),
            SESSION.c.revoked_at.is_(None),
            *contacts,
        )
        .values(revoked_at=now)
    )


async def set_organization_portal(
    db: AsyncConnection, organization_id: uuid.UUID, enabled: bool, now: dt.datetime
) -> None:
    """Switch the organization's portal; off ends every contact's sessions for good."""
    await db.execute(
        ORGANIZATION.update()
        .where(ORGANIZATION.c.id == organization_id)
        .values(portal_enabled=enabled)
    )
    if not enabled:
        await _end_contact_sessions(db, organization_id, now)


async def set_client_portal(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    client_id: uuid.UUID,
    enabled: bool,
    now: dt.datetime,
) -> bool:
    """Switch one client's portal; False when there is no such client.

    Off ends, for good, the sessions of every contact granted that client or one of its
    sites, also of contacts who keep other clients: a session never outlives a switch that
    took something from it, so what is switched back on is seen only after a new login.
    """
    result = await db.execute(
        CLIENT.update()
        .where(CLIENT.c.organization_id == organization_id, CLIENT.c.id == client_id)
        .values(portal_enabled=enabled)
        .returning(CLIENT.c.id)
    )
    if result.first() is None:
        return False
    if not enabled:
        granted = (
            sa.select(GRANT.c.contact_id)
            .outerjoin(SITE, SITE.c.id == GRANT.c.site_id)
            .where(
                GRANT.c.organization_id == organization_id,
                sa.or_(GRANT.c.client_id == client_id, SITE.c.client_id == client_id),
            )
        )
        await _end_contact_sessions(db, organization_id, now, SESSION.c.contact_id.in_(granted))
    return True
