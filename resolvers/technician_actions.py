"""A technician's planning data: working week, absences and skills (ADMIN, OFFICE).

Who may call these is in authz/policy.py; resolvers/staff_actions.py says how OFFICE is
narrowed. An absence over one of the technician's open appointments is refused (CONFLICT,
naming them); every change is audited, a week or a skill set as a whole.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry import Info

from authz.policy import BACK_OFFICE_ONLY
from db import models as m
from db.queries import activity_types as activity_queries
from db.queries import audit
from db.queries import staff_actions as actions
from db.scoped import records
from resolvers.kit import audited, changes
from resolvers.staff_actions import refuse_open_visits, staff_texts, staff_user
from schema import staff_inputs as inputs
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput
from schema.kit.permissions import permitted
from schema.staff import Absence, StaffUser

ContextInfo = Info[Context, None]

# A technician's skills: more than any real set, few enough for one small statement.
MAX_SKILLS = 200


async def _technician(info: ContextInfo, id: strawberry.ID) -> Any:
    """The technician whose hours, absences or skills change, locked, once the caller may."""
    row = await staff_user(info, id, "technician")
    if m.StaffRole(row.role) is not m.StaffRole.TECHNICIAN:
        raise BadUserInput("technicianId", "is not a technician")
    return row


async def _replaced(
    info: ContextInfo,
    technician: Any,
    what: tuple[str, str],
    before_after: tuple[list[Any], list[Any]],
    replace: Callable[[], Awaitable[None]],
) -> StaffUser:
    """Replace a technician's week or skills when ``before_after`` differ, audited whole under
    ``what`` (action, details key); the same set again changes and records nothing."""
    (action, key), (before, after) = what, before_after
    if before != after:
        await replace()
        details = audit.change_details({key: before}, {key: after})
        await audited.record(info.context, action, "StaffUser", technician.id, details)
    return StaffUser.from_row(technician)


@strawberry.type
class TechnicianMutation:
    @strawberry.mutation(
        description="Replace a technician's working week (ADMIN, OFFICE): spans in local "
        "time, each ending after it starts, none overlapping another of its day.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def set_working_hours(
        self,
        info: ContextInfo,
        technician_id: strawberry.ID,
        hours: list[inputs.WorkingHoursInput],
    ) -> StaffUser:
        context = info.context
        technician = await _technician(info, technician_id)
        spans = inputs.week(hours)
        stored = await actions.working_hours_of(context.db, technician.id)
        return await _replaced(
            info,
            technician,
            ("working_hours_set", "hours"),
            (
                inputs.recorded_week([(s.weekday, s.starts_at, s.ends_at) for s in stored]),
                inputs.recorded_week(spans),
            ),
            lambda: actions.replace_working_hours(
                context.db, context.rows.scope, technician.id, spans
            ),
        )

    @strawberry.mutation(
        description="Record a technician's absence (ADMIN, OFFICE); no slot is offered in it. "
        "CONFLICT naming the open appointments of the technician it would overlap.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def add_absence(
        self, info: ContextInfo, technician_id: strawberry.ID, input: inputs.AbsenceInput
    ) -> Absence:
        context = info.context
        technician = await _technician(info, technician_id)
        for field, moment in (("startsAt", input.starts_at), ("endsAt", input.ends_at)):
            if moment.utcoffset() is None:
                raise BadUserInput(field, "give a time zone (for example +01:00)")
        if input.ends_at <= input.starts_at:
            raise BadUserInput("endsAt", "must be after startsAt")
        reason = staff_texts({"reason": input.reason}).get("reason") or ""
        during = (input.starts_at, input.ends_at)
        await refuse_open_visits(info, technician.id, "The absence overlaps", during)
        values = {
            "technician_id": technician.id,
            "starts_at": input.starts_at,
            "ends_at": input.ends_at,
            "reason": reason,
        }
        row = await actions.insert_absence(context.db, context.rows.scope, values)
        details = audit.change_details({}, values)
        await audited.record(context, "absence_added", "Absence", row.id, details)
        return Absence.from_row(row)

    @strawberry.mutation(
        description="Remove an absence (ADMIN, OFFICE); its technician can be planned then.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def remove_absence(self, info: ContextInfo, id: strawberry.ID) -> StaffUser:
        context = info.context
        scope = context.rows.scope
        row = await changes.locked(context, m.Absence, "Absence", id, "absence")
        technician = await records.row_for_update(context.db, scope, m.StaffUser, row.technician_id)
        await actions.delete_absence(context.db, row.id)
        removed = {k: getattr(row, k) for k in ("technician_id", "starts_at", "ends_at", "reason")}
        # The mirror of a creation: "before" holds the absence, "after" nothing.
        details = audit.change_details({}, removed)
        details["before"], details["after"] = details["after"], details["before"]
        await audited.record(context, "absence_removed", "Absence", row.id, details)
        return StaffUser.from_row(technician)

    @strawberry.mutation(
        description="Replace the activity types a technician can perform (ADMIN, OFFICE). An "
        "activity type of another organization is refused like one that does not exist.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def set_technician_skills(
        self,
        info: ContextInfo,
        technician_id: strawberry.ID,
        activity_type_ids: list[strawberry.ID],
    ) -> StaffUser:
        context = info.context
        technician = await _technician(info, technician_id)
        if len(activity_type_ids) > MAX_SKILLS:
            raise BadUserInput("activityTypeIds", f"give at most {MAX_SKILLS}")
        wanted = {ids.decode("ActivityType", value) for value in activity_type_ids}
        found = await activity_queries.activity_types_by_id(
            context.db, context.rows.scope, sorted(i for i in wanted if i is not None)
        )
        if None in wanted or None in found:
            raise BadUserInput("activityTypeIds", "holds an activity type that does not exist")
        kept = {row.id for row in found if row is not None}
        stored = await actions.skill_ids_of(context.db, technician.id)
        return await _replaced(
            info,
            technician,
            ("technician_skills_set", "activityTypes"),
            (_encoded(stored), _encoded(kept)),
            lambda: actions.replace_skills(
                context.db, context.rows.scope, technician.id, sorted(kept)
            ),
        )


def _encoded(activity_type_ids: set[uuid.UUID]) -> list[str]:
    return sorted(ids.encode("ActivityType", i) for i in activity_type_ids)
