"""The ids a row scope is made of, read once per request."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import models as m
from db.models.base import table_of

CLIENT = table_of(m.Client)
SITE = table_of(m.Site)
GRANT = table_of(m.PortalGrant)
PARTNER_CLIENT = table_of(m.PartnerTokenClient)


async def contact_grants(
    db: AsyncConnection, contact_id: uuid.UUID
) -> tuple[frozenset[uuid.UUID], frozenset[uuid.UUID], frozenset[uuid.UUID]]:
    """(clients granted whole, every site seen, every client known) of a contact.

    A client grant covers every site of the client, future ones included (expanded here, per
    request). Clients whose portal is switched off contribute nothing.
    """
    granted = (
        await db.execute(
            sa.select(
                GRANT.c.client_id.is_not(None).label("whole"),
                sa.func.coalesce(GRANT.c.client_id, SITE.c.client_id).label("client_id"),
                SITE.c.id.label("site_id"),
            )
            .select_from(GRANT)
            .join(
                SITE,
                sa.or_(SITE.c.client_id == GRANT.c.client_id, SITE.c.id == GRANT.c.site_id),
                isouter=True,
            )
            .join(
                CLIENT,
                CLIENT.c.id == sa.func.coalesce(GRANT.c.client_id, SITE.c.client_id),
            )
            .where(GRANT.c.contact_id == contact_id, CLIENT.c.portal_enabled.is_(True))
        )
    ).all()
    whole_clients = frozenset(row.client_id for row in granted if row.whole)
    sites = frozenset(row.site_id for row in granted if row.site_id is not None)
    clients = frozenset(row.client_id for row in granted)
    return whole_clients, sites, clients


async def client_sites(
    db: AsyncConnection, client_ids: frozenset[uuid.UUID]
) -> frozenset[uuid.UUID]:
    """Every site of the given clients."""
    ids = sa.literal(sorted(client_ids), sa.ARRAY(sa.Uuid()))
    found = await db.scalars(sa.select(SITE.c.id).where(SITE.c.client_id == sa.any_(ids)))
    return frozenset(found)
