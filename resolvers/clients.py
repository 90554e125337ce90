"""Root fields for clients and sites."""

from __future__ import annotations

import strawberry
from strawberry import Info

from db.queries import clients as queries
from schema.clients import Client, Site
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.relay import Connection, page_request, paged

ContextInfo = Info[Context, None]


@strawberry.type
class ClientQuery:
    @strawberry.field(description="Clients the caller may see, by name.")
    async def clients(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: str | None = None,
    ) -> Connection[Client]:
        context = info.context
        scope = context.rows.scope
        request = page_request(first, after, last, before)
        return await paged(
            lambda: queries.client_page(context.db, scope, request, search),
            Client.from_row,
            lambda: queries.client_count(context.db, scope, search),
        )

    @strawberry.field(description="One client; null when it does not exist or is not visible.")
    async def client(self, info: ContextInfo, id: strawberry.ID) -> Client | None:
        row_id = ids.decode("Client", id)
        if row_id is None:
            return None
        row = await info.context.rows.by_id(queries.clients_by_id).load(row_id)
        return Client.from_row(row) if row is not None else None

    @strawberry.field(description="Sites the caller may see, by name.")
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
        context = info.context
        scope = context.rows.scope
        request = page_request(first, after, last, before)
        client = ids.filter_id("Client", client_id)
        return await paged(
            lambda: queries.site_page(context.db, scope, request, search, client),
            Site.from_row,
            lambda: queries.site_count(context.db, scope, search, client),
        )

    @strawberry.field(description="One site; null when it does not exist or is not visible.")
    async def site(self, info: ContextInfo, id: strawberry.ID) -> Site | None:
        row_id = ids.decode("Site", id)
        if row_id is None:
            return None
        row = await info.context.rows.by_id(queries.sites_by_id).load(row_id)
        return Site.from_row(row) if row is not None else None
