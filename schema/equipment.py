"""Equipment installed at a site, with the outcome of its last revision."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from operator import attrgetter
from typing import Any

import strawberry
from strawberry import Info

from db.queries import clients as client_queries
from db.queries import equipment as queries
from schema.clients import Site
from schema.kit import ids
from schema.kit.batched import Related
from schema.kit.context import Context
from schema.kit.nested import nested
from schema.kit.relay import Connection, Node

ContextInfo = Info[Context, None]


@strawberry.enum(description="What a revision found for one piece of equipment.")
class ItemOutcome(enum.Enum):
    COMPLIANT = "COMPLIANT"
    NON_COMPLIANT = "NON_COMPLIANT"
    NOT_CHECKED = "NOT_CHECKED"


_EQUIPMENT_SITE = Related(client_queries.sites_by_id, attrgetter("site_row_id"), Site.from_row)


@strawberry.type(description="The outcome of an item in its latest performed revision.")
class EquipmentCheck:
    outcome: ItemOutcome
    performed_at: dt.datetime = strawberry.field(description="When that revision was performed.")


def _check_of(row: Any) -> EquipmentCheck:
    return EquipmentCheck(outcome=ItemOutcome(row.outcome.value), performed_at=row.performed_at)


_LAST_RESULT = Related(queries.last_results_of_equipment, attrgetter("row_id"), _check_of)


@strawberry.type(description="A piece of equipment installed at a site.")
class Equipment(Node):
    kind: str
    model: str | None
    serial_number: str | None
    location: str | None = strawberry.field(description="Where it stands in the site.")
    installed_on: dt.date | None
    external_ref: str | None = strawberry.field(
        description="Its key in the system it is imported from (staff only; sportello import)."
    )
    archived_at: dt.datetime | None = strawberry.field(
        description="When staff retired it (staff only); it stays readable where it is named."
    )
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
            external_ref=row.external_ref,
            archived_at=row.archived_at,
        )

    @strawberry.field(description="The site where it is installed.", metadata=_EQUIPMENT_SITE.batch)
    async def site(self, info: ContextInfo) -> Site | None:
        return await _EQUIPMENT_SITE.one(info, self)

    @strawberry.field(
        description="Its outcome in the latest performed revision; null if never checked.",
        metadata=_LAST_RESULT.batch,
    )
    async def last_result(self, info: ContextInfo) -> EquipmentCheck | None:
        return await _LAST_RESULT.one(info, self)


async def equipment_of_site(
    info: ContextInfo, site_id: uuid.UUID, first: int | None, after: str | None
) -> Connection[Equipment]:
    """The equipment of one site, batched over every site asked."""
    lists = (queries.equipment_of_sites, queries.equipment_counts_of_sites)
    return await nested(info, lists, site_id, Equipment.from_row, first, after)
