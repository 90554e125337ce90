"""Root fields for documents (contacts: portal-visible ones of records they can see)."""

from __future__ import annotations

import strawberry
from strawberry import Info

from db.queries import documents as queries
from schema.documents import Document, DocumentKind
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.ids import filter_id
from schema.kit.relay import Connection, page_request, paged

ContextInfo = Info[Context, None]


@strawberry.type
class DocumentQuery:
    @strawberry.field(description="Documents the caller may see, newest first.")
    async def documents(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        site_id: strawberry.ID | None = None,
        client_id: strawberry.ID | None = None,
        kind: DocumentKind | None = None,
    ) -> Connection[Document]:
        context = info.context
        scope = context.rows.scope
        request = page_request(first, after, last, before)
        filters = {
            "site_id": filter_id("Site", site_id),
            "client_id": filter_id("Client", client_id),
            "kind": kind.value if kind is not None else None,
        }
        return await paged(
            lambda: queries.document_page(context.db, scope, request, **filters),
            Document.from_row,
            lambda: queries.document_count(context.db, scope, **filters),
        )

    @strawberry.field(description="One document; null when it does not exist or is not visible.")
    async def document(self, info: ContextInfo, id: strawberry.ID) -> Document | None:
        row_id = ids.decode("Document", id)
        if row_id is None:
            return None
        row = await info.context.rows.by_id(queries.documents_by_id).load(row_id)
        return Document.from_row(row) if row is not None else None
