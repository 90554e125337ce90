"""Calendar feeds of contacts: issuing, revoking, opening one by its hash, and its events.

Opening a feed is the whole authentication of ``GET /calendar/<secret>.ics``: like a
session's lookup (db/queries/sessions.py), one statement finds the live feed, checks that its
contact may still use the portal (active, not deleted, portal access on, organization portal
on), reads the contact's flags and binds the transaction to the organization. The row scope
is then built from the contact's grants as they are now, never as they were at issue.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.principals import CONTACT_FLAGS, flags_of
from authz.scope import RowScope
from db import models as m
from db import tenancy
from db.models.base import table_of
from db.queries.appointments import INTERVENTION, AppointmentFilter, appointments_statement

FEED = table_of(m.CalendarFeed)
CONTACT = table_of(m.Contact)
ORGANIZATION = table_of(m.Organization)
ACTIVITY = table_of(m.ActivityType)
SITE = table_of(m.Site)


@dataclasses.dataclass(frozen=True)
class FeedRow:
    """A contact's live feed, as staff and the contact see it."""

    seed: bytes
    token_hash: bytes
    issued_at: dt.datetime
    fetch_count: int
    last_fetched_at: dt.datetime | None


@dataclasses.dataclass(frozen=True)
class OpenFeed:
    organization_id: uuid.UUID
    organization_name: str
    contact_id: uuid.UUID
    flags: frozenset[str]


async def issue(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    contact_id: uuid.UUID,
    *,
    seed: bytes,
    token_hash: bytes,
    issued_by_id: uuid.UUID,
    now: dt.datetime,
) -> None:
    """Give the contact a new feed, replacing (and so ending) any earlier one."""
    values = {
        "seed": seed,
        "token_hash": token_hash,
        "issued_at": now,
        "issued_by_id": issued_by_id,
        "revoked_at": None,
        "fetch_count": 0,
        "last_fetched_at": None,
    }
    insert = postgresql.insert(FEED).values(
        id=uuid.uuid4(), organization_id=organization_id, contact_id=contact_id, **values
    )
    await db.execute(
        insert.on_conflict_do_update(
            index_elements=[FEED.c.contact_id, FEED.c.organization_id], set_=values
        )
    )


async def revoke(
    db: AsyncConnection, organization_id: uuid.UUID, contact_id: uuid.UUID, now: dt.datetime
) -> bool:
    """End the contact's live feed; False when there was none."""
    result = await db.execute(
        FEED.update()
        .where(
            FEED.c.organization_id == organization_id,
            FEED.c.contact_id == contact_id,
            FEED.c.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return result.rowcount > 0


async def live_feed(
    db: AsyncConnection, organization_id: uuid.UUID, contact_id: uuid.UUID
) -> FeedRow | None:
    """The contact's feed unless it was revoked (or never issued)."""
    row = (
        await db.execute(
            sa.select(
                FEED.c.seed,
                FEED.c.token_hash,
                FEED.c.issued_at,
                FEED.c.fetch_count,
                FEED.c.last_fetched_at,
            ).where(
                FEED.c.organization_id == organization_id,
                FEED.c.contact_id == contact_id,
                FEED.c.revoked_at.is_(None),
            )
        )
    ).first()
    return None if row is None else FeedRow(*row)


def _open_feed_statement(token_hash: bytes) -> sa.Select[Any]:
    return (
        sa.select(
            FEED.c.id,
            FEED.c.organization_id,
            FEED.c.contact_id,
            ORGANIZATION.c.name.label("organization_name"),
            *(CONTACT.c[name] for name in CONTACT_FLAGS),
            *tenancy.binding(FEED.c.organization_id),
        )
        .join(
            CONTACT,
            sa.and_(
                CONTACT.c.id == FEED.c.contact_id,
                CONTACT.c.organization_id == FEED.c.organization_id,
            ),
        )
        .join(ORGANIZATION, ORGANIZATION.c.id == FEED.c.organization_id)
        .where(
            FEED.c.token_hash == token_hash,
            FEED.c.revoked_at.is_(None),
            CONTACT.c.state == m.ContactState.ACTIVE.value,
            CONTACT.c.deleted_at.is_(None),
            CONTACT.c.portal_access.is_(True),
            ORGANIZATION.c.portal_enabled.is_(True),
        )
    )


async def open_feed(db: AsyncConnection, token_hash: bytes, now: dt.datetime) -> OpenFeed | None:
    """The feed of this hash when it is live and its contact may use the portal; counts the
    fetch. Binds the transaction to the feed's organization."""
    row = (await db.execute(_open_feed_statement(token_hash))).first()
    if row is None:
        return None
    await db.execute(
        FEED.update()
        .where(FEED.c.id == row.id)
        .values(fetch_count=FEED.c.fetch_count + 1, last_fetched_at=now)
    )
    flags = flags_of(row)
    return OpenFeed(row.organization_id, row.organization_name, row.contact_id, flags)


async def events(
    db: AsyncConnection, scope: RowScope, since: dt.datetime, until: dt.datetime
) -> list[sa.Row[Any]]:
    """The appointments ``scope`` sees overlapping [since, until), earliest first, each with
    its activity type's name and portal texts and its site's name, address and position."""
    where = AppointmentFilter(since=since, until=until, overlapping=True)
    statement = (
        appointments_statement(scope, where)
        .join(
            ACTIVITY,
            sa.and_(
                ACTIVITY.c.id == INTERVENTION.c.activity_type_id,
                ACTIVITY.c.organization_id == INTERVENTION.c.organization_id,
            ),
        )
        .join(
            SITE,
            sa.and_(
                SITE.c.id == INTERVENTION.c.site_id,
                SITE.c.organization_id == INTERVENTION.c.organization_id,
            ),
        )
        .add_columns(
            ACTIVITY.c.name.label("activity_name"),
            ACTIVITY.c.portal_title,
            ACTIVITY.c.portal_description,
            SITE.c.name.label("site_name"),
            SITE.c.address.label("site_address"),
            SITE.c.postal_code,
            SITE.c.city,
            SITE.c.province,
            SITE.c.country,
            SITE.c.lat,
            SITE.c.lng,
        )
        .order_by(INTERVENTION.c.starts_at, INTERVENTION.c.id)
    )
    return list(await db.execute(statement))
