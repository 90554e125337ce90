"""Equipment installed at a site, with the outcome of its last revision."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry

from authz.policy import SHARED
from authz.rules import STAFF_ONLY
from db import models as m
from db.queries import equipment as queries
from schema.clients import Site, site_of
from schema.kit import ids
from schema.kit.batched import related
from schema.kit.permissions import imported_key, readable
from schema.kit.relay import Node

ItemOutcome = m.ItemOutcome
strawberry.enum(ItemOutcome, description="What a revision found for one piece of equipment.")


@strawberry.type(description="The outcome of an item in its latest performed revision.")
class EquipmentCheck:
    outcome: ItemOutcome = readable(SHARED)
    performed_at: dt.datetime = readable(SHARED, description="When that revision was performed.")


def _check_of(row: Any) -> EquipmentCheck:
    return EquipmentCheck(outcome=row.outcome, performed_at=row.performed_at)


@strawberry.type(description="A piece of equipment installed at a site.")
class Equipment(Node):
    by_id = queries.equipment_by_id
    kind: str = readable(SHARED)
    model: str | None = readable(SHARED)
    serial_number: str | None = readable(SHARED)
    location: str | None = readable(SHARED, description="Where it stands in the site.")
    installed_on: dt.date | None = readable(SHARED)
    external_ref: str | None = imported_key()
    archived_at: dt.datetime | None = readable(
        STAFF_ONLY,
        description="When staff retired it (staff only); it stays readable where it is named.",
    )
    row_id: strawberry.Private[uuid.UUID]
    site_row_id: strawberry.Private[uuid.UUID]
    site: Site | None = site_of("The site where it is installed.", rule=SHARED)
    last_result: EquipmentCheck | None = related(
        queries.last_results_of_equipment,
        "row_id",
        _check_of,
        "Its outcome in the latest performed revision; null if never checked.",
        rule=SHARED,
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
