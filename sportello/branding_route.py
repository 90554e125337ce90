"""The organization's logo: served to anyone for the login page, changed by ADMIN staff.

``GET /branding/{slug}/logo``: the logo's bytes, for anyone (the login page shows it before
anyone logs in, seed 001). Only an organization whose portal is on and that stores a logo has
one; an unknown slug, a portal switched off and no logo are the same 404, and the answer holds
nothing but the image (no name, no dates: no ``Last-Modified``). It is cacheable by anyone:
``ETag`` is the sha256, ``If-None-Match`` gets 304, and the address pages are given
(``?v=<hash prefix>``, db/queries/organization_logo.py) changes with the bytes, so that
version may be kept for a year; any other address for five minutes. Each request counts
against the anonymous budget of its address (sportello/admission.py ``charge_address``), as
the login page's ``portalBranding`` does, whether or not it carries a session: the route
reads none.

``POST /branding/logo`` (ADMIN staff, ``multipart/form-data`` with one ``file``) stores a new
logo; ``DELETE /branding/logo`` removes it (204 either way). Like ``POST /files``
(sportello/files_route.py, whose body limit this reuses) cookie requests must come from an
allowed origin, anonymous callers get 401, other principals 403. Only PNG, JPEG and WebP
images are accepted, recognised by their content (415 otherwise, SVG included: it can carry
script), of at most ``LOGO_MAX_BYTES`` (413). The file is received into the document store,
then recorded and audited (``organization_logo_changed`` / ``_removed``, with the hash and type
before and after) and moved into place in one transaction: a failed change leaves the old logo
whole. The replaced file is removed after the commit, under the organization row's lock, only
if the logo is still another one (a change made meanwhile may have brought those bytes back);
a crash just then leaves an unused file, never a logo without its file.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from authz.identity.authenticate import (
    AUTHENTICATION_REQUIRED,
    Identity,
    authenticate,
    bind,
    client_address,
)
from authz.principals import StaffPrincipal
from db import storage, tenancy
from db.models.staff import StaffRole
from db.queries import audit
from db.queries import organization_logo as logos
from db.storage import store_for
from db.text import unstorable
from schema.kit.errors import ApiError
from sportello import rate_limit
from sportello.admission import charge_address
from sportello.base.clock import now_utc
from sportello.errors import new_request_id, problem
from sportello.files_route import (
    FORM_OVERHEAD,
    BodyTooLarge,
    _limited,
    _too_large,
    store_unavailable,
)
from sportello.state import AppState

log = logging.getLogger("sportello.branding")

# The largest logo accepted: a login page's mark, not a photograph.
LOGO_MAX_BYTES = 1_000_000
LOGO_EDITORS = frozenset({StaffRole.ADMIN})
# The version pages are given never changes its bytes; any other address may.
VERSIONED_CACHE = "public, max-age=31536000, immutable"
UNVERSIONED_CACHE = "public, max-age=300"
# Opened on its own, the image gets no power over the page: no script, no plugin, no frame.
IMAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def _no_logo() -> Response:
    """The one answer for every logo that cannot be served, whatever the reason."""
    response = problem(404, "NOT_FOUND", "No such logo.")
    response.headers.update({"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
    return response


def _matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag`` (weakly compared, or ``*``)."""
    if if_none_match is None:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


async def logo(request: Request) -> Response:
    state: AppState = request.app.state.sportello
    limited = await charge_address(state, request)
    if limited is not None:
        return rate_limit.refusal(limited, new_request_id())
    slug: str = request.path_params["slug"]
    if len(slug) > 63 or unstorable(slug) is not None:
        return _no_logo()
    async with state.engine.connect() as db:
        stored = await logos.served_logo(db, slug)
    if stored is None:
        return _no_logo()
    etag = f'"{stored.sha256}"'
    version = request.query_params.get("v")
    versioned = version == stored.sha256[: logos.VERSION_DIGITS]
    cache = VERSIONED_CACHE if versioned else UNVERSIONED_CACHE
    headers = {"ETag": etag, "Cache-Control": cache, **IMAGE_HEADERS}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    key = logos.logo_key(stored.organization_id, stored.sha256)
    data = await store_for(state.settings).read(key)
    if data is None:
        log.error("the logo of organization %s has no file", stored.organization_id)
        return _no_logo()
    return Response(data, media_type=stored.mime_type, headers=headers)


async def _editor(db: AsyncConnection, request: Request, state: AppState) -> Identity | Response:
    """The ADMIN staff identity of the request, bound to its organization; else the refusal
    ``POST /files`` gives (401 anonymous, 403 cross-site or another principal)."""
    try:
        identity = await authenticate(db, request, state.settings, now_utc())
    except ApiError as refused:
        status = 403 if refused.code == "FORBIDDEN" else 401
        return problem(status, refused.code, refused.message)
    principal = identity.principal
    if identity.scope is None:
        return problem(401, "UNAUTHENTICATED", AUTHENTICATION_REQUIRED)
    if not isinstance(principal, StaffPrincipal) or principal.role not in LOGO_EDITORS:
        return problem(403, "FORBIDDEN", "Only ADMIN staff may change the organization's logo.")
    await bind(db, identity)
    return identity


