"""``portalBranding``: an organization's name, logo and portal text by slug, for anyone."""

from __future__ import annotations

from urllib.parse import urlsplit

import strawberry
from strawberry import Info

from authz.policy import PEOPLE
from db.queries.branding import portal_branding
from schema.branding import PortalBranding
from schema.kit.context import Context
from schema.kit.permissions import permitted

ContextInfo = Info[Context, None]


# Images a page may show inline from a data: URL (no script runs in a raster image).
RASTER_DATA = ("data:image/png;", "data:image/jpeg;", "data:image/gif;", "data:image/webp;")


def shown_logo(url: str | None) -> str | None:
    """The logo address when a page may load it as an image: an absolute http(s) URL, a path
    on this server or a raster data: URL; anything else (``javascript:``, other ``data:``) is
    left out."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"} and parts.netloc:
        return url
    if url.lower().startswith(RASTER_DATA):
        return url
    if not parts.scheme and not parts.netloc and url.startswith("/") and not url.startswith("//"):
        return url
    return None


@strawberry.type
class BrandingQuery:
    @strawberry.field(
        description="The portal branding of the organization with this slug (the one used at "
        "login); null when there is no such organization or its portal is off.",
        extensions=permitted(PEOPLE),
    )
    async def portal_branding(self, info: ContextInfo, organization: str) -> PortalBranding | None:
        row = await portal_branding(info.context.db, organization.strip().lower())
        if row is None:
            return None
        return PortalBranding(
            name=row.name,
            logo_url=shown_logo(row.logo_url),
            info_text=row.portal_info_text,
            default_locale=row.locale,
        )
