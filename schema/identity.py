"""Types of logging in and of the caller's own identity."""

from __future__ import annotations

import datetime as dt
import enum

import strawberry


@strawberry.enum
class AccountKind(enum.Enum):
    STAFF = "STAFF"
    CONTACT = "CONTACT"


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
    locale: str
    organization_name: str
    organization_logo_url: str | None
    portal_info_text: str
