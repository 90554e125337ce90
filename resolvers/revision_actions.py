"""Staff (ADMIN, OFFICE) plan revisions, record their result item by item, correct a recorded
result saying why, and cancel a revision that will not take place.

A revision is planned (``createRevision``, ``updateRevision``), then either performed
(``recordRevisionResult``) or cancelled (``cancelRevision``), each once. Contacts read the
performed revisions of their sites with their items, and each site's next one (authz/policy.py),
so nothing they have seen may vanish or change unnoticed: a performed revision changes only
through ``correctRevisionResult``, whose reason the audit trail keeps beside the old and new
values; a cancelled revision is kept, marked ``cancelledAt`` (contacts still see it), never a
site's next one again and final. Nothing is deleted.

The result must agree with the items (:func:`_check_result`): PASS only when every item is
COMPLIANT; FAIL only when some item is NON_COMPLIANT; PASS_WITH_REMARKS whatever the items
(the inspector judges whether a defect fails the site or is a remark, e.g. an extinguisher
replaced on the spot, as the demo's inspections do); and at least one item was checked. An
item's equipment is at the revision's site, was installed by then and not archived before
``performedAt``; each piece once. Equipment's ``lastResult`` is its item in the latest
performed revision (by ``performedAt``): recording or correcting a revision moves it when
that revision is the latest to check the piece.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import strawberry
from strawberry import Info

from authz.policy import BACK_OFFICE_ONLY
from db import models as m
from db.queries import audit
from db.queries import clients as client_queries
from db.queries import contracts as contract_queries
from db.queries import equipment as equipment_queries
from db.queries import revision_actions as actions
from db.queries import staff as staff_queries
from db.scoped import records as rows
from resolvers import webhooks
from resolvers.kit import audited, changes
from schema.billing_inputs import optional_text
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput, Conflict
from schema.kit.permissions import permitted
from schema.revision_inputs import (
    CreateRevisionInput,
    RevisionItemInput,
    RevisionResultInput,
    UpdateRevisionInput,
)
from schema.revisions import Revision
from sportello.base.clock import now_utc

ContextInfo = Info[Context, None]
# A by-id read of db/queries: rows in the order of the ids, None for one out of scope.
Reader = Callable[[Any, Any, Sequence[uuid.UUID]], Awaitable[list[Any]]]

MAX_NOTES = 5_000
MAX_ITEM_NOTES = 2_000
MAX_REASON = 500
MAX_ITEMS = 1_000
# A performedAt a little ahead of our clock (the caller's device) is still "now".
SKEW = dt.timedelta(minutes=5)


async def _locked(info: ContextInfo, id: strawberry.ID) -> Any:
    return await changes.locked(info.context, m.Revision, "Revision", id, "revision")


def _planned_only(current: Any) -> None:
    """Refuse planning changes to a revision that is performed or cancelled."""
    if current.performed_at is not None:
        raise Conflict("The revision is performed; change its result with correctRevisionResult.")
    if current.cancelled_at is not None:
        raise Conflict("The revision is cancelled; plan a new one instead.")


def _due_month(value: dt.date) -> dt.date:
    if value.day != 1:
        raise BadUserInput("dueMonth", "give the first day of the month, e.g. 2027-03-01")
    return value


def _notes(field: str, value: str, limit: int) -> str:
    return optional_text(field, value, limit) or ""


def _reason(value: str) -> str:
    why = value.strip()
    if not why or len(why) > MAX_REASON:
        raise BadUserInput("reason", f"say why, in 1 to {MAX_REASON} characters")
    return why


async def _found(info: ContextInfo, read: Reader, type_name: str, given: str) -> Any:
    """The row the global id ``given`` names, through a by-id read of db/queries; None when
    the id is malformed, missing or out of the caller's scope (all answered alike)."""
    row_id = ids.decode(type_name, given)
    if row_id is None:
        return None
    return (await read(info.context.db, info.context.rows.scope, [row_id]))[0]


async def _site(info: ContextInfo, given: strawberry.ID) -> Any:
    """A site in use of the organization; an archived one takes no new revision."""
    site = await _found(info, client_queries.sites_by_id, "Site", given)
    if site is None or site.archived_at is not None:
        raise BadUserInput("siteId", "no such site")
    return site


async def _contract(info: ContextInfo, given: str, client_id: uuid.UUID, site_id: uuid.UUID) -> Any:
    """A contract of the site's client, client-wide or for that site; "" for none."""
    if given == "":
        return None
    found = await _found(info, contract_queries.contracts_by_id, "Contract", given)
    if found is None or found.client_id != client_id or found.site_id not in (None, site_id):
        raise BadUserInput("contractId", "no such contract of the site's client")
    return found.id


