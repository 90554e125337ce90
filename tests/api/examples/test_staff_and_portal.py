"""graphql_examples/staff/ and portal/: every query is valid in its audience's view and answers
on the demo data with data and no errors (staff admin; contact of one client)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse, validate

from authz.principals import Audience
from schema.kit import ids
from sportello.assembly import views
from tests.api import Demo

EXAMPLES = Path(__file__).resolve().parents[3] / "graphql_examples"
CONSUMERS = {
    "staff": ("staff admin", Audience.STAFF),
    "portal": ("contact of one client", Audience.PORTAL),
}
FILES = sorted(
    f"{folder}/{path.name}"
    for folder in CONSUMERS
    for path in (EXAMPLES / folder).glob("*.graphql")
)

# Values for the variables the examples declare, by name; ids come from the caller's first rows.
PERIOD = {
    "from": "2026-11-01T00:00:00+01:00",
    "to": "2026-12-01T00:00:00+01:00",
    "fromDay": "2026-01-01",
    "toDay": "2026-11-30",
    "month": "2026-11",
    "expiringBefore": "2027-12-31",
    "after": None,
}


# The appointment examples (staff/appointment_staff_actions.graphql) act on the first request
# still without a technician: its activity type, and a technician who does it and is free then.
REQUEST = (
    "(SELECT r.{} FROM intervention r WHERE r.organization_id = x.organization_id "
    "AND r.status = 'REQUESTED' AND r.technician_id IS NULL ORDER BY r.id LIMIT 1)"
)
REQUEST_ID, REQUEST_ACTIVITY = REQUEST.format("id"), REQUEST.format("activity_type_id")
FREE_TECHNICIAN = (
    "x.role = 'TECHNICIAN' AND x.active AND EXISTS (SELECT 1 FROM intervention r "  # noqa: S608
    "JOIN technician_skill k ON k.activity_type_id = r.activity_type_id "
    f"AND k.technician_id = x.id WHERE r.id = {REQUEST_ID} "
    "AND NOT EXISTS (SELECT 1 FROM intervention b WHERE b.technician_id = x.id "
    "AND b.status <> 'CANCELLED' AND b.starts_at < r.ends_at AND b.ends_at > r.starts_at) "
    "AND NOT EXISTS (SELECT 1 FROM absence a WHERE a.technician_id = x.id "
    "AND a.starts_at < r.ends_at AND a.ends_at > r.starts_at))"
)

# Records the field work examples (staff/field_actions.graphql) act on, in the staff admin's
# organization: an appointment that is not cancelled, a DRAFT work sheet, a timesheet entry.
FIELD_RECORDS = {
    name: (
        kind,
        f"SELECT x.id FROM {table} x JOIN organization o ON o.id = x.organization_id "  # noqa: S608
        f"WHERE o.slug = 'brillanti' AND {where} ORDER BY x.id LIMIT 1",
    )
    for name, kind, table, where in (
        ("appointment", "Appointment", "intervention", "x.status <> 'CANCELLED'"),
        ("workSheet", "WorkSheet", "work_sheet", "x.status = 'DRAFT'"),
        ("timesheetEntry", "TimesheetEntry", "timesheet_entry", "x.clock_out IS NOT NULL"),
        ("document", "Document", "document", "x.kind <> 'WORK_SHEET_PDF'"),
        ("request", "Appointment", "intervention", f"x.id = {REQUEST_ID}"),
        ("activityType", "ActivityType", "activity_type", f"x.id = {REQUEST_ACTIVITY}"),
        ("technician", "StaffUser", "staff_user", FREE_TECHNICIAN),
        ("portalAccess", "PortalAccess", "contact", "x.deleted_at IS NULL"),
    )
}


def declared(source: str) -> list[str]:
    operation = next(d for d in parse(source).definitions if isinstance(d, OperationDefinitionNode))
    return [v.variable.name.value for v in operation.variable_definitions or ()]


async def variables(demo: Demo, token: str, names: list[str]) -> dict[str, Any]:
    data = await demo.data("{ sites(first: 1) { edges { node { id client { id } } } } }", token)
    site = data["sites"]["edges"][0]["node"]
    pool = {**PERIOD, "site": site["id"], "client": site["client"]["id"]}
    for name in set(names) & FIELD_RECORDS.keys():
        kind, sql = FIELD_RECORDS[name]
        pool[name] = ids.encode(kind, await demo.scalar(sql))
    return {name: pool[name] for name in names}


def test_every_consumer_has_examples() -> None:
    assert len([f for f in FILES if f.startswith("staff/")]) >= 14
    assert len([f for f in FILES if f.startswith("portal/")]) >= 5


@pytest.mark.parametrize("name", FILES)
def test_the_example_is_valid_in_its_audience_view(name: str) -> None:
    audience = CONSUMERS[name.split("/")[0]][1]
    schema = views()[audience]._schema
    errors = validate(schema, parse((EXAMPLES / name).read_text(encoding="utf-8")))
    assert errors == [], [str(e) for e in errors]


@pytest.mark.parametrize("name", FILES)
async def test_the_example_answers_on_demo_data(demo: Demo, name: str) -> None:
    role = CONSUMERS[name.split("/")[0]][0]
    token = await demo.as_(role)
    source = (EXAMPLES / name).read_text(encoding="utf-8")
    data = await demo.data(source, token, **await variables(demo, token, declared(source)))
    assert data
    assert all(value is not None for value in data.values()), data
