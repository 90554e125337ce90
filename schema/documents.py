"""Documents attached to records: checklists, certificates, signed work sheets, contracts, ...

A record type with documents gives itself a ``documents`` field through
:func:`documents_of`, naming its owner column (db/models/documents.py OWNER_COLUMNS); the
field's declaration loads the documents of all the records of a level at once
(schema/kit/batched.py):

    documents: Connection[Document] = documents_of("work_sheet_id", "The sheet's documents.")
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

import strawberry
from strawberry import Info

from authz.identity import file_links
from authz.policy import OWN
from authz.principals import PartnerPrincipal
from authz.rules import STAFF_ONLY, Rule
from db import models as m
from db.queries import documents as queries
from schema.kit import ids
from schema.kit.batched import children
from schema.kit.context import Context
from schema.kit.declared import computed
from schema.kit.errors import Unauthenticated
from schema.kit.permissions import readable
from schema.kit.relay import Connection, Node

ContextInfo = Info[Context, None]


DocumentKind = m.DocumentKind
strawberry.enum(DocumentKind, description="What a document is.")


def _download_url(document: Document, context: Context) -> str:
    """A link for the session (or partner token) that asked, signed with the server's key."""
    holder = context.session_id
    if holder is None and isinstance(context.principal, PartnerPrincipal):
        holder = context.principal.token_id
    if holder is None:
        raise Unauthenticated("Log in first.")
    return file_links.download_url(context.settings, document.row_id, holder, time.time())


@strawberry.type(description="A stored file attached to a record.")
class Document(Node):
    by_id = queries.documents_by_id
    # Partner tokens read no files, not even their ids (Node's id is SHARED).
    id: strawberry.ID = readable(OWN)
    kind: DocumentKind = readable(OWN)
    file_name: str = readable(OWN)
    mime_type: str = readable(OWN)
    size_bytes: int = readable(OWN)
    sha256: str = readable(OWN)
    created_at: dt.datetime = readable(OWN)
    portal_visible: bool = readable(STAFF_ONLY, description="Whether client contacts see it.")
    row_id: strawberry.Private[uuid.UUID]
    download_url: str = computed(
        _download_url,
        "A link to download the file, good for a few minutes and only for the session that "
        "asked for it.",
        rule=OWN,
    )

    @classmethod
    def from_row(cls, row: Any) -> Document:
        return cls(
            id=ids.encode("Document", row.id),
            row_id=row.id,
            kind=row.kind,
            file_name=row.file_name,
            mime_type=row.mime_type,
            size_bytes=row.size_bytes,
            sha256=row.sha256,
            created_at=row.created_at,
            portal_visible=row.portal_visible,
        )


def documents_of(owner_column: str, description: str, rule: Rule) -> Connection[Document]:
    """The field of the documents (the caller may see) of records owning them through
    ``owner_column`` (db/models/documents.py OWNER_COLUMNS), keyed by each record's ``row_id``."""
    lists = (queries.documents_of(owner_column), queries.document_counts_of(owner_column))
    return children(lists, Document.from_row, description, rule=rule)
