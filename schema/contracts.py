"""Service contracts: client-wide, or for one site of the client."""

from __future__ import annotations

import datetime as dt
import uuid
from operator import attrgetter
from typing import Any

import strawberry
from strawberry import Info

from db.queries import clients as client_queries
from db.queries import contracts as queries
from schema.clients import Client, Site
from schema.documents import Document, documents_of
from schema.kit import ids
from schema.kit.batched import Related
from schema.kit.context import Context
from schema.kit.nested import nested
from schema.kit.relay import Connection, Node

ContextInfo = Info[Context, None]

_DOCUMENTS = documents_of("contract_id")


_CONTRACT_CLIENT = Related(
    client_queries.clients_by_id, attrgetter("client_row_id"), Client.from_row
)
_CONTRACT_SITE = Related(client_queries.sites_by_id, attrgetter("site_row_id"), Site.from_row)


@strawberry.type(description="A service contract; without a site it covers the whole client.")
class Contract(Node):
    number: str
    kind: str
    description: str
    starts_on: dt.date
    expires_on: dt.date
    external_ref: str | None = strawberry.field(
        description="Its key in the system it is imported from (staff only; sportello import)."
    )
    days_to_expiry: int = strawberry.field(
        description="Days from today (organization's time zone) to expiry; negative once expired."
    )
    row_id: strawberry.Private[uuid.UUID]
    client_row_id: strawberry.Private[uuid.UUID]
    site_row_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: Any) -> Contract:
        return cls(
            id=ids.encode("Contract", row.id),
            row_id=row.id,
            client_row_id=row.client_id,
            site_row_id=row.site_id,
            number=row.number,
            kind=row.kind,
            description=row.description,
            starts_on=row.starts_on,
            expires_on=row.expires_on,
            external_ref=row.external_ref,
            days_to_expiry=row.days_to_expiry,
        )

    @strawberry.field(
        description="Its documents the caller may see (certificates, PDFs).",
        metadata=_DOCUMENTS.batch,
    )
    async def documents(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Document]:
        return await _DOCUMENTS.one(info, self, first, after)

    @strawberry.field(description="The client under contract.", metadata=_CONTRACT_CLIENT.batch)
    async def client(self, info: ContextInfo) -> Client | None:
        return await _CONTRACT_CLIENT.one(info, self)

    @strawberry.field(
        description="The site covered; null for a client-wide contract.",
        metadata=_CONTRACT_SITE.batch,
    )
    async def site(self, info: ContextInfo) -> Site | None:
        return await _CONTRACT_SITE.one(info, self)


async def contracts_of_site(
    info: ContextInfo, site_id: uuid.UUID, first: int | None, after: str | None
) -> Connection[Contract]:
    """The contracts of one site (not the client-wide ones), batched over all sites asked."""
    lists = (queries.contracts_of_sites, queries.contract_counts_of_sites)
    return await nested(info, lists, site_id, Contract.from_row, first, after)


async def contracts_of_client(
    info: ContextInfo, client_id: uuid.UUID, first: int | None, after: str | None
) -> Connection[Contract]:
    """Every contract of one client the caller may see, client-wide and per site."""
    lists = (queries.contracts_of_clients, queries.contract_counts_of_clients)
    return await nested(info, lists, client_id, Contract.from_row, first, after)
