"""The time clock: technicians clock in and out for themselves; staff correct entries."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest

from db.seed import DEMO_PASSWORD
from schema.kit import ids
from tests.api import Demo

CLOCK_IN = """mutation($site: ID!, $appointment: ID, $position: PositionInput) {
  clockIn(siteId: $site, appointmentId: $appointment, position: $position) {
    id clockIn clockOut source lat lng site { id } appointment { id } } }"""
CLOCK_OUT = "mutation { clockOut { id clockIn clockOut durationMinutes } }"
CORRECT = """mutation($id: ID!, $in: DateTime!, $out: DateTime!, $reason: String!) {
  correctTimesheetEntry(id: $id, clockIn: $in, clockOut: $out, reason: $reason) {
    id clockIn clockOut durationMinutes } }"""
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


async def login(demo: Demo, role: str, org: str = "brillanti") -> tuple[uuid.UUID, str]:
    """The first active staff member of ``role`` with appointments (for technicians)."""
    user_id, email = await demo.scalar(
        "SELECT ARRAY[s.id::text, s.email] FROM staff_user s "
        "JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = :o AND s.role = :r AND s.active AND (s.role <> 'TECHNICIAN' OR EXISTS "
        "(SELECT 1 FROM intervention i WHERE i.technician_id = s.id)) "
        "ORDER BY s.email LIMIT 1",
        o=org,
        r=role,
    )
    response = await demo.login(email, DEMO_PASSWORD, org=org)
    return uuid.UUID(user_id), response.json()["data"]["login"]["token"]


async def own_visit(demo: Demo, technician_id: uuid.UUID) -> tuple[str, str]:
    """(appointment id, its site id) of one of the technician's appointments, encoded."""
    visit, site = await demo.scalar(
        "SELECT ARRAY[id::text, site_id::text] FROM intervention WHERE technician_id = :t "
        "ORDER BY starts_at DESC, id LIMIT 1",
        t=technician_id,
    )
    return ids.encode("Appointment", uuid.UUID(visit)), ids.encode("Site", uuid.UUID(site))


async def close_open_entries(demo: Demo, technician_id: uuid.UUID) -> None:
    """The demo may leave a technician clocked in; start from a clean clock."""
    await demo.execute(
        "UPDATE timesheet_entry SET clock_out = clock_in + interval '1 hour' "
        "WHERE technician_id = :t AND clock_out IS NULL",
        t=technician_id,
    )


async def test_a_technician_clocks_in_and_out_once_at_a_time(demo: Demo) -> None:
    technician_id, token = await login(demo, "TECHNICIAN")
    await close_open_entries(demo, technician_id)
    visit, site = await own_visit(demo, technician_id)
    refused_out = await demo.gql(CLOCK_OUT, token=token)
    assert refused_out.json()["errors"][0]["extensions"]["code"] == "CONFLICT"

    entry = (
        await demo.data(
            CLOCK_IN,
            token,
            site=site,
            appointment=visit,
            position={"lat": 45.4642, "lng": 9.19},
        )
    )["clockIn"]
    assert entry["clockOut"] is None
    assert entry["source"] == "APP"
    assert entry["site"]["id"] == site
    assert entry["appointment"]["id"] == visit
    assert float(entry["lat"]) == pytest.approx(45.4642)
    again = await demo.gql(CLOCK_IN, token=token, variables={"site": site})
    assert again.json()["errors"][0]["extensions"]["code"] == "CONFLICT"

    closed = (await demo.data(CLOCK_OUT, token))["clockOut"]
    assert closed["id"] == entry["id"]
    assert closed["clockOut"] is not None
    assert closed["clockOut"] > closed["clockIn"]
    entry_id = ids.decode("TimesheetEntry", entry["id"])
    actions = await demo.scalar(
        "SELECT array_agg(action ORDER BY created_at) FROM audit_event WHERE subject_id = :e",
        e=entry_id,
    )
    assert actions == ["clocked_in", "clocked_out"]
    # Clocking in again after clocking out opens a new entry.
    assert (await demo.data(CLOCK_IN, token, site=site))["clockIn"]["id"] != entry["id"]


