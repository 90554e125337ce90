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

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from authz.policy import ADMIN_ONLY
from db import storage, tenancy
from db.queries import organization_logo as logos
from db.storage import store_for
from db.text import unstorable
from sportello.admission import charge_address
from sportello.errors import Refusal, answering, problem
from sportello.opening import Gate, opened
from sportello.state import AppState
from sportello.uploads import check_upload, keep, read_form, receiving

log = logging.getLogger("sportello.branding")

# The largest logo accepted: a login page's mark, not a photograph.
LOGO_MAX_BYTES = 1_000_000
LOGO_EDITORS = Gate(ADMIN_ONLY, "Only ADMIN staff may change the organization's logo.")
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
        return Refusal.of(limited).response()
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


def _described(sha256: str | None, mime_type: str | None) -> dict[str, str | None]:
    return {"sha256": sha256, "mimeType": mime_type}


@answering
async def upload_logo(request: Request) -> Response:
    check_upload(request, LOGO_MAX_BYTES, "the logo")
    async with opened(request, LOGO_EDITORS) as opening:
        db, settings = opening.db, opening.settings
        organization_id = opening.scope.organization_id
        form = await read_form(request, LOGO_MAX_BYTES, max_fields=4)
        store = store_for(settings)
        try:
            sent = form.get("file")
            if not isinstance(sent, UploadFile):
                raise Refusal(
                    400,
                    "BAD_USER_INPUT",
                    "Attach the logo as a multipart file field named file.",
                    field="file",
                )
            unsupported = "Unsupported logo: send a PNG, JPEG or WebP image (SVG is not accepted)."
            with receiving(LOGO_MAX_BYTES, unsupported):
                incoming = await store.receive(sent.file, LOGO_MAX_BYTES, storage.sniff_raster)
        finally:
            await form.close()
        # Read under the row's lock by the writes, where a failure also discards the file.
        before: logos.LogoState | None = None
        key = logos.logo_key(organization_id, incoming.sha256)

        async def writes() -> bool:
            nonlocal before
            before = await logos.logo_for_update(db, organization_id)
            if before.sha256 == incoming.sha256:
                # The same bytes again: nothing changes, nothing to record.
                return False
            await logos.set_logo(db, organization_id, incoming.sha256, incoming.mime_type)
            await opening.audit(
                "organization_logo_changed",
                "Organization",
                organization_id,
                details={
                    "before": _described(before.sha256, before.mime_type),
                    "after": _described(incoming.sha256, incoming.mime_type),
                },
            )
            return True

        # The new file's key is not the current logo's (the same bytes change nothing).
        failure = f"storing the logo of organization {organization_id} failed"
        changed = await keep(store, incoming, key, opening.transaction, writes, failure)
    assert before is not None
    if changed:
        await _forget(opening.state, organization_id, before.sha256)
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


@answering
async def delete_logo(request: Request) -> Response:
    async with opened(request, LOGO_EDITORS) as opening:
        organization_id = opening.scope.organization_id
        before = await logos.logo_for_update(opening.db, organization_id)
        if before.sha256 is None:
            return Response(status_code=204)
        await logos.set_logo(opening.db, organization_id, None, None)
        await opening.audit(
            "organization_logo_removed",
            "Organization",
            organization_id,
            details={"before": _described(before.sha256, before.mime_type)},
        )
        await opening.transaction.commit()
    await _forget(opening.state, organization_id, before.sha256)
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
