"""Partner API tokens: created by an admin, shown once, listed by their last four characters."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import kept, tenancy
from db import models as m
from db.models.base import table_of

TOKEN = table_of(m.PartnerToken)
TOKEN_CLIENT = table_of(m.PartnerTokenClient)
CLIENT = table_of(m.Client)
SITE = table_of(m.Site)

# last_used_at is written at most this often.
TOUCH_EVERY = dt.timedelta(minutes=1)


@dataclasses.dataclass(frozen=True)
class OpenToken:
    id: uuid.UUID
    organization_id: uuid.UUID
    scopes: frozenset[str]
    # None: every client of the organization.
    client_ids: frozenset[uuid.UUID] | None
    # The sites of those clients (empty for a token of every client).
    site_ids: frozenset[uuid.UUID]


@dataclasses.dataclass(frozen=True)
class TokenRow:
    id: uuid.UUID
    name: str
    last_four: str
    scopes: list[str]
    client_ids: list[uuid.UUID]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


def _open_token_statement() -> sa.Select[Any]:
    """Built once; the token's hash and the time are parameters."""
    of_token = TOKEN_CLIENT.c.partner_token_id == TOKEN.c.id
    client_ids = sa.select(sa.func.array_agg(TOKEN_CLIENT.c.client_id)).where(of_token)
    site_ids = (
        sa.select(sa.func.array_agg(SITE.c.id))
        .join(TOKEN_CLIENT, TOKEN_CLIENT.c.client_id == SITE.c.client_id)
        .where(of_token)
    )
    now = sa.bindparam("now", type_=sa.DateTime(timezone=True))
    return sa.select(
        TOKEN.c.id,
        TOKEN.c.organization_id,
        TOKEN.c.scopes,
        TOKEN.c.last_used_at,
        client_ids.scalar_subquery().label("client_ids"),
        site_ids.scalar_subquery().label("site_ids"),
        *tenancy.binding(TOKEN.c.organization_id),
    ).where(
        TOKEN.c.token_hash == sa.bindparam("token_hash", type_=sa.LargeBinary),
        TOKEN.c.revoked_at.is_(None),
        sa.or_(TOKEN.c.expires_at.is_(None), TOKEN.c.expires_at > now),
    )


# Kept (db/kept.py): the first statement of every partner request, run on the driver.
_OPEN_TOKEN = kept.keep(_open_token_statement())


async def open_token(db: AsyncConnection, token_hash: bytes, now: dt.datetime) -> OpenToken | None:
    """The token with this hash when it is neither revoked nor expired; records its use
    (at most once a minute).

    One round trip does all of authentication, as a session's lookup does
    (db/queries/sessions.py): the same statement reads the token's clients and their sites
    and, when the token is found, binds the transaction to its organization.
    """
    found = await kept.execute(db, _OPEN_TOKEN, {"token_hash": token_hash, "now": now})
    if not found:
        return None
    row = found[0]
    if row.last_used_at is None or row.last_used_at < now - TOUCH_EVERY:
        await db.execute(TOKEN.update().where(TOKEN.c.id == row.id).values(last_used_at=now))
    clients = frozenset(row.client_ids or ())
    return OpenToken(
        row.id,
        row.organization_id,
        frozenset(row.scopes),
        clients or None,
        frozenset(row.site_ids or ()),
    )


async def create(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    *,
    name: str,
    token_hash: bytes,
    last_four: str,
    scopes: list[str],
    client_ids: list[uuid.UUID],
    expires_at: dt.datetime | None,
    created_by_id: uuid.UUID,
    now: dt.datetime,
) -> uuid.UUID:
    token_id = uuid.uuid4()
    await db.execute(
        TOKEN.insert().values(
            id=token_id,
            created_at=now,
            organization_id=organization_id,
            name=name,
            token_hash=token_hash,
            last_four=last_four,
            scopes=sorted(set(scopes)),
            expires_at=expires_at,
            created_by_id=created_by_id,
        )
    )
    if client_ids:
        await db.execute(
            TOKEN_CLIENT.insert(),
            [
                {
                    "id": uuid.uuid4(),
                    "created_at": now,
                    "organization_id": organization_id,
                    "partner_token_id": token_id,
                    "client_id": client_id,
                }
                for client_id in sorted(set(client_ids))
            ],
        )
    return token_id


async def existing_clients(
    db: AsyncConnection, organization_id: uuid.UUID, client_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of ``client_ids`` are clients of the organization."""
    found = await db.scalars(
        sa.select(CLIENT.c.id).where(
            CLIENT.c.organization_id == organization_id, CLIENT.c.id.in_(client_ids)
        )
    )
    return set(found)


async def list_tokens(db: AsyncConnection, organization_id: uuid.UUID) -> list[TokenRow]:
    clients = (
        sa.select(sa.func.array_agg(sa.func.distinct(TOKEN_CLIENT.c.client_id)))
        .where(TOKEN_CLIENT.c.partner_token_id == TOKEN.c.id)
        .scalar_subquery()
    )
    rows = await db.execute(
        sa.select(
            TOKEN.c.id,
            TOKEN.c.name,
            TOKEN.c.last_four,
            TOKEN.c.scopes,
            sa.func.coalesce(clients, sa.literal([], sa.ARRAY(sa.Uuid()))).label("client_ids"),
            TOKEN.c.created_at,
            TOKEN.c.expires_at,
            TOKEN.c.last_used_at,
            TOKEN.c.revoked_at,
        )
        .where(TOKEN.c.organization_id == organization_id)
        .order_by(TOKEN.c.created_at.desc(), TOKEN.c.id)
    )
    return [TokenRow(**row._mapping) for row in rows]


async def revoke(
    db: AsyncConnection, organization_id: uuid.UUID, token_id: uuid.UUID, now: dt.datetime
) -> bool:
    """Revoke a token of the organization; False when there is no such token."""
    result = await db.execute(
        TOKEN.update()
        .where(TOKEN.c.id == token_id, TOKEN.c.organization_id == organization_id)
        .values(revoked_at=sa.func.coalesce(TOKEN.c.revoked_at, now))
        .returning(TOKEN.c.id)
    )
    return result.first() is not None
