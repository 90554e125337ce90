"""Revisions (inspections) of a site: due in a month, planned on a day, performed with a result.

Contacts see the performed revisions of their sites and the next one of each site (its due
month, and its planned day once planned); the row scope hides the others (authz/policy.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry

from authz.policy import OWN, RECORD_CONTRACTS, SHARED
from authz.rules import STAFF_ONLY
from db import models as m
from db.queries import equipment as equipment_queries
from db.queries import revisions as queries
from schema.clients import Site, site_of
from schema.documents import Document, documents_of
from schema.equipment import Equipment, ItemOutcome
from schema.kit import ids
from schema.kit.batched import children, related, related_value
from schema.kit.permissions import readable
from schema.kit.relay import Connection, Node

RevisionResult = m.RevisionResult
strawberry.enum(RevisionResult, description="The overall result of a performed revision.")


@strawberry.type(description="How many items of a revision had each outcome.")
class RevisionOutcomes:
    compliant: int = readable(SHARED)
    non_compliant: int = readable(SHARED)
    not_checked: int = readable(SHARED)

    @classmethod
    def of_revision(cls, row: Any, _: Any) -> RevisionOutcomes:
        """From a row of db.queries.revisions.outcome_counts_of_revisions; none (a revision
        without items) counts zero of each."""
        if row is None:
            return cls(compliant=0, non_compliant=0, not_checked=0)
        return cls(
            compliant=row.compliant, non_compliant=row.non_compliant, not_checked=row.not_checked
        )


@strawberry.type(description="What a revision found for one piece of equipment.")
class RevisionItem:
    outcome: ItemOutcome = readable(SHARED)
    notes: str = readable(OWN, description="The inspector's findings for this item.")
    equipment_row_id: strawberry.Private[uuid.UUID]
    equipment: Equipment | None = related(
        equipment_queries.equipment_by_id,
        "equipment_row_id",
        Equipment.from_row,
        "The piece of equipment checked.",
        rule=SHARED,
    )

    @classmethod
    def from_row(cls, row: Any) -> RevisionItem:
        return cls(
            equipment_row_id=row.equipment_id,
            outcome=row.outcome,
            notes=row.notes,
        )


@strawberry.type(description="An inspection of a site's equipment.")
class Revision(Node):
    by_id = queries.revisions_by_id
    due_month: dt.date = readable(SHARED, description="First day of the month it is due in.")
    planned_date: dt.date | None = readable(SHARED, description="The day it is planned for.")
    performed_at: dt.datetime | None = readable(SHARED)
    result: RevisionResult | None = readable(SHARED, description="Null until performed.")
    cancelled_at: dt.datetime | None = readable(
        SHARED, description="When the office cancelled it (never performed then); null otherwise."
    )
    notes: str = readable(STAFF_ONLY, description="Internal notes of the office.")
    contract_id: strawberry.ID | None = readable(
        RECORD_CONTRACTS, description="The contract it is done under."
    )
    row_id: strawberry.Private[uuid.UUID]
    site_row_id: strawberry.Private[uuid.UUID]
    site: Site | None = site_of("The site inspected.", rule=SHARED)
    items: Connection[RevisionItem] = children(
        (queries.items_of_revisions, queries.item_counts_of_revisions),
        RevisionItem.from_row,
        "The outcome for each piece of equipment, by kind.",
        rule=SHARED,
    )
    outcomes: RevisionOutcomes = related_value(
        queries.outcome_counts_of_revisions,
        "row_id",
        RevisionOutcomes.of_revision,
        "How many items had each outcome.",
        rule=SHARED,
    )
    documents: Connection[Document] = documents_of(
        "revision_id", "Checklists, certificates and reports of the revision.", rule=OWN
    )

    @classmethod
    def from_row(cls, row: Any) -> Revision:
        return cls(
            id=ids.encode("Revision", row.id),
            row_id=row.id,
            site_row_id=row.site_id,
            due_month=row.due_month,
            planned_date=row.planned_date,
            performed_at=row.performed_at,
            result=row.result,
            cancelled_at=row.cancelled_at,
            notes=row.notes,
            contract_id=(
                ids.encode("Contract", row.contract_id) if row.contract_id is not None else None
            ),
        )