async def test_two_clock_ins_at_once_open_one_entry(demo: Demo) -> None:
    technician_id, token = await login(demo, "TECHNICIAN")
    await close_open_entries(demo, technician_id)
    _, site = await own_visit(demo, technician_id)
    answers = await asyncio.gather(
        *(demo.gql(CLOCK_IN, token=token, variables={"site": site}) for _ in range(2))
    )
    codes = sorted(
        a.json()["errors"][0]["extensions"]["code"] if "errors" in a.json() else "OK"
        for a in answers
    )
    assert codes == ["CONFLICT", "OK"]
    assert (
        await demo.scalar(
            "SELECT count(*) FROM timesheet_entry WHERE technician_id = :t AND clock_out IS NULL",
            t=technician_id,
        )
        == 1
    )


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"site": "bm9wZQ=="}, "siteId"),
        ({"position": {"lat": 91, "lng": 0}}, "position.lat"),
        ({"position": {"lat": 0, "lng": -181}}, "position.lng"),
        ({"appointment": "bm9wZQ=="}, "appointmentId"),
    ],
)
async def test_bad_clock_in_is_refused_naming_the_field(
    demo: Demo, variables: dict[str, Any], field: str
) -> None:
    technician_id, token = await login(demo, "TECHNICIAN")
    await close_open_entries(demo, technician_id)
    _, site = await own_visit(demo, technician_id)
    before = await demo.scalar("SELECT count(*) FROM timesheet_entry")
    response = await demo.gql(CLOCK_IN, token=token, variables={"site": site} | variables)
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert await demo.scalar("SELECT count(*) FROM timesheet_entry") == before


async def test_another_technicians_or_organizations_records_answer_like_missing_ones(
    demo: Demo,
) -> None:
    technician_id, token = await login(demo, "TECHNICIAN")
    await close_open_entries(demo, technician_id)
    _, site = await own_visit(demo, technician_id)
    others = await demo.scalar(
        "SELECT id FROM intervention WHERE technician_id <> :t AND organization_id = "
        "(SELECT organization_id FROM staff_user WHERE id = :t) ORDER BY id LIMIT 1",
        t=technician_id,
    )
    foreign_site = await demo.scalar(
        "SELECT s.id FROM site s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = 'ignis' ORDER BY s.id LIMIT 1"
    )

    async def error(**variables: Any) -> dict[str, Any]:
        response = await demo.gql(CLOCK_IN, token=token, variables={"site": site} | variables)
        found: dict[str, Any] = response.json()["errors"][0]
        return found

    assert await error(appointment=ids.encode("Appointment", others)) == await error(
        appointment=ids.encode("Appointment", uuid.uuid4())
    )
    assert await error(site=ids.encode("Site", foreign_site)) == await error(
        site=ids.encode("Site", uuid.uuid4())
    )


async def test_only_technicians_clock_and_contacts_see_no_time_clock(demo: Demo) -> None:
    site = await demo.scalar(
        "SELECT s.id FROM site s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = 'brillanti' ORDER BY s.id LIMIT 1"
    )
    variables = {"site": ids.encode("Site", site)}
    for role in ("ADMIN", "OFFICE"):
        _, token = await login(demo, role)
        for query, values in ((CLOCK_IN, variables), (CLOCK_OUT, {})):
            response = await demo.gql(query, token=token, variables=values)
            assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for role in ("contact of one client", "contact of several clients"):
        response = await demo.gql(CLOCK_IN, token=await demo.as_(role), variables=variables)
        assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def entry_of(demo: Demo, org: str = "brillanti") -> uuid.UUID:
    found: uuid.UUID = await demo.scalar(
        "SELECT e.id FROM timesheet_entry e JOIN organization o ON o.id = e.organization_id "
        "WHERE o.slug = :o AND e.clock_out IS NOT NULL ORDER BY e.id LIMIT 1",
        o=org,
    )
    return found


