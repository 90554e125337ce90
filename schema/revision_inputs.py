"""Inputs of the staff mutations on revisions (resolvers/revision_actions.py).

A revision is planned (create, update) while it is neither performed nor cancelled; its result
is recorded once, with one item per piece of equipment checked, and changed afterwards only by
an explicit correction that says why. On an update a field left out (null) stays as it is.
"""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.equipment import ItemOutcome
from schema.revisions import RevisionResult


@strawberry.input(description="A revision to plan at a site.")
class CreateRevisionInput:
    site_id: strawberry.ID = strawberry.field(description="A site in use (not archived).")
    due_month: dt.date = strawberry.field(
        description="The first day of the month it is due in, e.g. 2027-03-01."
    )
    contract_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="A contract of the site's client: client-wide or for this very site.",
    )
    planned_date: dt.date | None = strawberry.field(
        default=None, description="The day it is planned for."
    )
    technician_id: strawberry.ID | None = strawberry.field(
        default=None, description="An active TECHNICIAN of the organization."
    )
    notes: str = strawberry.field(default="", description="Internal; at most 5,000 characters.")


@strawberry.input(
    description="Changes to a revision not performed or cancelled; a field left out stays."
)
class UpdateRevisionInput:
    due_month: dt.date | None = strawberry.field(
        default=None, description="The first day of the month it is due in."
    )
    contract_id: strawberry.ID | None = strawberry.field(default=None, description='"" clears it.')
    planned_date: dt.date | None = None
    clear_planned_date: bool = strawberry.field(
        default=False, description="true: no planned day any more (plannedDate left out)."
    )
    technician_id: strawberry.ID | None = strawberry.field(
        default=None, description='"" clears it.'
    )
    notes: str | None = None


@strawberry.input(description="What the revision found for one piece of equipment.")
class RevisionItemInput:
    equipment_id: strawberry.ID = strawberry.field(
        description="Equipment of the revision's site, not archived before performedAt."
    )
    outcome: ItemOutcome
    notes: str = strawberry.field(
        default="", description="Findings, read by the client; at most 2,000 characters."
    )


@strawberry.input(
    description="A revision's result: when, the overall result and one item per piece of "
    "equipment. FAIL if and only if an item is NON_COMPLIANT; PASS only if every item is "
    "COMPLIANT; at least one item COMPLIANT or NON_COMPLIANT."
)
class RevisionResultInput:
    performed_at: dt.datetime = strawberry.field(description="With a time zone; not in the future.")
    result: RevisionResult
    items: list[RevisionItemInput]
