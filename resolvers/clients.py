"""Root fields for clients and sites."""

from __future__ import annotations

import strawberry
from strawberry import Info

from authz.policy import READERS
from db.queries import clients as queries
from resolvers.kit.roots import listing, lookup, one_by_id
from schema.clients import Client, Site
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.permissions import permitted
from schema.kit.relay import Connection, page_request

ContextInfo = Info[Context, None]


@strawberry.type
class ClientQuery:
    @strawberry.field(
        description="Clients the caller may see, by name.", extensions=permitted(READERS)
    )
    async def clients(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: str | None = None,
    ) -> Connection[Client]:
        request = page_request(first, after, last, before)
        return await listing(
            info, Client, queries.client_page, queries.client_count, request, search
        )

    @strawberry.field(
        description="One client; null when it does not exist or is not visible.",
        metadata=one_by_id(Client),
        extensions=permitted(READERS),
    )
    async def client(self, info: ContextInfo, id: strawberry.ID) -> Client | None:
        return await lookup(info, Client, id)

    @strawberry.field(
        description="Sites the caller may see, by name.", extensions=permitted(READERS)
    )
    async def sites(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: str | None = None,
        client_id: strawberry.ID | None = None,
    ) -> Connection[Site]:
        client = ids.filter_id("Client", client_id)
        request = page_request(first, after, last, before)
        return await listing(
            info, Site, queries.site_page, queries.site_count, request, search, client
        )

    @strawberry.field(
        description="One site; null when it does not exist or is not visible.",
        metadata=one_by_id(Site),
        extensions=permitted(READERS),
    )
    async def site(self, info: ContextInfo, id: strawberry.ID) -> Site | None:
        return await lookup(info, Site, id)
