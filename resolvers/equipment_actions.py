"""Staff (ADMIN, OFFICE) record equipment at a client's site, keep it current, and archive it.

Archiving never deletes: revisions, tickets and work sheets that name the equipment keep
reading it, and it stays in the lists (staff see ``archivedAt``), so nothing a contact has seen
vanishes. The site is fixed at creation (the client follows from it): equipment moved to
another site is archived there and created anew, which keeps its revision history where it
happened. Every change is audited with the old and new value of each changed field.
"""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from strawberry import Info

from authz.policy import BACK_OFFICE_ONLY
from db import models as m
from db.queries import audit
from db.queries import billing_actions as actions
from db.queries import clients as client_queries
from db.queries import equipment as reads
from resolvers.kit import audited, changes
from schema.billing_inputs import (
    CreateEquipmentInput,
    UpdateEquipmentInput,
    optional_text,
    required_text,
)
from schema.equipment import Equipment
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput
from schema.kit.permissions import permitted
from sportello.base.clock import now_utc

ContextInfo = Info[Context, None]

# GraphQL field -> (column, most characters) of the optional texts.
TEXTS = {
    "model": ("model", 200),
    "serialNumber": ("serial_number", 100),
    "location": ("location", 200),
}


def equipment_values(input: CreateEquipmentInput | UpdateEquipmentInput) -> dict[str, Any]:
    """The columns of the fields given, each checked (shared with the import)."""
    values: dict[str, Any] = {}
    if input.kind is not None:
        values["kind"] = required_text("kind", input.kind, 100)
    given = {"model": input.model, "serialNumber": input.serial_number, "location": input.location}
    for field, value in given.items():
        if value is not None:
            column, limit = TEXTS[field]
            values[column] = optional_text(field, value, limit)
    if input.installed_on is not None:
        values["installed_on"] = input.installed_on
    return values


async def _locked(info: ContextInfo, id: strawberry.ID) -> Any:
    return await changes.locked(info.context, m.Equipment, "Equipment", id, "equipment")


async def _read(info: ContextInfo, row_id: uuid.UUID) -> Equipment:
    row = (await reads.equipment_by_id(info.context.db, info.context.rows.scope, [row_id]))[0]
    assert row is not None  # written in this transaction, in the caller's organization
    return Equipment.from_row(row)


@strawberry.type
class EquipmentMutation:
    @strawberry.mutation(
        description="Record a piece of equipment at a site (ADMIN, OFFICE). An unknown or "
        "foreign site is refused naming siteId.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def create_equipment(self, info: ContextInfo, input: CreateEquipmentInput) -> Equipment:
        context = info.context
        scope = context.rows.scope
        site_id = ids.decode("Site", input.site_id)
        site = (
            (await client_queries.sites_by_id(context.db, scope, [site_id]))[0]
            if site_id is not None
            else None
        )
        if site is None or site.archived_at is not None:  # an archived site takes no new work
            raise BadUserInput("siteId", "no such site")
        values = equipment_values(input)
        values |= {"organization_id": scope.organization_id, "client_id": site.client_id}
        values["site_id"] = site.id
        row_id = await actions.insert(context.db, m.Equipment, values)
        assert row_id is not None  # equipment has no unique key of its own
        details = audit.change_details({}, values)
        await audited.record(info.context, "equipment_created", "Equipment", row_id, details)
        return await _read(info, row_id)

    @strawberry.mutation(
        description="Change a piece of equipment (ADMIN, OFFICE); a field left out stays.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def update_equipment(
        self, info: ContextInfo, id: strawberry.ID, input: UpdateEquipmentInput
    ) -> Equipment:
        current = await _locked(info, id)
        values = equipment_values(input)
        await changes.update(
            info.context, m.Equipment, current, values, "equipment_changed", "Equipment"
        )
        return await _read(info, current.id)

    @strawberry.mutation(
        description="Retire a piece of equipment (ADMIN, OFFICE): it stays readable wherever "
        "it is named, with archivedAt set. Archiving it again changes nothing.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def archive_equipment(self, info: ContextInfo, id: strawberry.ID) -> Equipment:
        current = await _locked(info, id)
        if current.archived_at is None:
            values = {"archived_at": now_utc()}
            await changes.update(
                info.context, m.Equipment, current, values, "equipment_archived", "Equipment"
            )
        return await _read(info, current.id)
