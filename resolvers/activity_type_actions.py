"""Staff (ADMIN, OFFICE) create activity types and edit their portal texts and booking
conditions.

Every field is checked before anything is written: a template holding a code the portal
cannot fill (schema.activity_types.SUBSTITUTION_CODES) is refused when it is saved, so that a
client never sees it raw. Fields left out (null) stay as they are.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import strawberry
from strawberry import Info

from authz.policy import BACK_OFFICE_ONLY
from db import models as m
from db.queries import activity_type_actions as actions
from db.queries import audit
from db.scoped import records
from resolvers.kit import audited
from resolvers.kit.changes import differing, locked
from schema.activity_types import (
    SUBSTITUTION_CODES,
    ActivityKind,
    ActivityType,
    AppointmentStatus,
    unknown_codes,
)
from schema.kit.context import Context
from schema.kit.errors import BadUserInput
from schema.kit.permissions import permitted

ContextInfo = Info[Context, None]

# GraphQL field -> (column, most characters).
TEMPLATES = {
    "portalTitle": ("portal_title", 200),
    "portalDescription": ("portal_description", 1000),
    "portalLongDescription": ("portal_long_description", 10_000),
}
# An appointment can be moved only before the work starts.
RESCHEDULABLE = (AppointmentStatus.REQUESTED, AppointmentStatus.PLANNED)
MAX_LEAD_HOURS = 24 * 365
MAX_DURATION_MINUTES = 24 * 60


@strawberry.input(description="Changes to an activity type; a field left out stays as it is.")
class ActivityTypeInput:
    portal_title: str | None = strawberry.field(
        default=None, description="At most 200 characters; may hold substitution codes."
    )
    portal_description: str | None = strawberry.field(
        default=None, description="At most 1000 characters; may hold substitution codes."
    )
    portal_long_description: str | None = strawberry.field(
        default=None, description="At most 10000 characters; may hold substitution codes."
    )
    portal_visible: bool | None = None
    portal_bookable: bool | None = strawberry.field(
        default=None, description="Only for an activity type shown on the portal."
    )
    reschedule_allowed_statuses: list[AppointmentStatus] | None = strawberry.field(
        default=None, description="REQUESTED and/or PLANNED."
    )
    reschedule_min_lead_hours: int | None = None
    duration_minutes: int | None = None


@strawberry.input(description="A new activity type; the portal fields as in ActivityTypeInput.")
class CreateActivityTypeInput(ActivityTypeInput):
    name: str = strawberry.field(description="Unique in the organization; 1-120 characters.")
    kind: ActivityKind


# What a new activity type starts from: hidden from the portal, not bookable, no texts, moved
# only by staff, with the table's default lead time for contacts' moves.
NEW_ACTIVITY = SimpleNamespace(
    portal_title="",
    portal_description="",
    portal_long_description="",
    portal_visible=False,
    portal_bookable=False,
    reschedule_allowed_statuses=[],
    reschedule_min_lead_hours=48,
    duration_minutes=None,  # required of a new one (the input's field is optional for edits)
)


def _template(field: str, value: str) -> str:
    limit = TEMPLATES[field][1]
    text = value.strip()
    if len(text) > limit:
        raise BadUserInput(field, f"use at most {limit} characters")
    unknown = unknown_codes(text)
    if unknown:
        known = ", ".join("{" + code + "}" for code in SUBSTITUTION_CODES)
        raise BadUserInput(field, f"unknown substitution code {{{unknown[0]}}}; use {known}")
    return text


def changes(input: ActivityTypeInput, current: Any) -> dict[str, Any]:
    """The columns to write, every field checked; raises BadUserInput on the first bad one."""
    values: dict[str, Any] = {}
    for field, value in (
        ("portalTitle", input.portal_title),
        ("portalDescription", input.portal_description),
        ("portalLongDescription", input.portal_long_description),
    ):
        if value is not None:
            values[TEMPLATES[field][0]] = _template(field, value)
    if input.reschedule_allowed_statuses is not None:
        statuses = list(dict.fromkeys(input.reschedule_allowed_statuses))
        wrong = [s.value for s in statuses if s not in RESCHEDULABLE]
        if wrong:
            raise BadUserInput(
                "rescheduleAllowedStatuses",
                f"{', '.join(wrong)}: only REQUESTED or PLANNED appointments can be moved",
            )
        values["reschedule_allowed_statuses"] = [s.value for s in statuses]
    lead = input.reschedule_min_lead_hours
    if lead is not None:
        if not 0 <= lead <= MAX_LEAD_HOURS:
            raise BadUserInput("rescheduleMinLeadHours", f"use 0 to {MAX_LEAD_HOURS} hours")
        values["reschedule_min_lead_hours"] = lead
    duration = input.duration_minutes
    if duration is not None:
        if not 1 <= duration <= MAX_DURATION_MINUTES:
            raise BadUserInput("durationMinutes", f"use 1 to {MAX_DURATION_MINUTES} minutes")
        values["duration_minutes"] = duration
    if input.portal_visible is not None:
        values["portal_visible"] = input.portal_visible
    if input.portal_bookable is not None:
        values["portal_bookable"] = input.portal_bookable
    visible = values.get("portal_visible", current.portal_visible)
    if values.get("portal_bookable", current.portal_bookable) and not visible:
        raise BadUserInput("portalBookable", "only an activity shown on the portal is bookable")
    return differing(current, values)


@strawberry.type
class ActivityTypeMutation:
    @strawberry.mutation(
        description="Create an activity type (ADMIN, OFFICE): hidden from the portal until "
        "portalVisible is set; its name is unique in the organization.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def create_activity_type(
        self, info: ContextInfo, input: CreateActivityTypeInput
    ) -> ActivityType:
        context = info.context
        name = input.name.strip()
        if not name or len(name) > 120 or any(ch < " " or ch == "\x7f" for ch in name):
            raise BadUserInput("name", "give one line of 1 to 120 characters")
        if input.duration_minutes is None:
            raise BadUserInput("durationMinutes", f"use 1 to {MAX_DURATION_MINUTES} minutes")
        values = {"name": name, "kind": input.kind.value} | changes(input, NEW_ACTIVITY)
        scope = context.rows.scope
        taken = await records.taken(context.db, scope, m.ActivityType, "name", name)
        if taken:
            raise BadUserInput("name", "another activity type already uses this name")
        try:
            row = await records.insert(context.db, scope, m.ActivityType, values)
        except records.Taken:
            raise BadUserInput("name", "another activity type already uses this name") from None
        details = audit.change_details({}, values)
        await audited.record(context, "activity_type_created", "ActivityType", row.id, details)
        return ActivityType.from_row(row)

    @strawberry.mutation(
        description="Edit an activity type's portal texts and booking conditions (ADMIN, "
        "OFFICE). A template with a code the portal cannot fill is refused.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def update_activity_type(
        self, info: ContextInfo, id: strawberry.ID, input: ActivityTypeInput
    ) -> ActivityType:
        context = info.context
        current = await locked(context, m.ActivityType, "ActivityType", id, "activity type")
        values = changes(input, current)
        if not values:
            return ActivityType.from_row(current)
        row = await actions.update_activity_type(context.db, current.id, values)
        details = {"changed": sorted(values)}
        await audited.record(context, "activity_type_changed", "ActivityType", current.id, details)
        return ActivityType.from_row(row)
