"""Who is asking: the principal of a request, from its session cookie or bearer token.

- ``Authorization: Bearer sps_...``: a session token (API clients of staff and contacts);
  ``Authorization: Bearer spp_...``: a partner token. Tokens are accepted in this header only,
  never in a query string. A bearer token that is unknown, expired or revoked is refused (401).
- ``X-View-As-Contact: <portal access id>`` on a request of ADMIN or OFFICE staff: the request
  runs as that contact of their organization (its view, flags and row scope), read-only, and
  is audited (seed 001: staff preview the portal as a given contact). The header on a request
  without credentials (none, or an expired cookie) is refused as any anonymous request that
  needs them is: 401 "Authentication required." and nothing about previews; other callers
  (contacts, technicians, partners) get 403.
- The ``sportello_session`` cookie (browsers). A request carrying it must come from an allowed
  origin (Origin, or Referer when there is no Origin): otherwise 403 before anything runs.
  An expired cookie counts as no cookie, so the login page keeps working. Only pages that
  change nothing and answer nothing a foreign page could read (the GraphiQL page) skip the
  origin check.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request

from authz import secrets
from authz.principals import (
    Anonymous,
    Audience,
    ContactPrincipal,
    PartnerPrincipal,
    Principal,
    StaffPrincipal,
)
from authz.scope import RowScope
from db import tenancy
from db.models.staff import StaffRole
from db.queries import accounts, partner_tokens, scopes, sessions
from db.queries.accounts import AccountKind
from schema.kit import ids
from schema.kit.errors import ApiError, Forbidden, Unauthenticated
from sportello.base.settings import Settings

COOKIE = "sportello_session"
VIEW_AS = "x-view-as-contact"
PREVIEWERS = frozenset({StaffRole.ADMIN, StaffRole.OFFICE})
# What every route answers a request without credentials that needs them: nothing more.
AUTHENTICATION_REQUIRED = "Authentication required."


class CrossSiteRequest(ApiError):
    """A cookie-authenticated request from a page of another origin."""

    code = "FORBIDDEN"


@dataclasses.dataclass(frozen=True)
class Identity:
    principal: Principal
    scope: RowScope | None
    # Set when a session (not a partner token) authenticated the request.
    session_id: uuid.UUID | None = None
    # True when the session came from the cookie (so logout must clear it).
    by_cookie: bool = False
    # True when authenticating already bound the transaction to the scope's organization
    # (db.tenancy); otherwise the caller binds it.
    bound: bool = False


ANONYMOUS = Identity(Anonymous(), None)


def client_address(request: Request, settings: Settings) -> str | None:
    """The caller's address; X-Forwarded-For counts only when the peer is a trusted proxy."""
    peer = request.client.host if request.client else None
    if peer is None or peer not in settings.proxies:
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    # The right-most address not added by one of our proxies is the one we can believe.
    for hop in reversed(hops):
        if hop not in settings.proxies:
            return hop[:64]
    return peer


def same_origin(request: Request, settings: Settings) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        referer = request.headers.get("referer")
        if referer is None:
            return False
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    return origin.rstrip("/") in settings.origins


async def authenticate(
    db: AsyncConnection,
    request: Request,
    settings: Settings,
    now: dt.datetime,
    *,
    check_origin: bool = True,
) -> Identity:
    """The request's identity; Unauthenticated for a bad bearer token or a preview asked
    without credentials, CrossSiteRequest for a cookie sent from another origin, Forbidden
    for a preview an authenticated caller may not make."""
    identity = await _authenticate(db, request, settings, now, check_origin)
    target = request.headers.get(VIEW_AS)
    if target is None:
        return identity
    return await _view_as(db, identity, target)


async def bind(db: AsyncConnection, identity: Identity) -> None:
    """From here until the transaction ends, PostgreSQL hides every other organization than
    the identity's (db.tenancy); a session's lookup has already done it in its own statement,
    and an anonymous caller has no organization."""
    if identity.scope is not None and not identity.bound:
        await tenancy.bind(db, identity.scope.organization_id)