def _described(sha256: str | None, mime_type: str | None) -> dict[str, str | None]:
    return {"sha256": sha256, "mimeType": mime_type}


async def upload_logo(request: Request) -> Response:
    state: AppState = request.app.state.sportello
    settings = state.settings
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        return problem(415, "UNSUPPORTED_MEDIA_TYPE", "Send the logo as multipart/form-data.")
    limit = LOGO_MAX_BYTES + FORM_OVERHEAD
    declared = request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        return _too_large(LOGO_MAX_BYTES)
    store = store_for(settings)
    async with state.engine.connect() as db:
        transaction = await db.begin()
        identity = await _editor(db, request, state)
        if isinstance(identity, Response):
            return identity
        assert identity.scope is not None
        organization_id = identity.scope.organization_id
        try:
            form = await Request(request.scope, _limited(request.receive, limit)).form(
                max_files=1, max_fields=4
            )
        except BodyTooLarge:
            return _too_large(LOGO_MAX_BYTES)
        except HTTPException:
            return problem(400, "BAD_REQUEST", "The multipart body is not valid.")
        try:
            sent = form.get("file")
            if not isinstance(sent, UploadFile):
                return problem(
                    400,
                    "BAD_USER_INPUT",
                    "Attach the logo as a multipart file field named file.",
                    field="file",
                )
            incoming = await store.receive(sent.file, LOGO_MAX_BYTES, storage.sniff_raster)
        except storage.TooLarge:
            return _too_large(LOGO_MAX_BYTES)
        except storage.StoreUnavailable:
            log.exception("the document store failed during an upload")
            return store_unavailable()
        except storage.UnsupportedType:
            return problem(
                415,
                "UNSUPPORTED_MEDIA_TYPE",
                "Unsupported logo: send a PNG, JPEG or WebP image (SVG is not accepted).",
            )
        finally:
            await form.close()
        key = logos.logo_key(organization_id, incoming.sha256)
        try:
            before = await logos.logo_for_update(db, organization_id)
            if before.sha256 == incoming.sha256:
                # The same bytes again: nothing changes, nothing to record.
                await store.discard(incoming.key)
                return _logo_answer(before.slug, incoming)
            await logos.set_logo(db, organization_id, incoming.sha256, incoming.mime_type)
            await audit.record(
                db,
                organization_id,
                "organization_logo_changed",
                actor=audit.actor_of(identity.principal),
                ip=client_address(request, settings),
                subject_type="Organization",
                subject_id=organization_id,
                details={
                    "before": _described(before.sha256, before.mime_type),
                    "after": _described(incoming.sha256, incoming.mime_type),
                },
            )
            await store.place(incoming, key)
            await transaction.commit()
        except Exception:
            # The transaction is rolled back as the connection closes; the new file goes too
            # (its key is not the current logo's: the same bytes returned above).
            await store.discard(incoming.key, key)
            log.exception("storing the logo of organization %s failed", organization_id)
            return problem(500, "INTERNAL_SERVER_ERROR", "Internal server error.")
        except BaseException:
            await store.discard(incoming.key, key)
            raise
    await _forget(state, organization_id, before.sha256)
    return _logo_answer(before.slug, incoming)


def _logo_answer(slug: str, stored: storage.Received) -> JSONResponse:
    return JSONResponse(
        {
            "logoUrl": logos.logo_address(slug, stored.sha256, None),
            "sha256": stored.sha256,
            "mimeType": stored.mime_type,
            "sizeBytes": stored.size,
        }
    )


async def delete_logo(request: Request) -> Response:
    state: AppState = request.app.state.sportello
    async with state.engine.connect() as db:
        transaction = await db.begin()
        identity = await _editor(db, request, state)
        if isinstance(identity, Response):
            return identity
        assert identity.scope is not None
        organization_id = identity.scope.organization_id
        before = await logos.logo_for_update(db, organization_id)
        if before.sha256 is None:
            return Response(status_code=204)
        await logos.set_logo(db, organization_id, None, None)
        await audit.record(
            db,
            organization_id,
            "organization_logo_removed",
            actor=audit.actor_of(identity.principal),
            ip=client_address(request, state.settings),
            subject_type="Organization",
            subject_id=organization_id,
            details={"before": _described(before.sha256, before.mime_type)},
        )
        await transaction.commit()
    await _forget(state, organization_id, before.sha256)
    return Response(status_code=204)


async def _forget(state: AppState, organization_id: uuid.UUID, replaced: str | None) -> None:
    """Remove the file of the logo ``replaced`` unless the organization's logo is (again) those
    bytes; under the row's lock, so no change in between can lose its file."""
    if replaced is None:
        return
    try:
        async with state.engine.begin() as db:
            await tenancy.bind(db, organization_id)
            current = await logos.logo_for_update(db, organization_id)
            if current.sha256 != replaced:
                await store_for(state.settings).discard(logos.logo_key(organization_id, replaced))
    except Exception:
        # The change itself is committed; an unused file is all that stays behind.
        log.exception("removing the old logo file of organization %s failed", organization_id)
