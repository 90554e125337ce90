"""An organization's portal branding by slug, for the login page before anyone logs in."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import models as m
from db.models.base import table_of
from db.queries.organization_logo import logo_address

ORGANIZATION = table_of(m.Organization)


@dataclasses.dataclass(frozen=True)
class BrandingRow:
    name: str
    logo_url: str | None
    portal_info_text: str
    locale: str


async def portal_branding(db: AsyncConnection, slug: str) -> BrandingRow | None:
    """The branding of the organization ``slug`` when its portal is on; None otherwise.

    An unknown slug and a switched-off portal give the same None, so the answer tells an
    anonymous caller no more than the login page would show.
    """
    row = (
        await db.execute(
            sa.select(
                ORGANIZATION.c.slug,
                ORGANIZATION.c.name,
                ORGANIZATION.c.logo_url,
                ORGANIZATION.c.logo_sha256,
                ORGANIZATION.c.portal_info_text,
                ORGANIZATION.c.locale,
            ).where(ORGANIZATION.c.slug == slug, ORGANIZATION.c.portal_enabled.is_(True))
        )
    ).first()
    if row is None:
        return None
    # The logo Sportello stores, when there is one; else the configured address.
    logo_url = logo_address(row.slug, row.logo_sha256, row.logo_url)
    return BrandingRow(row.name, logo_url, row.portal_info_text, row.locale)