async def _view_as(db: AsyncConnection, identity: Identity, target: str) -> Identity:
    staff = identity.principal
    if isinstance(staff, Anonymous):
        # Asking for a privilege without credentials is an anonymous request like any other:
        # the same 401 without detail, whatever the header names.
        raise Unauthenticated(AUTHENTICATION_REQUIRED)
    if not isinstance(staff, StaffPrincipal) or staff.role not in PREVIEWERS:
        raise Forbidden("Only ADMIN and OFFICE staff may view the portal as a contact.")
    contact_id = ids.decode("PortalAccess", target)
    flags = (
        await accounts.contact_flags(db, staff.organization_id, contact_id)
        if contact_id is not None
        else None
    )
    if contact_id is None or flags is None:
        raise Forbidden("No such portal access.")
    contact = ContactPrincipal(staff.organization_id, contact_id, flags, viewed_by=staff)
    scope = await contact_scope(db, contact)
    # Same organization as the staff member's session, so the binding (if any) still holds.
    return Identity(contact, scope, identity.session_id, identity.by_cookie, identity.bound)


async def _authenticate(
    db: AsyncConnection, request: Request, settings: Settings, now: dt.datetime, check_origin: bool
) -> Identity:
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("Use Authorization: Bearer <token>.")
        if secrets.looks_like(token, secrets.PARTNER):
            identity = await _partner(db, token, now)
        elif secrets.looks_like(token, secrets.SESSION):
            identity = await _session(db, token, settings, now, by_cookie=False)
        else:
            identity = None
        if identity is None:
            raise Unauthenticated("The token is not valid; log in again.")
        return identity

    cookie = request.cookies.get(COOKIE)
    if cookie is None:
        return ANONYMOUS
    if check_origin and not same_origin(request, settings):
        raise CrossSiteRequest("Cross-site request refused.")
    if not secrets.looks_like(cookie, secrets.SESSION):
        return ANONYMOUS
    return await _session(db, cookie, settings, now, by_cookie=True) or ANONYMOUS


async def _session(
    db: AsyncConnection, token: str, settings: Settings, now: dt.datetime, *, by_cookie: bool
) -> Identity | None:
    idle = dt.timedelta(minutes=settings.session_idle_minutes)
    found = await sessions.open_session(db, secrets.digest(token), now, idle)
    if found is None:
        return None
    # open_session read the contact's grants and bound the transaction in its one statement.
    if found.kind is AccountKind.STAFF:
        assert found.role is not None
        staff = StaffPrincipal(found.organization_id, found.account_id, found.role, found.id)
        scope = RowScope(found.organization_id, Audience.STAFF)
        return Identity(staff, scope, found.id, by_cookie, bound=True)
    contact = ContactPrincipal(
        found.organization_id,
        found.account_id,
        found.flags,
        found.id,
        registered_documents_only=found.registered_documents_only,
    )
    assert found.grants is not None
    scope = _contact_scope(contact, found.grants)
    return Identity(contact, scope, found.id, by_cookie, bound=True)


async def contact_scope(db: AsyncConnection, contact: ContactPrincipal) -> RowScope:
    return _contact_scope(contact, await scopes.contact_grants(db, contact.contact_id))


def _contact_scope(contact: ContactPrincipal, grants: scopes.Grants) -> RowScope:
    whole, sites, clients = grants
    return RowScope(
        contact.organization_id,
        Audience.PORTAL,
        clients=clients,
        whole_clients=whole,
        sites=sites,
        flags=contact.flags,
    )


async def _partner(db: AsyncConnection, token: str, now: dt.datetime) -> Identity | None:
    found = await partner_tokens.open_token(db, secrets.digest(token), now)
    if found is None:
        return None
    principal = PartnerPrincipal(found.organization_id, found.id, found.scopes, found.client_ids)
    if found.client_ids is None:
        scope = RowScope(found.organization_id, Audience.PARTNER)
    else:
        scope = RowScope(
            found.organization_id,
            Audience.PARTNER,
            clients=found.client_ids,
            whole_clients=found.client_ids,
            sites=found.site_ids,
        )
    # open_token bound the transaction in its one statement, as a session's lookup does.
    return Identity(principal, scope, bound=True)
