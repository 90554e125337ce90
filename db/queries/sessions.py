"""Login sessions and the counters that throttle failed logins."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.principals import CONTACT_FLAGS, flags_of
from db import kept, tenancy
from db import models as m
from db.models.base import table_of
from db.queries import scopes
from db.queries.accounts import CONTACT, ORGANIZATION, SESSION, STAFF, Account, AccountKind

THROTTLE = table_of(m.LoginThrottle)
GRANT = table_of(m.PortalGrant)

# A session's last_seen_at is written at most this often, not on every request.
TOUCH_EVERY = dt.timedelta(minutes=1)
# Failures older than this no longer count.
FAILURE_MEMORY = dt.timedelta(hours=1)


@dataclasses.dataclass(frozen=True)
class OpenSession:
    id: uuid.UUID
    organization_id: uuid.UUID
    kind: AccountKind
    account_id: uuid.UUID
    # Staff: the role. Contacts: the feature flags that are on.
    role: m.StaffRole | None
    flags: frozenset[str]
    # Contacts: (clients granted whole, sites seen, clients known), see db.queries.scopes.
    grants: scopes.Grants | None = None
    # Contacts: their organization refuses document texts it does not know (persisted.py).
    registered_documents_only: bool = False


async def create(
    db: AsyncConnection,
    account: Account,
    token_hash: bytes,
    now: dt.datetime,
    expires_at: dt.datetime,
    ip: str | None,
    user_agent: str | None,
) -> uuid.UUID:
    session_id = uuid.uuid4()
    await db.execute(
        SESSION.insert().values(
            id=session_id,
            created_at=now,
            organization_id=account.organization_id,
            token_hash=token_hash,
            staff_user_id=account.id if account.kind is AccountKind.STAFF else None,
            contact_id=account.id if account.kind is AccountKind.CONTACT else None,
            last_seen_at=now,
            expires_at=expires_at,
            ip=ip,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    return session_id


def _open_session_statement() -> sa.Select[Any]:
    """Built once; the token's hash and the times are parameters."""
    contact_ok = sa.and_(
        CONTACT.c.state == m.ContactState.ACTIVE.value,
        CONTACT.c.deleted_at.is_(None),
        CONTACT.c.portal_access.is_(True),
        ORGANIZATION.c.portal_enabled.is_(True),
    )
    grants = scopes.grants_lateral(SESSION.c.contact_id)
    now = sa.bindparam("now", type_=sa.DateTime(timezone=True))
    return (
        sa.select(
            SESSION.c.id,
            SESSION.c.organization_id,
            SESSION.c.staff_user_id,
            SESSION.c.contact_id,
            SESSION.c.last_seen_at,
            STAFF.c.role,
            *(CONTACT.c[name] for name in CONTACT_FLAGS),
            grants.c.whole_clients,
            grants.c.sites,
            grants.c.clients,
            ORGANIZATION.c.refuse_unregistered_documents,
            *tenancy.binding(SESSION.c.organization_id),
        )
        .join(ORGANIZATION, ORGANIZATION.c.id == SESSION.c.organization_id)
        .outerjoin(STAFF, STAFF.c.id == SESSION.c.staff_user_id)
        .outerjoin(CONTACT, CONTACT.c.id == SESSION.c.contact_id)
        .outerjoin(grants, sa.true())
        .where(
            SESSION.c.token_hash == sa.bindparam("token_hash", type_=sa.LargeBinary),
            SESSION.c.revoked_at.is_(None),
            SESSION.c.expires_at > now,
            SESSION.c.last_seen_at > sa.bindparam("idle_since", type_=sa.DateTime(timezone=True)),
            sa.or_(STAFF.c.active.is_(True), contact_ok),
        )
    )


# Kept (db/kept.py): the first statement of nearly every request, run on the driver.
_OPEN_SESSION = kept.keep(_open_session_statement())


async def open_session(
    db: AsyncConnection, token_hash: bytes, now: dt.datetime, idle: dt.timedelta
) -> OpenSession | None:
    """The live session of a token: not revoked, not expired, not idle too long, and its
    account still allowed in. Refreshes last_seen_at (at most once a minute).

    One round trip does all of authentication: the same statement reads a contact's grants
    and, when a session is found, binds the transaction to its organization
    (:func:`db.tenancy.binding`).
    """
    parameters = {"token_hash": token_hash, "now": now, "idle_since": now - idle}
    found = await kept.execute(db, _OPEN_SESSION, parameters)
    if not found:
        return None
    row = found[0]
    if row.last_seen_at < now - TOUCH_EVERY:
        await db.execute(SESSION.update().where(SESSION.c.id == row.id).values(last_seen_at=now))
    if row.staff_user_id is not None:
        return OpenSession(
            row.id,
            row.organization_id,
            AccountKind.STAFF,
            row.staff_user_id,
            m.StaffRole(row.role),
            frozenset(),
        )
    flags = flags_of(row)
    return OpenSession(
        row.id,
        row.organization_id,
        AccountKind.CONTACT,
        row.contact_id,
        None,
        flags,
        scopes.grants_of(row.whole_clients, row.sites, row.clients),
        row.refuse_unregistered_documents,
    )


async def revoke(db: AsyncConnection, session_id: uuid.UUID, now: dt.datetime) -> None:
    await db.execute(
        SESSION.update()
        .where(SESSION.c.id == session_id, SESSION.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def waits(db: AsyncConnection, keys: list[str], now: dt.datetime) -> dict[str, int]:
    """Seconds until each blocked key may try again; keys not blocked are left out."""
    rows = await db.execute(
        sa.select(THROTTLE.c.key, THROTTLE.c.blocked_until).where(
            THROTTLE.c.key.in_(keys), THROTTLE.c.blocked_until > now
        )
    )
    return {key: max(1, int((until - now).total_seconds() + 0.999)) for key, until in rows}


async def record_failures(
    db: AsyncConnection, free_failures: dict[str, int], now: dt.datetime, max_backoff: int
) -> None:
    """Count a failure under each key, in one statement; past its free failures (the value of
    ``free_failures`` for the key) a key waits 1, 2, 4, ... seconds, at most ``max_backoff``."""
    free = sa.case(
        *((THROTTLE.c.key == key, allowed) for key, allowed in free_failures.items()),
        else_=0,
    )
    stale = THROTTLE.c.last_failure_at < now - FAILURE_MEMORY
    failures = sa.case((stale, 1), else_=THROTTLE.c.failures + 1)
    over = failures - free
    wait = sa.func.least(sa.func.power(2, sa.func.greatest(over - 1, 0)), max_backoff)
    blocked = sa.case((over > 0, now + sa.func.make_interval(0, 0, 0, 0, 0, 0, wait)), else_=None)
    statement = insert(THROTTLE).values(
        [{"key": key, "failures": 1, "last_failure_at": now} for key in sorted(free_failures)]
    )
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=[THROTTLE.c.key],
            set_={"failures": failures, "last_failure_at": now, "blocked_until": blocked},
        )
    )


async def clear(db: AsyncConnection, keys: list[str]) -> None:
    await db.execute(THROTTLE.delete().where(THROTTLE.c.key.in_(keys)))
