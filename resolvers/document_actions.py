"""Staff (ADMIN, OFFICE) hide a document from the portal, show it again, or delete it.

``setDocumentPortalVisible(id:, visible:)``: contacts stop (or start) seeing the document at
once: every list, ``document(id:)`` and ``/files/{id}`` read ``portalVisible`` on each request
(authz/policy.py visible_documents), and a link already handed out answers 404 from then on.

``deleteDocument(id:)``: the row goes in the mutation's transaction; its file is removed from
the store only once that transaction has committed (a rolled-back deletion keeps both), by a
task that waits on the row's lock for the outcome. A crash in between leaves an unused file,
never a document without its file. The PDF of a signed work sheet is the record of what was
signed and was mailed to the contacts: it cannot be deleted (CONFLICT; the state of the sheet,
not the input, refuses it), only hidden.

Each change is audited ("document_visibility_changed" with the old and new value,
"document_deleted" with what the document was); an id of another organization answers
NOT_FOUND exactly like one that does not exist.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import strawberry
from strawberry import Info

from authz.policy import BACK_OFFICE_ONLY
from db import models as m
from db.queries import audit
from db.queries import document_actions as actions
from db.scoped import records
from db.storage import store_for
from resolvers.kit import audited, changes
from schema.documents import Document
from schema.kit.context import Context
from schema.kit.errors import Conflict
from schema.kit.permissions import permitted

ContextInfo = Info[Context, None]

log = logging.getLogger("sportello.documents")

# Removals of deleted documents' files waiting for their transaction to end (a reference
# keeps each task alive until it is done).
_removals: set[asyncio.Task[None]] = set()


async def _locked(info: ContextInfo, id: strawberry.ID) -> Any:
    """The document ``id`` locked for a change; NOT_FOUND when the caller cannot see it."""
    return await changes.locked(info.context, m.Document, "Document", id, "document")


async def _remove_file(context: Context, document_id: uuid.UUID, key: str) -> None:
    """Remove a deleted document's file once its deletion has committed."""
    organization_id = context.rows.scope.organization_id
    try:
        async with context.engine.begin() as db:
            gone = await actions.gone_once_settled(db, organization_id, document_id)
        if gone:
            await store_for(context.settings).discard(key)
    except Exception:
        # The deletion stands either way; an unused file is all that stays behind.
        log.exception("removing the file of deleted document %s failed", document_id)


@strawberry.type
class DocumentMutation:
    @strawberry.mutation(
        description="Show a document to the client's contacts or hide it from them (ADMIN, "
        "OFFICE); hidden, it leaves their lists and its links stop working at once.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def set_document_portal_visible(
        self, info: ContextInfo, id: strawberry.ID, visible: bool
    ) -> Document:
        context = info.context
        current = await _locked(info, id)
        if current.portal_visible == visible:
            return Document.from_row(current)
        row = await records.update(context.db, m.Document, current.id, {"portal_visible": visible})
        details = audit.change_details(
            {"portal_visible": current.portal_visible}, {"portal_visible": visible}
        )
        await audited.record(
            context, "document_visibility_changed", "Document", current.id, details
        )
        return Document.from_row(row)

    @strawberry.mutation(
        description="Delete a document and its file (ADMIN, OFFICE). The PDF of a signed work "
        "sheet cannot be deleted (CONFLICT): hide it instead.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def delete_document(self, info: ContextInfo, id: strawberry.ID) -> bool:
        context = info.context
        current = await _locked(info, id)
        if await actions.is_signed_sheet_pdf(context.db, current):
            raise Conflict(
                "This is the PDF of a signed work sheet, kept as its record: hide it from the "
                "portal with setDocumentPortalVisible instead."
            )
        await actions.delete(context.db, current.id)
        deleted = {
            "kind": current.kind.value,
            "file_name": current.file_name,
            "size_bytes": current.size_bytes,
            "sha256": current.sha256,
            "portal_visible": current.portal_visible,
        }
        await audited.record(
            context, "document_deleted", "Document", current.id, {"before": deleted}
        )
        removal = asyncio.create_task(_remove_file(context, current.id, current.storage_key))
        _removals.add(removal)
        removal.add_done_callback(_removals.discard)
        return True
