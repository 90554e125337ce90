"""A page of 100 timesheet entries with site and technician, for staff."""

from __future__ import annotations

from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench.workloads import Caller, Workload, global_id, iso

PAGE = 100

SQL = """
SELECT t.id, t.clock_in, t.clock_out, t.source, t.internal_notes,
  st.first_name, left(st.last_name, 1) AS initial,
  s.id AS site_id, s.name AS site_name, s.city AS site_city
FROM timesheet_entry t
LEFT JOIN staff_user st ON st.id = t.technician_id AND st.organization_id = t.organization_id
LEFT JOIN site s ON s.id = t.site_id
WHERE t.organization_id = $1
ORDER BY t.clock_in, t.id
LIMIT $2
"""


def _technician(first: str | None, initial: str | None) -> dict[str, str] | None:
    if first is None:
        return None
    return {"displayName": f"{first} {initial.upper()}." if initial else first}


async def floor(
    db: asyncpg.Connection, caller: Caller | None, variables: dict[str, Any], _: str | None
) -> dict[str, Any]:
    assert caller is not None
    assert caller.contact_id is None, "staff only"
    rows = await db.fetch(SQL, caller.organization_id, PAGE + 1)
    return {
        "timesheetEntries": {
            "pageInfo": {"hasNextPage": len(rows) > PAGE},
            "edges": [
                {
                    "node": {
                        "id": global_id("TimesheetEntry", row["id"]),
                        "clockIn": iso(row["clock_in"]),
                        "clockOut": iso(row["clock_out"]),
                        "source": row["source"],
                        "internalNotes": row["internal_notes"],
                        "technician": _technician(row["first_name"], row["initial"]),
                        "site": None
                        if row["site_id"] is None
                        else {
                            "id": global_id("Site", row["site_id"]),
                            "name": row["site_name"],
                            "city": row["site_city"],
                        },
                    }
                }
                for row in rows[:PAGE]
            ],
        }
    }


def adapt_postgraphile(data: Any) -> Any:
    """Sportello shows staff a technician as first name and last initial ("Giulia R.")."""
    for node in data["allTimesheetEntries"]["nodes"]:
        staff = node.pop("staffUserByTechnicianIdAndOrganizationId")
        site = node.pop("siteBySiteIdAndClientIdAndOrganizationId")
        node["technician"] = (
            None if staff is None else _technician(staff["firstName"], staff["lastName"][:1])
        )
        node["site"] = site
    return data


WORKLOAD = Workload(
    name="timesheet_page",
    title="100 timesheet entries with site and technician (staff)",
    principal="staff",
    variables=lambda f: {},
    postgraphile_variables=lambda f: {},
    adapt_postgraphile=adapt_postgraphile,
    floor=floor,
    relation_edges=2,  # technician, site
)
