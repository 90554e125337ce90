"""The logo an organization stores in Sportello: where its file lies, its address, its row.

The file lies in the document store (``settings.document_root``) under
``<sha[:2]>/<sha>-logo-<organization id>``: named by content hash like documents, and its own
per organization, so two organizations with the same bytes never share (or delete) one file.
The key is derived, not stored: the organization row holds the hash and the MIME type
(migration 0009). Pages load it from ``GET /branding/<slug>/logo?v=<hash prefix>``; the prefix
changes with the bytes, so a browser may keep a version as long as it likes.
"""

from __future__ import annotations

import dataclasses
import uuid
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import models as m
from db.models.base import table_of

ORGANIZATION = table_of(m.Organization)

# The public route of a stored logo (sportello/app.py routes it; pages get it from here).
LOGO_PATH = "/branding/{slug}/logo"
# Hex digits of the hash in the address's ``v`` parameter: enough that two logos an
# organization ever has differ, short enough to read.
VERSION_DIGITS = 16


def logo_key(organization_id: uuid.UUID, sha256: str) -> str:
    """The storage key of an organization's logo file under the document root."""
    return f"{sha256[:2]}/{sha256}-logo-{organization_id.hex}"


def logo_address(slug: str, sha256: str | None, fallback: str | None) -> str | None:
    """The address pages show the logo from: the stored one when there is one, else the
    organization's configured ``logo_url`` (``fallback``) as before."""
    if sha256 is None:
        return fallback
    return LOGO_PATH.format(slug=quote(slug, safe="")) + f"?v={sha256[:VERSION_DIGITS]}"


@dataclasses.dataclass(frozen=True)
class StoredLogo:
    organization_id: uuid.UUID
    sha256: str
    mime_type: str


async def served_logo(db: AsyncConnection, slug: str) -> StoredLogo | None:
    """The logo of the organization ``slug`` when its portal is on and it has one; None for
    an unknown slug, a portal switched off and no logo alike (anonymous callers' route)."""
    row = (
        await db.execute(
            sa.select(
                ORGANIZATION.c.id, ORGANIZATION.c.logo_sha256, ORGANIZATION.c.logo_mime_type
            ).where(
                ORGANIZATION.c.slug == slug,
                ORGANIZATION.c.portal_enabled.is_(True),
                ORGANIZATION.c.logo_sha256.is_not(None),
            )
        )
    ).first()
    if row is None:
        return None
    return StoredLogo(row.id, row.logo_sha256, row.logo_mime_type)


@dataclasses.dataclass(frozen=True)
class LogoState:
    """An organization's slug and its stored logo, if any (both or neither)."""

    slug: str
    sha256: str | None
    mime_type: str | None


async def logo_for_update(db: AsyncConnection, organization_id: uuid.UUID) -> LogoState:
    """The organization's logo, its row locked until the transaction ends: two changes at
    once take turns, so the file each one replaces is the one the other left."""
    row = (
        await db.execute(
            sa.select(
                ORGANIZATION.c.slug, ORGANIZATION.c.logo_sha256, ORGANIZATION.c.logo_mime_type
            )
            .where(ORGANIZATION.c.id == organization_id)
            .with_for_update()
        )
    ).one()
    return LogoState(row.slug, row.logo_sha256, row.logo_mime_type)


async def set_logo(
    db: AsyncConnection, organization_id: uuid.UUID, sha256: str | None, mime_type: str | None
) -> None:
    """Record the organization's logo (both None: it has none any more)."""
    await db.execute(
        ORGANIZATION.update()
        .where(ORGANIZATION.c.id == organization_id)
        .values(logo_sha256=sha256, logo_mime_type=mime_type)
    )
