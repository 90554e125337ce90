"""Types of logging in and of the caller's own identity."""

from __future__ import annotations

import datetime as dt

import strawberry

from authz.policy import ACCOUNTS, PEOPLE
from db.queries import accounts
from schema.kit.permissions import readable
from schema.portal_access import PortalFlags

AccountKind = accounts.AccountKind
strawberry.enum(AccountKind)


@strawberry.type
class LoginPayload:
    """A new session. Browsers also get it as an HttpOnly cookie; API clients send the token
    as ``Authorization: Bearer <token>``."""

    token: str = readable(PEOPLE)
    expires_at: dt.datetime = readable(PEOPLE)
    account_kind: AccountKind = readable(PEOPLE)


@strawberry.type(description="Who is asking, and the portal branding of its organization.")
class Viewer:
    kind: AccountKind = readable(ACCOUNTS)
    first_name: str = readable(ACCOUNTS)
    last_name: str = readable(ACCOUNTS)
    email: str = readable(ACCOUNTS)
    locale: str = readable(
        ACCOUNTS, description="The account's language (it, es, en), else its organization's."
    )
    organization_name: str = readable(ACCOUNTS)
    organization_logo_url: str | None = readable(
        ACCOUNTS, description="The organization's logo address, as PortalBranding.logoUrl gives it."
    )
    portal_info_text: str = readable(ACCOUNTS)
    time_zone: str = readable(
        ACCOUNTS,
        description="The organization's IANA time zone (e.g. Europe/Rome): the web client "
        "shows dates and times, and counts calendar days, in it, whatever the browser's.",
    )
    features: PortalFlags | None = readable(
        ACCOUNTS,
        description="What the portal lets this contact use (the web client offers only "
        "these sections); null for staff, whose role decides instead.",
    )
    previewing: bool = readable(
        ACCOUNTS,
        description="True when staff look at the portal as this contact (read-only, "
        "audited); the web client shows a banner.",
    )
