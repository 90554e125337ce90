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
from pathlib import PurePosixPath

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from authz.identity import file_links
from authz.principals import Audience
from authz.rules import allow, staff
from db import models as m
from db import storage
from db.models.staff import StaffRole
from db.queries import documents
from db.storage import store_for
from schema.kit import ids
from schema.kit.errors import ApiError, BadUserInput
from sportello.base.clock import now_utc
from sportello.errors import Refusal, answering
from sportello.opening import Gate, opened
from sportello.uploads import check_upload, keep, read_form, receiving

log = logging.getLogger("sportello.files")

# Who downloads through a signed link: the link is bound to a session, which partners lack.
READERS = Gate(allow(Audience.STAFF, Audience.PORTAL), "Files are for staff and contacts.")
UPLOADERS = Gate(
    allow(staff(StaffRole.ADMIN, StaffRole.OFFICE)),
    "Only ADMIN and OFFICE staff may upload documents.",
)
# Global id type name of an owner record -> its column on the document (db/models/documents.py
# DOCUMENT_OWNERS); the API calls an intervention an appointment.
OWNER_TYPES = {
    "Appointment" if model is m.Intervention else model.__name__: column
    for column, model in m.DOCUMENT_OWNERS.items()
}
TRUE = frozenset({"true", "1", "yes", "on"})
FALSE = frozenset({"false", "0", "no", "off", ""})


def not_found() -> Refusal:
    """The one answer for every download that cannot be served, whatever the reason."""
    return Refusal(404, "NOT_FOUND", "No such file.")


@answering
async def download(request: Request) -> Response:
    document_id = ids.decode("Document", request.path_params["id"])
    expires = request.query_params.get("expires", "")
    sig = request.query_params.get("sig", "")
    # isascii: "²" is a digit to isdigit() but not to int().
    digits = expires.isascii() and expires.isdigit()
    if document_id is None or not digits or len(expires) > 12 or not sig:
        raise not_found()
    async with opened(request, READERS, check_origin=False, hidden=not_found()) as opening:
        db, scope, settings = opening.db, opening.scope, opening.settings
        holder = opening.identity.session_id
        now = now_utc()
        if holder is None or not file_links.valid(
            settings, document_id, int(expires), holder, sig, now.timestamp()
        ):
            raise not_found()
        row = (await documents.documents_by_id(db, scope, [document_id]))[0]
        if row is None:
            raise not_found()
        store = store_for(settings)
        presigned = None
        if settings.storage_presign_seconds:
            presigned = await store.presigned(row.storage_key, settings.storage_presign_seconds)
        stored = None if presigned is not None else await store.open(row.storage_key)
        if presigned is None and stored is None:
            log.error("document %s has no file in the store %s", document_id, store.location)
            raise not_found()
        await opening.audit("document_downloaded", "Document", document_id)
        await opening.transaction.commit()
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    if presigned is not None:
        return RedirectResponse(presigned, status_code=302, headers=headers)
    assert stored is not None
    headers["Content-Disposition"] = storage.attachment(row.file_name)
    headers["Content-Length"] = str(stored.size)
    return StreamingResponse(stored.chunks, media_type=row.mime_type, headers=headers)


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


@answering
async def upload(request: Request) -> Response:
    check_upload(request, request.app.state.sportello.settings.max_upload_bytes, "the file")
    async with opened(request, UPLOADERS) as opening:
        db, scope, settings = opening.db, opening.scope, opening.settings
        limit = settings.max_upload_bytes
        form = await read_form(request, limit, max_fields=8)
        store = store_for(settings)
        try:
            column, owner_id, kind, visible, sent = _fields(form)
            placement = await documents.owner_placement(db, scope, column, owner_id)
            if placement is None:
                raise BadUserInput("ownerId", "names no record that exists")
            with receiving(limit, "Unsupported file: {}."):
                incoming = await store.receive(
                    sent.file, limit, file_name=lambda mime_type: _file_name(sent, mime_type)
                )
        except ApiError as invalid:
            raise Refusal(400, invalid.code, invalid.message, **invalid.extensions) from None
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

        async def writes() -> bool:
            await documents.insert_document(db, values)
            await opening.audit("document_uploaded", "Document", document_id)
            return True

        failure = f"storing document {document_id} failed"
        await keep(store, incoming, key, opening.transaction, writes, failure)
    body = {
        "id": ids.encode("Document", document_id),
        "fileName": values["file_name"],
        "mimeType": incoming.mime_type,
        "sizeBytes": incoming.size,
        "sha256": incoming.sha256,
    }
    return JSONResponse(body, status_code=201)
