"""Root fields for documents (contacts: portal-visible ones of records they can see)."""

from __future__ import annotations

import strawberry
from strawberry import Info

from authz.policy import OWN
from db.queries import documents as queries
from resolvers.kit.filters import owned_by
from resolvers.kit.roots import listing, lookup, one_by_id
from schema.documents import Document, DocumentKind
from schema.kit.context import Context
from schema.kit.permissions import permitted
from schema.kit.relay import Connection, page_request

ContextInfo = Info[Context, None]


@strawberry.type
class DocumentQuery:
    @strawberry.field(
        description="Documents the caller may see, newest first.", extensions=permitted(OWN)
    )
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
        filters = {
            **owned_by(site_id, client_id),
            "kind": kind.value if kind is not None else None,
        }
        request = page_request(first, after, last, before)
        return await listing(
            info, Document, queries.document_page, queries.document_count, request, **filters
        )

    @strawberry.field(
        description="One document; null when it does not exist or is not visible.",
        metadata=one_by_id(Document),
        extensions=permitted(OWN),
    )
    async def document(self, info: ContextInfo, id: strawberry.ID) -> Document | None:
        return await lookup(info, Document, id)