async def _technician(info: ContextInfo, given: str) -> Any:
    """An active TECHNICIAN of the organization; "" for none."""
    if given == "":
        return None
    found = await _found(info, staff_queries.staff_users_by_id, "StaffUser", given)
    if found is None or found.role != m.StaffRole.TECHNICIAN or not found.active:
        raise BadUserInput("technicianId", "no active technician has this id")
    return found.id


async def _plan(
    info: ContextInfo,
    input: CreateRevisionInput | UpdateRevisionInput,
    client_id: uuid.UUID,
    site_id: uuid.UUID,
) -> dict[str, Any]:
    """The planning columns ``input`` sets, each checked."""
    values: dict[str, Any] = {}
    if input.due_month is not None:
        values["due_month"] = _due_month(input.due_month)
    if input.contract_id is not None:
        values["contract_id"] = await _contract(info, input.contract_id, client_id, site_id)
    if input.planned_date is not None:
        values["planned_date"] = input.planned_date
    if input.technician_id is not None:
        values["technician_id"] = await _technician(info, input.technician_id)
    if input.notes is not None:
        values["notes"] = _notes("notes", input.notes, MAX_NOTES)
    return values


def _performed_at(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise BadUserInput("performedAt", "give a time zone (e.g. 2026-12-01T09:00:00+01:00)")
    if value > now_utc() + SKEW:
        raise BadUserInput("performedAt", "cannot be in the future")
    return value


async def _items(
    info: ContextInfo, revision: Any, performed_at: dt.datetime, given: list[RevisionItemInput]
) -> list[dict[str, Any]]:
    """The items to write, by equipment id: each piece of equipment at the revision's site,
    installed and not yet archived at ``performed_at``, and given once."""
    if not given:
        raise BadUserInput("items", "give the outcome of each piece of equipment checked")
    if len(given) > MAX_ITEMS:
        raise BadUserInput("items", f"give at most {MAX_ITEMS} items")
    wanted: list[uuid.UUID] = []
    for index, item in enumerate(given):
        equipment_id = ids.decode("Equipment", item.equipment_id)
        if equipment_id is None:
            raise BadUserInput(f"items[{index}].equipmentId", "no such equipment at the site")
        if equipment_id in wanted:
            raise BadUserInput(f"items[{index}].equipmentId", "give each piece of equipment once")
        wanted.append(equipment_id)
    context = info.context
    found = await equipment_queries.equipment_by_id(context.db, context.rows.scope, wanted)
    items = []
    for index, (item, row) in enumerate(zip(given, found, strict=True)):
        field = f"items[{index}].equipmentId"
        if row is None or row.site_id != revision.site_id:
            raise BadUserInput(field, "no such equipment at the site")
        if row.archived_at is not None and row.archived_at <= performed_at:
            raise BadUserInput(field, "was archived before performedAt")
        if row.installed_on is not None and row.installed_on > performed_at.date():
            raise BadUserInput(field, "was installed after performedAt")
        notes = _notes(f"items[{index}].notes", item.notes, MAX_ITEM_NOTES)
        items.append({"equipment_id": row.id, "outcome": item.outcome, "notes": notes})
    return sorted(items, key=lambda item: item["equipment_id"])


def _check_result(result: m.RevisionResult, items: Sequence[dict[str, Any]]) -> None:
    """Refuse a result the items contradict (the rule of the module docstring)."""
    outcomes = {item["outcome"] for item in items}
    if outcomes == {m.ItemOutcome.NOT_CHECKED}:
        raise BadUserInput("items", "no item was checked: give one COMPLIANT or NON_COMPLIANT")
    failed = m.ItemOutcome.NON_COMPLIANT in outcomes
    if not failed and result is m.RevisionResult.FAIL:
        raise BadUserInput("result", "FAIL needs a NON_COMPLIANT item")
    if outcomes != {m.ItemOutcome.COMPLIANT} and result is m.RevisionResult.PASS:
        raise BadUserInput("result", "PASS needs every item COMPLIANT: PASS_WITH_REMARKS or FAIL")


async def _result(
    info: ContextInfo, revision: Any, input: RevisionResultInput
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The checked columns (performed_at, result) and items of a result."""
    performed_at = _performed_at(input.performed_at)
    items = await _items(info, revision, performed_at, input.items)
    _check_result(input.result, items)
    return {"performed_at": performed_at, "result": input.result}, items


def _audited_items(items: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """Items as the audit trail keeps them, by equipment id."""
    return [
        {
            "equipment": ids.encode("Equipment", item["equipment_id"]),
            "outcome": m.ItemOutcome(item["outcome"]).value,
            "notes": item["notes"],
        }
        for item in items
    ]


async def _write(
    info: ContextInfo, current: Any, values: dict[str, Any], action: str, **extra: Any
) -> Revision:
    """Write ``values`` on the revision and audit the change; ``extra`` joins the details."""
    row = await rows.update(info.context.db, m.Revision, current.id, values)
    details = audit.change_details(current._mapping, values) | extra
    await audited.record(info.context, action, "Revision", row.id, details)
    return Revision.from_row(row)


async def _perform(
    info: ContextInfo,
    current: Any,
    input: RevisionResultInput,
    action: str,
    items_before: list[dict[str, str]],
    **extra: Any,
) -> Revision:
    """Write a result (time, result, items) over what the revision holds; audit what changed,
    items included (the audit details name them ``items``). Nothing changed: nothing written."""
    values, items = await _result(info, current, input)
    after = changes.differing(current, values)
    if _audited_items(items) != items_before:
        after["items"] = _audited_items(items)
    if not after:
        return Revision.from_row(current)
    context = info.context
    columns = {k: v for k, v in after.items() if k != "items"}
    row = await rows.update(context.db, m.Revision, current.id, columns) if columns else current
    if "items" in after:
        await actions.replace_items(context.db, current, items)
    details = audit.change_details({**current._mapping, "items": items_before}, after) | extra
    await audited.record(context, action, "Revision", current.id, details)
    if current.performed_at is None:
        await webhooks.notify(context, m.WebhookEvent.REVISION_PERFORMED, current.id)
    return Revision.from_row(row)


@strawberry.type
class RevisionMutation:
    @strawberry.mutation(
        description="Plan a revision at a site (ADMIN, OFFICE); dueMonth is a first of month.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def create_revision(self, info: ContextInfo, input: CreateRevisionInput) -> Revision:
        site = await _site(info, input.site_id)
        values = await _plan(info, input, site.client_id, site.id)
        values |= {"client_id": site.client_id, "site_id": site.id}
        context = info.context
        row = await rows.insert(context.db, context.rows.scope, m.Revision, values)
        details = audit.change_details({}, values)
        await audited.record(context, "revision_created", "Revision", row.id, details)
        return Revision.from_row(row)

    @strawberry.mutation(
        description="Change a revision not performed or cancelled (ADMIN, OFFICE); a field "
        "left out stays. CONFLICT once performed or cancelled.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def update_revision(
        self, info: ContextInfo, id: strawberry.ID, input: UpdateRevisionInput
    ) -> Revision:
        current = await _locked(info, id)
        _planned_only(current)
        values = await _plan(info, input, current.client_id, current.site_id)
        if input.clear_planned_date:
            if input.planned_date is not None:
                raise BadUserInput("clearPlannedDate", "give plannedDate or clear it, not both")
            values["planned_date"] = None
        changed = changes.differing(current, values)
        if not changed:
            return Revision.from_row(current)
        return await _write(info, current, changed, "revision_changed")

    @strawberry.mutation(
        description="Record what a revision found (ADMIN, OFFICE): when, the result and one "
        "item per piece of equipment checked. Once: CONFLICT when performed or cancelled.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def record_revision_result(
        self, info: ContextInfo, id: strawberry.ID, input: RevisionResultInput
    ) -> Revision:
        current = await _locked(info, id)
        _planned_only(current)
        return await _perform(info, current, input, "revision_performed", [])

    @strawberry.mutation(
        description="Correct a performed revision's result (ADMIN, OFFICE), saying why: its "
        "time, result and items are replaced; the audit trail keeps before, after and reason.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def correct_revision_result(
        self, info: ContextInfo, id: strawberry.ID, input: RevisionResultInput, reason: str
    ) -> Revision:
        current = await _locked(info, id)
        if current.performed_at is None:
            raise Conflict("The revision is not performed; record its result first.")
        why = _reason(reason)
        held = await actions.items_of(info.context.db, current.id)
        action = "revision_result_corrected"
        return await _perform(info, current, input, action, _audited_items(held), reason=why)

    @strawberry.mutation(
        description="Cancel a revision that will not take place (ADMIN, OFFICE), saying why: it "
        "stays, marked cancelledAt, and is no site's next revision any more. Final; CONFLICT "
        "once performed; cancelling twice changes nothing.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def cancel_revision(self, info: ContextInfo, id: strawberry.ID, reason: str) -> Revision:
        current = await _locked(info, id)
        if current.performed_at is not None:
            raise Conflict("The revision is performed; it cannot be cancelled.")
        why = _reason(reason)
        if current.cancelled_at is not None:
            return Revision.from_row(current)
        return await _write(
            info, current, {"cancelled_at": now_utc()}, "revision_cancelled", reason=why
        )
