"""Who may call each staff mutation: ADMIN and OFFICE staff of the organization only."""

from __future__ import annotations

from typing import Any

import pytest

from schema.kit import ids
from tests.api import Demo
from tests.api.callers import ALLOWED, assert_only_staff_may_call, outcome, refused, token_of
from tests.api.staff.kit import (
    ADD_ABSENCE,
    ARCHIVE,
    CREATE,
    OPEN,
    REMOVE_ABSENCE,
    SET_HOURS,
    SET_SKILLS,
    STATE,
    UPDATE,
    new_user,
)

MUTATIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("createStaffUser", CREATE, {"input": new_user()}),
    ("updateStaffUser", UPDATE, {"input": {"phone": "+39 02 0000 0000"}}),
    ("archiveStaffUser", ARCHIVE, {}),
    ("setWorkingHours", SET_HOURS, {"hours": []}),
    ("addAbsence", ADD_ABSENCE, {}),
    ("removeAbsence", REMOVE_ABSENCE, {}),
    ("setTechnicianSkills", SET_SKILLS, {"activities": []}),
]


async def _variables(demo: Demo, name: str, given: dict[str, Any]) -> dict[str, Any]:
    """Arguments naming an idle technician of brillanti (one the archive may deactivate)."""
    technician = await demo.scalar(
        "SELECT s.id FROM staff_user s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = 'brillanti' AND s.role = 'TECHNICIAN' AND s.active AND NOT EXISTS "
        "(SELECT 1 FROM intervention i WHERE i.technician_id = s.id AND i.status = ANY(:open)) "
        "ORDER BY s.id LIMIT 1",
        open=OPEN,
    )
    if technician is None:  # every technician is busy: free the first one
        technician = await demo.scalar(
            "SELECT s.id FROM staff_user s JOIN organization o ON o.id = s.organization_id "
            "WHERE o.slug = 'brillanti' AND s.role = 'TECHNICIAN' AND s.active ORDER BY s.id "
            "LIMIT 1"
        )
        await demo.execute(
            "UPDATE intervention SET status = 'CANCELLED' WHERE technician_id = :t "
            "AND status = ANY(:open)",
            open=OPEN,
            t=technician,
        )
    target = ids.encode("StaffUser", technician)
    if name == "createStaffUser":
        return given
    if name in ("updateStaffUser", "archiveStaffUser"):
        return given | {"id": target}
    if name == "addAbsence":
        period = {"startsAt": "2031-08-03T00:00:00+02:00", "endsAt": "2031-08-04T00:00:00+02:00"}
        return {"technician": target, "input": period}
    if name == "removeAbsence":
        absence = await demo.scalar(
            "SELECT id FROM absence WHERE technician_id = :t LIMIT 1", t=technician
        )
        return {"id": ids.encode("Absence", absence)}
    return given | {"technician": target}


@pytest.mark.parametrize(("name", "query", "given"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
async def test_only_admin_and_office_staff_may_call_it(
    demo: Demo, name: str, query: str, given: dict[str, Any]
) -> None:
    variables = await _variables(demo, name, given)
    before = await demo.scalar(STATE)
    await assert_only_staff_may_call(demo, query, variables)
    if name != "createStaffUser":
        # Another organization's staff: the record does not exist for them.
        other = await refused(demo, await demo.as_("staff admin", "ignis"), query, **variables)
        assert other["extensions"]["code"] == "NOT_FOUND"
    assert await demo.scalar(STATE) == before
    for caller in ("OFFICE", "ADMIN"):
        response = await demo.gql(query, token=await token_of(demo, caller), variables=variables)
        # Allowed: the second at most refused for what the first did (the email now taken,
        # the absence removed).
        assert outcome(response) in (ALLOWED, "BAD_USER_INPUT", "NOT_FOUND"), response.text
