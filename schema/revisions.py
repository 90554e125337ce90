"""Revisions (inspections) of a site: due in a month, planned on a day, performed with a result.

Contacts see the performed revisions of their sites and the next one of each site (its due
month, and its planned day once planned); the row scope hides the others (authz/policy.py).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from operator import attrgetter
from typing import Any

import strawberry
from strawberry import Info

from db.queries import clients as client_queries
from db.queries import equipment as equipment_queries
from db.queries import revisions as queries
from schema.clients import Site
from schema.documents import Document, documents_of
from schema.equipment import Equipment, ItemOutcome
from schema.kit import ids
from schema.kit.batched import Related
from schema.kit.context import Context
from schema.kit.nested import nested
from schema.kit.relay import Connection, Node

ContextInfo = Info[Context, None]

_DOCUMENTS = documents_of("revision_id")


_REVISION_SITE = Related(client_queries.sites_by_id, attrgetter("site_row_id"), Site.from_row)


@strawberry.enum(description="The overall result of a performed revision.")
class RevisionResult(enum.Enum):
    PASS = "PASS"  # noqa: S105 (a result, not a secret)
    PASS_WITH_REMARKS = "PASS_WITH_REMARKS"  # noqa: S105
    FAIL = "FAIL"


@strawberry.type(description="How many items of a revision had each outcome.")
class RevisionOutcomes:
    compliant: int
    non_compliant: int
    not_checked: int


_REVISIONITEM_EQUIPMENT = Related(
    equipment_queries.equipment_by_id, attrgetter("equipment_row_id"), Equipment.from_row
)


@strawberry.type(description="What a revision found for one piece of equipment.")
class RevisionItem:
    outcome: ItemOutcome
    notes: str = strawberry.field(description="The inspector's findings for this item.")
    equipment_row_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: Any) -> RevisionItem:
        return cls(
            equipment_row_id=row.equipment_id,
            outcome=ItemOutcome(row.outcome.value),
            notes=row.notes,
        )

    @strawberry.field(
        description="The piece of equipment checked.", metadata=_REVISIONITEM_EQUIPMENT.batch
    )
    async def equipment(self, info: ContextInfo) -> Equipment | None:
        return await _REVISIONITEM_EQUIPMENT.one(info, self)


@strawberry.type(description="An inspection of a site's equipment.")
class Revision(Node):
    due_month: dt.date = strawberry.field(description="First day of the month it is due in.")
    planned_date: dt.date | None = strawberry.field(description="The day it is planned for.")
    performed_at: dt.datetime | None
    result: RevisionResult | None = strawberry.field(description="Null until performed.")
    cancelled_at: dt.datetime | None = strawberry.field(
        description="When the office cancelled it (never performed then); null otherwise."
    )
    notes: str = strawberry.field(description="Internal notes of the office.")
    contract_id: strawberry.ID | None = strawberry.field(
        description="The contract it is done under."
    )
    row_id: strawberry.Private[uuid.UUID]
    site_row_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: Any) -> Revision:
        return cls(
            id=ids.encode("Revision", row.id),
            row_id=row.id,
            site_row_id=row.site_id,
            due_month=row.due_month,
            planned_date=row.planned_date,
            performed_at=row.performed_at,
            result=RevisionResult(row.result.value) if row.result is not None else None,
            cancelled_at=row.cancelled_at,
            notes=row.notes,
            contract_id=(
                ids.encode("Contract", row.contract_id) if row.contract_id is not None else None
            ),
        )

    @strawberry.field(description="The site inspected.", metadata=_REVISION_SITE.batch)
    async def site(self, info: ContextInfo) -> Site | None:
        return await _REVISION_SITE.one(info, self)

    @strawberry.field(description="The outcome for each piece of equipment, by kind.")
    async def items(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[RevisionItem]:
        lists = (queries.items_of_revisions, queries.item_counts_of_revisions)
        return await nested(info, lists, self.row_id, RevisionItem.from_row, first, after)

    @strawberry.field(description="How many items had each outcome.")
    async def outcomes(self, info: ContextInfo) -> RevisionOutcomes:
        loader = info.context.rows.by_id(queries.outcome_counts_of_revisions)
        row = await loader.load(self.row_id)
        if row is None:
            return RevisionOutcomes(compliant=0, non_compliant=0, not_checked=0)
        return RevisionOutcomes(
            compliant=row.compliant, non_compliant=row.non_compliant, not_checked=row.not_checked
        )

    @strawberry.field(
        description="Checklists, certificates and reports of the revision.",
        metadata=_DOCUMENTS.batch,
    )
    async def documents(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> Connection[Document]:
        return await _DOCUMENTS.one(info, self, first, after)


async def next_revision_of_site(info: ContextInfo, site_id: uuid.UUID) -> Revision | None:
    """The site's earliest revision not performed yet, batched over every site asked (with
    the last one: one statement when a page asks for both)."""
    _, row = await info.context.rows.by_id(queries.revisions_around_sites).load(site_id)
    return Revision.from_row(row) if row is not None else None


async def last_revision_of_site(info: ContextInfo, site_id: uuid.UUID) -> Revision | None:
    """The site's most recently performed revision, batched over every site asked."""
    row, _ = await info.context.rows.by_id(queries.revisions_around_sites).load(site_id)
    return Revision.from_row(row) if row is not None else None
