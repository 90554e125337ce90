"""Portal accesses (contacts) as staff change them: create, update, grants, credentials,
deletion, portal switches.

Whatever takes a contact's access away (its portal access flag, the organization's or a
granted client's portal switched off, deletion, a credentials reset) revokes its sessions in
the same transaction: switching back on never brings an old session back.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import models as m
from db.queries.accounts import (
    CONTACT,
    ORGANIZATION,
    SESSION,
    AccountKind,
    end_access,
    end_sessions,
)
from db.queries.portal_access import CLIENT, GRANT, SITE, live
from db.scoped.records import taken_on

# The unique indexes of a live contact, by the input field they protect.
_UNIQUE = {"uq_contact_org_email": "email", "uq_contact_org_username": "username"}


async def create(
    db: AsyncConnection, organization_id: uuid.UUID, values: dict[str, Any], now: dt.datetime
) -> uuid.UUID:
    """A new access; :class:`Taken` when its email or username was just taken."""
    contact_id = uuid.uuid4()
    with taken_on(_UNIQUE):
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


async def _change(
    db: AsyncConnection, organization_id: uuid.UUID, contact_id: uuid.UUID, values: dict[str, Any]
) -> bool:
    """Set ``values`` on a live access; False when there is none."""
    result = await db.execute(
        CONTACT.update()
        .where(*live(organization_id), CONTACT.c.id == contact_id)
        .values(**values)
        .returning(CONTACT.c.id)
    )
    return result.first() is not None


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
    with taken_on(_UNIQUE):
        # With nothing to change the statement still tells whether the access exists.
        found = await _change(db, organization_id, contact_id, values or {"id": CONTACT.c.id})
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
    state = sa.case(
        (CONTACT.c.state == m.ContactState.DISABLED.value, CONTACT.c.state),
        else_=m.ContactState.INVITED.value,
    )
    if not await _change(db, organization_id, contact_id, {"password_hash": None, "state": state}):
        return False
    await end_sessions(db, AccountKind.CONTACT, contact_id, now)
    return True


async def delete(
    db: AsyncConnection, organization_id: uuid.UUID, contact_id: uuid.UUID, now: dt.datetime
) -> bool:
    """Delete an access: kept for billing with deleted_at, sessions and links end at once."""
    gone = {"deleted_at": now, "password_hash": None, "state": m.ContactState.DISABLED.value}
    if not await _change(db, organization_id, contact_id, gone):
        return False
    await end_access(db, AccountKind.CONTACT, contact_id, now)
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
