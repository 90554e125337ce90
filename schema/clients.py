"""Clients (the service company's customers) and their sites."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import Info

from db.queries import clients as queries
from schema import ids
from schema.context import Context
from schema.relay import Connection, Node, page_request, paged

ContextInfo = Info[Context, None]


@strawberry.type(description="A customer of the service company.")
class Client(Node):
    code: str
    name: str
    tax_id: str | None
    email: str | None
    phone: str | None
    portal_enabled: bool
    row_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: Any) -> Client:
        return cls(
            id=ids.encode("Client", row.id),
            row_id=row.id,
            code=row.code,
            name=row.name,
            tax_id=row.tax_id,
            email=row.email,
            phone=row.phone,
            portal_enabled=row.portal_enabled,
        )

    @strawberry.field(description="The client's sites the caller may see.")
    async def sites(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[Site]:
        loaders = info.context.rows
        request = page_request(first, after)
        return await paged(
            lambda: loaders.pages_of(queries.sites_of_clients, request).load(self.row_id),
            Site.from_row,
            lambda: loaders.counts_of(queries.site_counts_of_clients).load(self.row_id),
        )


@strawberry.type(description="A place where the work happens (sede, cantiere).")
class Site(Node):
    name: str
    address: str
    city: str
    postal_code: str
    province: str | None
    country: str
    lat: Decimal
    lng: Decimal
    row_id: strawberry.Private[uuid.UUID]
    client_row_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: Any) -> Site:
        return cls(
            id=ids.encode("Site", row.id),
            row_id=row.id,
            client_row_id=row.client_id,
            name=row.name,
            address=row.address,
            city=row.city,
            postal_code=row.postal_code,
            province=row.province,
            country=row.country,
            lat=row.lat,
            lng=row.lng,
        )

    @strawberry.field(description="The client the site belongs to.")
    async def client(self, info: ContextInfo) -> Client | None:
        row = await info.context.rows.by_id(queries.clients_by_id).load(self.client_row_id)
        return Client.from_row(row) if row is not None else None
