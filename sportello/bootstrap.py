"""``sportello create-organization``: a new company on an empty (or shared) database.

The first step of a real deployment, before any staff API call is possible: it creates the
organization with its language and time zone and its first ADMIN, and prints a one-use link
(valid ``SPORTELLO_INVITATION_HOURS``) on which that administrator sets a password, exactly as
an emailed invitation would. The link is printed, not mailed: the operator running the command
is usually that administrator, and mail may not be set up yet. Everything else (settings,
logo, staff, clients) follows through the staff API (README "A new company, step by step").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from authz.identity import login
from db import models as m
from db.queries import accounts, audit, organizations
from mailer.compose import link
from resolvers.organization_settings import EMAIL, known_time_zone
from resolvers.portal_access import LOCALES
from sportello.base.errors import StartupError
from sportello.base.settings import Settings

# The organization's login name in links (?org=...): lower-case letters, digits and hyphens.
SLUG = re.compile(r"^[a-z][a-z0-9-]{1,62}$")


@dataclass(frozen=True, slots=True)
class Created:
    organization: str
    admin_email: str
    link: str
    expires_at: dt.datetime


def checked(new: organizations.NewOrganization) -> organizations.NewOrganization:
    """``new`` trimmed, or StartupError naming the first option it refuses."""
    slug = new.slug.strip().lower()
    if not SLUG.match(slug):
        raise StartupError(
            f"--slug {new.slug!r}: use 2-63 lower-case letters, digits and hyphens, "
            "starting with a letter"
        )
    texts = {
        "--name": (new.name, 200),
        "--admin-first-name": (new.admin_first_name, 100),
        "--admin-last-name": (new.admin_last_name, 100),
    }
    for option, (value, limit) in texts.items():
        if not value.strip() or len(value.strip()) > limit:
            raise StartupError(f"{option}: give 1 to {limit} characters")
    for option, address in (
        ("--admin-email", new.admin_email),
        ("--notification-email", new.notification_email),
    ):
        if not EMAIL.match(address.strip()) or len(address.strip()) > 254:
            raise StartupError(f"{option} {address!r} is not an email address")
    if new.locale not in LOCALES:
        raise StartupError(f"--locale {new.locale!r}: use one of {', '.join(LOCALES)}")
    if not known_time_zone(new.timezone):
        raise StartupError(f"--time-zone {new.timezone!r} is not an IANA time zone name")
    return organizations.NewOrganization(
        slug=slug,
        name=new.name.strip(),
        notification_email=new.notification_email.strip(),
        locale=new.locale,
        timezone=new.timezone,
        admin_first_name=new.admin_first_name.strip(),
        admin_last_name=new.admin_last_name.strip(),
        admin_email=new.admin_email.strip(),
    )


async def create_organization(
    engine: AsyncEngine, settings: Settings, new: organizations.NewOrganization
) -> Created:
    """Create the organization and its ADMIN in one transaction; the ADMIN's invitation link."""
    new = checked(new)
    issued: list[tuple[str, dt.datetime]] = []

    async def keep_link(
        _db: AsyncConnection,
        _account: accounts.Account,
        _purpose: m.TokenPurpose,
        token: str,
        expires_at: dt.datetime,
    ) -> None:
        issued.append((token, expires_at))

    async with engine.begin() as db:
        if await organizations.slug_taken(db, new.slug):
            raise StartupError(f"--slug {new.slug!r}: an organization with that name exists")
        organization_id, admin_id = await organizations.create(db, new)
        admin = await accounts.get(db, accounts.AccountKind.STAFF, admin_id)
        assert admin is not None  # written just above, in this transaction
        await login.send_link(db, settings, admin, m.TokenPurpose.INVITATION, keep_link)
        await audit.record(
            db,
            organization_id,
            "organization_created",
            actor=None,
            details={"slug": new.slug, "admin": new.admin_email},
        )
    token, expires_at = issued[0]
    return Created(
        new.slug,
        new.admin_email,
        link(settings.public_url, "invitation", token, new.slug),
        expires_at,
    )
