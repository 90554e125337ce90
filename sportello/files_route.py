"""``GET /files/{id}``: a document through its signed link; ``POST /files``: staff upload one.

Download. The link (authz/identity/file_links.py) is checked first (expiry), then the request is
authenticated again (cookie or bearer) and the signature recomputed with the caller's own
session, then the document is looked up through the caller's row scope exactly like
``document(id:)`` does. A missing file, a bad or expired signature, another caller's link and
a document the caller may not see all answer the same 404. Each download is audited
("document_downloaded"). Cookie downloads skip the origin check: following a link is a
top-level navigation that often carries no Origin, and the unguessable signature, bound to the
session, is what keeps a foreign page from using it. The file streams from the document
store (db/storage.py); with ``SPORTELLO_STORAGE_PRESIGN_SECONDS`` set, the answer is instead a
302 to a presigned URL of the bucket, valid that long, given after the same checks and audit.
A document whose file the store lacks is the same 404, logged as an error with its id.

Upload (ADMIN and OFFICE staff): multipart fields ``ownerId`` (the global id of a revision,
work sheet, contract, quote, invoice or appointment), ``kind``, ``portalVisible`` and
``file``. Cookie requests must come from an allowed origin, like /graphql. Only PDF, PNG and
JPEG files are accepted (415 otherwise), at most ``max_upload_bytes`` (413). The answer is
201 with the new document's id. The file streams into the store while it is hashed; its row
is written only once the store holds it all (db/storage.py says how nothing half-stored stays).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from pathlib import PurePosixPath
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.types import Message

from authz.identity import file_links
from authz.identity.authenticate import authenticate, bind, client_address
from authz.principals import ContactPrincipal, StaffPrincipal
from db import models as m
from db import storage
from db.models.staff import StaffRole
from db.queries import audit, documents
from db.storage import store_for
from schema.kit import ids
from schema.kit.errors import ApiError, BadUserInput
from sportello.base.clock import now_utc
from sportello.errors import problem
from sportello.state import AppState

log = logging.getLogger("sportello.files")

UPLOADERS = frozenset({StaffRole.ADMIN, StaffRole.OFFICE})
# Room for the multipart framing and the small fields around the file.
FORM_OVERHEAD = 64 * 1024
# Global id type name of an owner record -> its column on the document.
OWNER_TYPES = {
    "Revision": "revision_id",
    "WorkSheet": "work_sheet_id",
    "Contract": "contract_id",
    "Quote": "quote_id",
    "Invoice": "invoice_id",
    "Appointment": "intervention_id",
}
TRUE = frozenset({"true", "1", "yes", "on"})
FALSE = frozenset({"false", "0", "no", "off", ""})


def _error(status: int, code: str, message: str, **extensions: Any) -> JSONResponse:
    return problem(status, code, message, **extensions)


def not_found() -> JSONResponse:
    """The one answer for every download that cannot be served, whatever the reason."""
    return _error(404, "NOT_FOUND", "No such file.")


def store_unavailable() -> JSONResponse:
    """An upload the document store failed to take: nothing was recorded, try again."""
    return _error(503, "SERVICE_UNAVAILABLE", "The document store is unavailable; try again.")


def _actor(principal: StaffPrincipal | ContactPrincipal) -> audit.ActorRef:
    if isinstance(principal, StaffPrincipal):
        return audit.ActorRef("STAFF", principal.user_id)
    if principal.viewed_by is not None:
        return audit.ActorRef("STAFF", principal.viewed_by.user_id)
    return audit.ActorRef("CONTACT", principal.contact_id)


async def download(request: Request) -> Response:
    state: AppState = request.app.state.sportello
    settings = state.settings
    now = now_utc()
    document_id = ids.decode("Document", request.path_params["id"])
    expires = request.query_params.get("expires", "")
    sig = request.query_params.get("sig", "")
    # isascii: "²" is a digit to isdigit() but not to int().
    digits = expires.isascii() and expires.isdigit()
    if document_id is None or not digits or len(expires) > 12 or not sig:
        return not_found()
    async with state.engine.connect() as db:
        transaction = await db.begin()
        try:
            identity = await authenticate(db, request, settings, now, check_origin=False)
        except ApiError:
            return not_found()
        principal = identity.principal
        holder = identity.session_id
        if (
            not isinstance(principal, StaffPrincipal | ContactPrincipal)
            or identity.scope is None
            or holder is None
            or not file_links.valid(
                settings, document_id, int(expires), holder, sig, now.timestamp()
            )
        ):
            return not_found()
        scope = identity.scope
        await bind(db, identity)
        row = (await documents.documents_by_id(db, scope, [document_id]))[0]
        if row is None:
            return not_found()
        store = store_for(settings)
        presigned = None
        if settings.storage_presign_seconds:
            presigned = await store.presigned(row.storage_key, settings.storage_presign_seconds)
        opened = None if presigned is not None else await store.open(row.storage_key)
        if presigned is None and opened is None:
            log.error("document %s has no file in the store %s", document_id, store.location)
            return not_found()
        details = None
        if isinstance(principal, ContactPrincipal) and principal.viewed_by is not None:
            details = {"asContact": str(principal.contact_id)}
        await audit.record(
            db,
            scope.organization_id,
            "document_downloaded",
            actor=_actor(principal),
            ip=client_address(request, settings),
            subject_type="Document",
            subject_id=document_id,
            details=details,
        )
        await transaction.commit()
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    if presigned is not None:
        return RedirectResponse(presigned, status_code=302, headers=headers)
    assert opened is not None
    headers["Content-Disposition"] = storage.attachment(row.file_name)
    headers["Content-Length"] = str(opened.size)
    return StreamingResponse(opened.chunks, media_type=row.mime_type, headers=headers)


class BodyTooLarge(Exception):
    """The request body went past the upload limit while it was being read."""


def _limited(
    receive: Callable[[], Awaitable[Message]], limit: int
) -> Callable[[], Awaitable[Message]]:
    received = 0

    async def limited() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge
        return message

    return limited


def _too_large(limit: int) -> JSONResponse:
    return _error(413, "PAYLOAD_TOO_LARGE", f"Files may have at most {limit} bytes.")


def _file_name(upload: UploadFile, mime_type: str) -> str:
    """The name the file was sent with, without folders or control characters."""
    name = PurePosixPath((upload.filename or "").replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable()).strip()[:255]
    return name or f"document{storage.EXTENSIONS[mime_type]}"


def _fields(form: FormData) -> tuple[str, uuid.UUID, m.DocumentKind, bool, UploadFile]:
    """(owner column, owner id, kind, portal visible, file) of the form; BadUserInput."""
    owner = form.get("ownerId")
    parsed = ids.parse(owner) if isinstance(owner, str) else None
    column = OWNER_TYPES.get(parsed[0]) if parsed is not None else None
    if parsed is None or column is None:
        raise BadUserInput(
            "ownerId",
            "give the id of a revision, work sheet, contract, quote, invoice or appointment",
        )
    kind = form.get("kind")
    if not isinstance(kind, str) or kind not in m.DocumentKind.__members__:
        raise BadUserInput("kind", f"use one of {', '.join(m.DocumentKind.__members__)}")
    visible = form.get("portalVisible", "false")
    if not isinstance(visible, str) or visible.strip().lower() not in TRUE | FALSE:
        raise BadUserInput("portalVisible", "use true or false")
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise BadUserInput("file", "attach the file as a multipart file field")
    return column, parsed[1], m.DocumentKind(kind), visible.strip().lower() in TRUE, upload


async def upload(request: Request) -> Response:
    state: AppState = request.app.state.sportello
    settings = state.settings
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        return _error(415, "UNSUPPORTED_MEDIA_TYPE", "Send the file as multipart/form-data.")
    limit = settings.max_upload_bytes + FORM_OVERHEAD
    declared = request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        return _too_large(settings.max_upload_bytes)
    async with state.engine.connect() as db:
        transaction = await db.begin()
        try:
            identity = await authenticate(db, request, settings, now_utc())
        except ApiError as refused:
            status = 403 if refused.code == "FORBIDDEN" else 401
            return _error(status, refused.code, refused.message)
        principal, scope = identity.principal, identity.scope
        if scope is None:
            return _error(401, "UNAUTHENTICATED", "Authentication required.")
        if not isinstance(principal, StaffPrincipal) or principal.role not in UPLOADERS:
            return _error(403, "FORBIDDEN", "Only ADMIN and OFFICE staff may upload documents.")
        await bind(db, identity)
        try:
            form = await Request(request.scope, _limited(request.receive, limit)).form(
                max_files=1, max_fields=8
            )
        except BodyTooLarge:
            return _too_large(settings.max_upload_bytes)
        except HTTPException:
            return _error(400, "BAD_REQUEST", "The multipart body is not valid.")
        store = store_for(settings)
        try:
            column, owner_id, kind, visible, sent = _fields(form)
            placement = await documents.owner_placement(db, scope, column, owner_id)
            if placement is None:
                raise BadUserInput("ownerId", "names no record that exists")
            incoming = await store.receive(
                sent.file,
                settings.max_upload_bytes,
                file_name=lambda mime_type: _file_name(sent, mime_type),
            )
        except ApiError as invalid:
            return _error(400, invalid.code, invalid.message, **invalid.extensions)
        except storage.TooLarge:
            return _too_large(settings.max_upload_bytes)
        except storage.StoreUnavailable:
            log.exception("the document store failed during an upload")
            return store_unavailable()
        except storage.UnsupportedType as unsupported:
            return _error(415, "UNSUPPORTED_MEDIA_TYPE", f"Unsupported file: {unsupported}.")
        finally:
            await form.close()
        document_id = uuid.uuid4()
        key = storage.storage_key(incoming.sha256, document_id)
        values = {
            "id": document_id,
            "organization_id": scope.organization_id,
            "client_id": placement.client_id,
            "site_id": placement.site_id,
            column: owner_id,
            "kind": kind,
            "file_name": _file_name(sent, incoming.mime_type),
            "mime_type": incoming.mime_type,
            "size_bytes": incoming.size,
            "sha256": incoming.sha256,
            "storage_key": key,
            "portal_visible": visible,
        }
        try:
            await documents.insert_document(db, values)
            await audit.record(
                db,
                scope.organization_id,
                "document_uploaded",
                actor=_actor(principal),
                ip=client_address(request, settings),
                subject_type="Document",
                subject_id=document_id,
            )
            await store.place(incoming, key)
            await transaction.commit()
        except Exception:
            # The transaction is rolled back as the connection closes; the file goes too.
            await store.discard(incoming.key, key)
            log.exception("storing document %s failed", document_id)
            return _error(500, "INTERNAL_SERVER_ERROR", "Internal server error.")
        except BaseException:
            await store.discard(incoming.key, key)
            raise
    body = {
        "id": ids.encode("Document", document_id),
        "fileName": values["file_name"],
        "mimeType": incoming.mime_type,
        "sizeBytes": incoming.size,
        "sha256": incoming.sha256,
    }
    return JSONResponse(body, status_code=201)
