"""Types of logging in and of the caller's own identity."""

from __future__ import annotations

import datetime as dt

import strawberry

from db.queries import accounts
from schema.portal_access import PortalFlags

AccountKind = accounts.AccountKind
strawberry.enum(AccountKind)


@strawberry.type
class LoginPayload:
    """A new session. Browsers also get it as an HttpOnly cookie; API clients send the token
    as ``Authorization: Bearer <token>``."""

    token: str
    expires_at: dt.datetime
    account_kind: AccountKind


@strawberry.type(description="Who is asking, and the portal branding of its organization.")
class Viewer:
    kind: AccountKind
    first_name: str
    last_name: str
    email: str
    locale: str = strawberry.field(
        description="The account's language (it, es, en), else its organization's."
    )
    organization_name: str
    organization_logo_url: str | None = strawberry.field(
        description="The organization's logo address, as PortalBranding.logoUrl gives it."
    )
    portal_info_text: str
    time_zone: str = strawberry.field(
        description="The organization's IANA time zone (e.g. Europe/Rome): the web client "
        "shows dates and times, and counts calendar days, in it, whatever the browser's."
    )
    features: PortalFlags | None = strawberry.field(
        description="What the portal lets this contact use (the web client offers only "
        "these sections); null for staff, whose role decides instead."
    )
    previewing: bool = strawberry.field(
        description="True when staff look at the portal as this contact (read-only, "
        "audited); the web client shows a banner."
    )
