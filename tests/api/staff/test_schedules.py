"""A technician's week, absences and skills replaced by the back office
(resolvers/staff_actions.py): checked, audited, and seen by booking at once."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from schema.kit import ids
from tests.api import Demo
from tests.api.callers import refused
from tests.api.staff.kit import (
    ADD_ABSENCE,
    OPEN,
    REMOVE_ABSENCE,
    SET_HOURS,
    SET_SKILLS,
    STATE,
    events,
    staff_id,
    technician_ids,
)

SLOTS = """query($site: ID!, $activity: ID!, $from: DateTime!, $to: DateTime!) {
  availableSlots(site: $site, activityType: $activity, from: $from, to: $to, first: 50) {
    startsAt technicianName } }"""


async def test_a_technicians_week_is_replaced_checked_and_audited(demo: Demo) -> None:
    token = await demo.staff("OFFICE")
    technician, row_id = await technician_ids(demo)
    week = [
        {"weekday": 0, "startsAt": "13:00:00", "endsAt": "17:00:00"},
        {"weekday": 0, "startsAt": "08:00:00", "endsAt": "12:00:00"},
        {"weekday": 4, "startsAt": "08:00:00", "endsAt": "13:00:00"},
    ]
    answer = await demo.data(SET_HOURS, token, technician=technician, hours=week)
    spans = [e["node"] for e in answer["setWorkingHours"]["workingHours"]["edges"]]
    assert spans == [week[1], week[0], week[2]]
    [event] = await events(demo, "working_hours_set", row_id)
    assert event["after"]["hours"] == spans
    assert event["before"]["hours"]
    # The same week again changes nothing and records nothing.
    await demo.data(SET_HOURS, token, technician=technician, hours=list(reversed(week)))
    assert len(await events(demo, "working_hours_set", row_id)) == 1

    before = await demo.scalar(STATE)
    bad: list[tuple[dict[str, Any], str]] = [
        ({"weekday": 7, "startsAt": "08:00:00", "endsAt": "12:00:00"}, "weekday"),
        ({"weekday": -1, "startsAt": "08:00:00", "endsAt": "12:00:00"}, "weekday"),
        ({"weekday": 1, "startsAt": "12:00:00", "endsAt": "08:00:00"}, "endsAt"),
        ({"weekday": 1, "startsAt": "12:00:00", "endsAt": "12:00:00"}, "endsAt"),
        ({"weekday": 0, "startsAt": "11:00:00", "endsAt": "14:00:00"}, "startsAt"),
        ({"weekday": 1, "startsAt": "08:00:00+01:00", "endsAt": "12:00:00"}, "startsAt"),
    ]
    for span, field in bad:
        error = await refused(demo, token, SET_HOURS, technician=technician, hours=[*week, span])
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, span
    many = [
        {"weekday": 2, "startsAt": f"{h:02}:00:00", "endsAt": f"{h:02}:30:00"} for h in range(24)
    ]
    error = await refused(demo, token, SET_HOURS, technician=technician, hours=many + many[:5])
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "hours"}
    office = await staff_id(demo, "OFFICE")
    error = await refused(demo, token, SET_HOURS, technician=office, hours=week)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "technicianId"}
    assert await demo.scalar(STATE) == before


async def test_absences_are_added_and_removed_but_not_over_open_appointments(
    demo: Demo,
) -> None:
    token = await demo.staff("OFFICE")
    technician, row_id = await technician_ids(demo)
    holiday = {
        "startsAt": "2031-08-03T00:00:00+02:00",
        "endsAt": "2031-08-24T00:00:00+02:00",
        "reason": " Ferie ",
    }
    added = (await demo.data(ADD_ABSENCE, token, technician=technician, input=holiday))[
        "addAbsence"
    ]
    assert added["reason"] == "Ferie"
    assert dt.datetime.fromisoformat(added["startsAt"]) == dt.datetime.fromisoformat(
        holiday["startsAt"]
    )
    absence_id = ids.decode("Absence", added["id"])
    assert absence_id is not None
    [event] = await events(demo, "absence_added", absence_id)
    assert event["after"]["technician_id"] == str(row_id)
    assert event["after"]["reason"] == "Ferie"

    before = await demo.scalar(STATE)
    bad: list[tuple[dict[str, Any], str]] = [
        ({"startsAt": "2031-09-01T08:00:00"}, "startsAt"),
        ({"endsAt": "2031-09-01T08:00:00"}, "endsAt"),
        ({"endsAt": "2031-08-02T00:00:00+02:00"}, "endsAt"),
        ({"endsAt": holiday["startsAt"]}, "endsAt"),
        ({"reason": "x" * 201}, "reason"),
    ]
    for changes, field in bad:
        error = await refused(
            demo, token, ADD_ABSENCE, technician=technician, input=holiday | changes
        )
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, changes
    # Over an open appointment of the technician: CONFLICT naming it.
    visit = await demo.scalar(
        "SELECT ARRAY[i.id::text, i.technician_id::text, i.starts_at::text, i.ends_at::text] "
        "FROM intervention i JOIN organization o ON o.id = i.organization_id "
        "WHERE o.slug = 'brillanti' AND i.status = ANY(:open) "
        "AND i.technician_id IS NOT NULL ORDER BY i.starts_at DESC LIMIT 1",
        open=OPEN,
    )
    starts = dt.datetime.fromisoformat(visit[2])
    error = await refused(
        demo,
        token,
        ADD_ABSENCE,
        technician=ids.encode("StaffUser", uuid.UUID(visit[1])),
        input={
            "startsAt": (starts - dt.timedelta(hours=1)).isoformat(),
            "endsAt": (starts + dt.timedelta(minutes=1)).isoformat(),
        },
    )
    assert error["extensions"]["code"] == "CONFLICT"
    assert ids.encode("Appointment", uuid.UUID(visit[0])) in error["extensions"]["appointments"]
    # Another organization's technician or absence: the answers of missing ones.
    foreign = await refused(
        demo,
        token,
        ADD_ABSENCE,
        technician=await staff_id(demo, "TECHNICIAN", "ignis"),
        input=holiday,
    )
    missing = await refused(
        demo, token, ADD_ABSENCE, technician=ids.encode("StaffUser", uuid.uuid4()), input=holiday
    )
    assert foreign == missing
    assert foreign["extensions"]["code"] == "NOT_FOUND"
    other_absence = await demo.scalar(
        "SELECT a.id FROM absence a JOIN organization o ON o.id = a.organization_id "
        "WHERE o.slug = 'ignis' LIMIT 1"
    )
    foreign = await refused(demo, token, REMOVE_ABSENCE, id=ids.encode("Absence", other_absence))
    missing = await refused(demo, token, REMOVE_ABSENCE, id=ids.encode("Absence", uuid.uuid4()))
    assert foreign == missing
    assert await demo.scalar(STATE) == before

    removed = await demo.data(REMOVE_ABSENCE, token, id=added["id"])
    left = [e["node"]["id"] for e in removed["removeAbsence"]["absences"]["edges"]]
    assert added["id"] not in left
    [event] = await events(demo, "absence_removed", absence_id)
    assert event["before"]["reason"] == "Ferie"
    assert event["after"] == {}


async def test_skills_are_replaced_and_foreign_activity_types_refused(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    technician, row_id = await technician_ids(demo)
    activities = await demo.scalar(
        "SELECT array_agg(a.id::text ORDER BY a.id) FROM activity_type a "
        "JOIN organization o ON o.id = a.organization_id WHERE o.slug = 'brillanti'"
    )
    chosen = [ids.encode("ActivityType", uuid.UUID(a)) for a in activities[:2]]
    answer = await demo.data(SET_SKILLS, token, technician=technician, activities=chosen * 2)
    skills = {e["node"]["id"] for e in answer["setTechnicianSkills"]["skills"]["edges"]}
    assert skills == set(chosen)
    [event] = await events(demo, "technician_skills_set", row_id)
    assert event["after"] == {"activityTypes": sorted(chosen)}
    await demo.data(SET_SKILLS, token, technician=technician, activities=chosen)
    assert len(await events(demo, "technician_skills_set", row_id)) == 1

    before = await demo.scalar(STATE)
    foreign_activity = await demo.scalar(
        "SELECT a.id FROM activity_type a JOIN organization o ON o.id = a.organization_id "
        "WHERE o.slug = 'ignis' LIMIT 1"
    )
    answers = []
    for other in (
        ids.encode("ActivityType", foreign_activity),
        ids.encode("ActivityType", uuid.uuid4()),
        ids.encode("Site", uuid.uuid4()),
    ):
        answers.append(
            await refused(demo, token, SET_SKILLS, technician=technician, activities=[other])
        )
    assert all(a == answers[0] for a in answers)
    assert answers[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "activityTypeIds"}
    assert await demo.scalar(STATE) == before
    # No skills at all is a valid set.
    emptied = await demo.data(SET_SKILLS, token, technician=technician, activities=[])
    assert emptied["setTechnicianSkills"]["skills"]["edges"] == []


async def test_booking_sees_absences_hours_and_skills_at_once(demo: Demo) -> None:
    """The planning assistant reads what was just changed: an absence over the period, an
    empty week or a removed skill leaves no slot; removing the absence brings them back."""
    token = await demo.as_("staff admin")
    site, activity, technician = await demo.scalar(
        "SELECT ARRAY[s.id::text, t.activity_type_id::text, t.technician_id::text] "
        "FROM technician_skill t JOIN working_hours w ON w.technician_id = t.technician_id "
        "JOIN staff_user u ON u.id = t.technician_id AND u.active "
        "JOIN activity_type a ON a.id = t.activity_type_id "
        "JOIN site s ON s.organization_id = a.organization_id AND s.archived_at IS NULL "
        "JOIN organization o ON o.id = a.organization_id WHERE o.slug = 'brillanti' "
        "ORDER BY s.id, t.activity_type_id, t.technician_id LIMIT 1"
    )
    # One technician keeps the skill, so every slot is theirs.
    await demo.execute(
        "DELETE FROM technician_skill WHERE activity_type_id = :a AND technician_id <> :t",
        a=uuid.UUID(activity),
        t=uuid.UUID(technician),
    )
    now = dt.datetime.now(dt.UTC)
    window = {
        "from": (now + dt.timedelta(days=2)).isoformat(),
        "to": (now + dt.timedelta(days=16)).isoformat(),
    }
    await demo.execute(
        "UPDATE intervention SET status = 'CANCELLED' WHERE technician_id = :t "
        "AND status = ANY(:open) AND starts_at < :e",
        open=OPEN,
        t=uuid.UUID(technician),
        e=now + dt.timedelta(days=20),
    )
    site_id = ids.encode("Site", uuid.UUID(site))
    activity_id = ids.encode("ActivityType", uuid.UUID(activity))
    technician_id = ids.encode("StaffUser", uuid.UUID(technician))

    async def slots() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (
            await demo.data(SLOTS, token, site=site_id, activity=activity_id, **window)
        )["availableSlots"]
        return found

    assert await slots()
    absence = await demo.data(
        ADD_ABSENCE,
        token,
        technician=technician_id,
        input={"startsAt": now.isoformat(), "endsAt": (now + dt.timedelta(days=20)).isoformat()},
    )
    assert await slots() == []
    await demo.data(REMOVE_ABSENCE, token, id=absence["addAbsence"]["id"])
    assert await slots()
    hours = await demo.scalar(
        "SELECT json_agg(json_build_object('weekday', weekday, 'startsAt', starts_at::text, "
        "'endsAt', ends_at::text)) FROM working_hours WHERE technician_id = :t",
        t=uuid.UUID(technician),
    )
    await demo.data(SET_HOURS, token, technician=technician_id, hours=[])
    assert await slots() == []
    await demo.data(SET_HOURS, token, technician=technician_id, hours=hours)
    assert await slots()
    await demo.data(SET_SKILLS, token, technician=technician_id, activities=[])
    assert await slots() == []
