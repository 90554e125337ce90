"""Service contracts: client-wide, or for one site of the client."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry

from authz.policy import OWN, SHARED
from db.queries import contracts as queries
from schema.clients import Client, Site, client_of, site_of
from schema.documents import Document, documents_of
from schema.kit import ids
from schema.kit.permissions import imported_key, readable
from schema.kit.relay import Connection, Node


@strawberry.type(description="A service contract; without a site it covers the whole client.")
class Contract(Node):
    by_id = queries.contracts_by_id
    number: str = readable(SHARED)
    kind: str = readable(SHARED)
    description: str = readable(SHARED)
    starts_on: dt.date = readable(SHARED)
    expires_on: dt.date = readable(SHARED)
    external_ref: str | None = imported_key()
    days_to_expiry: int = readable(
        SHARED,
        description="Days from today (organization's time zone) to expiry; negative once expired.",
    )
    row_id: strawberry.Private[uuid.UUID]
    client_row_id: strawberry.Private[uuid.UUID]
    site_row_id: strawberry.Private[uuid.UUID | None]
    documents: Connection[Document] = documents_of(
        "contract_id", "Its documents the caller may see (certificates, PDFs).", rule=OWN
    )
    client: Client | None = client_of("The client under contract.", rule=SHARED)
    site: Site | None = site_of("The site covered; null for a client-wide contract.", rule=SHARED)

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
