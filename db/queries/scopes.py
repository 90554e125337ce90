"""The ids a row scope is made of, read once per request."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.selectable import LateralFromClause

from db import models as m
from db.models.base import table_of

CLIENT = table_of(m.Client)
SITE = table_of(m.Site)
GRANT = table_of(m.PortalGrant)
PARTNER_CLIENT = table_of(m.PartnerTokenClient)


Grants = tuple[frozenset[uuid.UUID], frozenset[uuid.UUID], frozenset[uuid.UUID]]


def _granted(contact_id: Any) -> sa.Select[Any]:
    """Per grant of the contact ``contact_id`` (a value or a column to correlate with): whether
    it is a whole client, its client and each site it covers.

    A client grant covers every site of the client, future ones included (expanded here, per
    request). Clients whose portal is switched off contribute nothing.
    """
    return (
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
        .join(CLIENT, CLIENT.c.id == sa.func.coalesce(GRANT.c.client_id, SITE.c.client_id))
        .where(GRANT.c.contact_id == contact_id, CLIENT.c.portal_enabled.is_(True))
    )


async def contact_grants(db: AsyncConnection, contact_id: uuid.UUID) -> Grants:
    """(clients granted whole, every site seen, every client known) of a contact."""
    granted = (await db.execute(_granted(contact_id))).all()
    whole_clients = frozenset(row.client_id for row in granted if row.whole)
    sites = frozenset(row.site_id for row in granted if row.site_id is not None)
    clients = frozenset(row.client_id for row in granted)
    return whole_clients, sites, clients


def grants_lateral(contact_id: sa.ColumnElement[Any]) -> LateralFromClause:
    """The grants of the contact in column ``contact_id`` of an enclosing statement, as three
    arrays (``whole_clients``, ``sites``, ``clients``; NULL when there is none), so that the
    statement reading a session brings its contact's scope along."""
    rows = _granted(contact_id).correlate(contact_id.table).subquery("granted")
    return sa.select(
        sa.func.array_agg(rows.c.client_id).filter(rows.c.whole).label("whole_clients"),
        sa.func.array_agg(rows.c.site_id).filter(rows.c.site_id.is_not(None)).label("sites"),
        sa.func.array_agg(rows.c.client_id).label("clients"),
    ).lateral("grants")


def grants_of(whole_clients: Any, sites: Any, clients: Any) -> Grants:
    """:data:`Grants` from the three arrays of :func:`grants_lateral`."""
    return frozenset(whole_clients or ()), frozenset(sites or ()), frozenset(clients or ())
