"""What the login page shows of an organization before anyone logs in (seed 001)."""

from __future__ import annotations

import strawberry

from authz.policy import PEOPLE
from schema.kit.permissions import readable


@strawberry.type(
    description="An organization's portal branding: what its login page shows, nothing else."
)
class PortalBranding:
    name: str = readable(PEOPLE, description="The organization's display name.")
    logo_url: str | None = readable(
        PEOPLE,
        description="The logo's address: the image Sportello stores for the organization "
        "(a path on this server, /branding/<slug>/logo?v=<version>) when it has one, else the "
        "address the organization set (an absolute http or https URL, a path on this server or "
        "a raster image data: URL), if any.",
    )
    info_text: str = readable(PEOPLE, description="The portal's information text for clients.")
    default_locale: str = readable(
        PEOPLE,
        description="The organization's language (it, es, en): the page's language until the "
        "contact's own is known.",
    )
