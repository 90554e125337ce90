"""Equipment installed at a site, with the outcome of its last revision."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry

from db import models as m
from db.queries import equipment as queries
from schema.clients import Site, site_of
from schema.kit import ids
from schema.kit.batched import related
from schema.kit.relay import Node

ItemOutcome = m.ItemOutcome
strawberry.enum(ItemOutcome, description="What a revision found for one piece of equipment.")


@strawberry.type(description="The outcome of an item in its latest performed revision.")
class EquipmentCheck:
    outcome: ItemOutcome
    performed_at: dt.datetime = strawberry.field(description="When that revision was performed.")


def _check_of(row: Any) -> EquipmentCheck:
    return EquipmentCheck(outcome=row.outcome, performed_at=row.performed_at)


@strawberry.type(description="A piece of equipment installed at a site.")
class Equipment(Node):
    by_id = queries.equipment_by_id
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
    site: Site | None = site_of("The site where it is installed.")
    last_result: EquipmentCheck | None = related(
        queries.last_results_of_equipment,
        "row_id",
        _check_of,
        "Its outcome in the latest performed revision; null if never checked.",
    )

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