def correction(entry: uuid.UUID, **changes: Any) -> dict[str, Any]:
    return {
        "id": ids.encode("TimesheetEntry", entry),
        "in": (NOW - dt.timedelta(hours=3)).isoformat(),
        "out": (NOW - dt.timedelta(hours=1)).isoformat(),
        "reason": "Forgot to clock out",
    } | changes


async def test_staff_correct_an_entry_and_the_audit_keeps_before_and_after(demo: Demo) -> None:
    entry = await entry_of(demo)
    old_in, old_out = await demo.scalar(
        "SELECT ARRAY[clock_in, clock_out] FROM timesheet_entry WHERE id = :e", e=entry
    )
    _, token = await login(demo, "OFFICE")
    corrected = (await demo.data(CORRECT, token, **correction(entry)))["correctTimesheetEntry"]
    assert corrected["durationMinutes"] == 120
    [details] = await demo.scalar(
        "SELECT array_agg(details) FROM audit_event "
        "WHERE action = 'timesheet_entry_corrected' AND subject_id = :e",
        e=entry,
    )
    assert details["reason"] == "Forgot to clock out"
    assert details["changed"] == ["clock_in", "clock_out"]
    assert dt.datetime.fromisoformat(details["before"]["clock_in"]) == old_in
    assert dt.datetime.fromisoformat(details["before"]["clock_out"]) == old_out
    assert dt.datetime.fromisoformat(details["after"]["clock_in"]) == NOW - dt.timedelta(hours=3)
    assert dt.datetime.fromisoformat(details["after"]["clock_out"]) == NOW - dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"out": (NOW - dt.timedelta(hours=4)).isoformat()}, "clockOut"),
        ({"out": (NOW - dt.timedelta(hours=3)).isoformat()}, "clockOut"),
        ({"out": (NOW + dt.timedelta(hours=2)).isoformat()}, "clockOut"),
        ({"in": (NOW + dt.timedelta(hours=1)).isoformat()}, "clockIn"),
        ({"in": "2026-12-01T09:00:00"}, "clockIn"),
        ({"reason": "  "}, "reason"),
        ({"reason": "x" * 501}, "reason"),
    ],
)
async def test_a_bad_correction_is_refused_naming_the_field(
    demo: Demo, changes: dict[str, Any], field: str
) -> None:
    entry = await entry_of(demo)
    before = await demo.scalar(
        "SELECT clock_in::text || clock_out::text FROM timesheet_entry WHERE id = :e", e=entry
    )
    _, token = await login(demo, "ADMIN")
    response = await demo.gql(CORRECT, token=token, variables=correction(entry, **changes))
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    after = await demo.scalar(
        "SELECT clock_in::text || clock_out::text FROM timesheet_entry WHERE id = :e", e=entry
    )
    assert after == before
    assert (
        await demo.scalar(
            "SELECT count(*) FROM audit_event WHERE action = 'timesheet_entry_corrected'"
        )
        == 0
    )


async def test_technicians_contacts_and_other_organizations_cannot_correct(demo: Demo) -> None:
    entry = await entry_of(demo)
    _, technician = await login(demo, "TECHNICIAN")
    response = await demo.gql(CORRECT, token=technician, variables=correction(entry))
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for role in ("contact of one client", "contact of several clients"):
        response = await demo.gql(CORRECT, token=await demo.as_(role), variables=correction(entry))
        assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    ignis = await demo.as_("staff admin", "ignis")
    foreign = await demo.gql(CORRECT, token=ignis, variables=correction(entry))
    missing = await demo.gql(CORRECT, token=ignis, variables=correction(uuid.uuid4()))
    assert foreign.json() == missing.json()
    assert foreign.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (
        await demo.scalar(
            "SELECT count(*) FROM audit_event WHERE action = 'timesheet_entry_corrected'"
        )
        == 0
    )
