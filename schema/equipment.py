"""Equipment installed at a site, with the outcome of its last revision."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

import strawberry
from strawberry import Info

from db.queries import clients as client_queries
from db.queries import equipment as queries
from schema import ids
from schema.clients import Site
from schema.context import Context
from schema.relay import Connection, Node, nested_request, paged

ContextInfo = Info[Context, None]


@strawberry.enum(description="What a revision found for one piece of equipment.")
class ItemOutcome(enum.Enum):
    COMPLIANT = "COMPLIANT"
    NON_COMPLIANT = "NON_COMPLIANT"
    NOT_CHECKED = "NOT_CHECKED"


@strawberry.type(description="The outcome of an item in its latest performed revision.")
class EquipmentCheck:
    outcome: ItemOutcome
    performed_at: dt.datetime = strawberry.field(description="When that revision was performed.")


@strawberry.type(description="A piece of equipment installed at a site.")
class Equipment(Node):
    kind: str
    model: str | None
    serial_number: str | None
    location: str | None = strawberry.field(description="Where it stands in the site.")
    installed_on: dt.date | None
    row_id: strawberry.Private[uuid.UUID]
    site_row_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: Any) -> Equipment:
        return cls(
            id=ids.encode("Equipment", row.id),
            row_id=row.id,
            site_row_id=row.site_id,
            kind=row.kind,
            model=row.model,
            serial_number=row.serial_number,
            location=row.location,
            installed_on=row.installed_on,
        )

    @strawberry.field(description="The site where it is installed.")
    async def site(self, info: ContextInfo) -> Site | None:
        row = await info.context.rows.by_id(client_queries.sites_by_id).load(self.site_row_id)
        return Site.from_row(row) if row is not None else None

    @strawberry.field(
        description="Its outcome in the latest performed revision; null if never checked."
    )
    async def last_result(self, info: ContextInfo) -> EquipmentCheck | None:
        loader = info.context.rows.by_id(queries.last_results_of_equipment)
        row = await loader.load(self.row_id)
        if row is None:
            return None
        return EquipmentCheck(outcome=ItemOutcome(row.outcome.value), performed_at=row.performed_at)


async def equipment_of_site(
    info: ContextInfo, site_id: uuid.UUID, first: int | None, after: str | None
) -> Connection[Equipment]:
    """The equipment of one site, batched over every site asked."""
    loaders = info.context.rows
    request = nested_request(info, first, after)
    return await paged(
        lambda: loaders.pages_of(queries.equipment_of_sites, request).load(site_id),
        Equipment.from_row,
        lambda: loaders.counts_of(queries.equipment_counts_of_sites).load(site_id),
    )
