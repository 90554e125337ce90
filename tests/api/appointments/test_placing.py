"""The office places appointments (resolvers/appointment_staff_actions.py): any time, never a
technician in two places or in an absence, every field checked and named, foreign ids like
missing ones, each change audited."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest

from schema.kit import ids
from tests.api import Demo
from tests.api.appointments.kit import (
    ASSIGN,
    CREATE,
    MONDAY,
    events,
    new,
    place,
    refusal,
    technician_of,
)


async def test_the_office_places_a_planned_appointment_with_a_technician(demo: Demo) -> None:
    token = await demo.staff("OFFICE")
    where = await place(demo)
    made = (await demo.data(CREATE, token, input=new(where, ticketId=where["ticket"])))[
        "createAppointment"
    ]
    assert made["status"] == "PLANNED"
    # It answers a ticket: that is how it came about.
    assert made["origin"] == "TICKET"
    assert made["ticketId"] == where["ticket"]
    assert technician_of(made) == where["technician"]
    # Without endsAt the visit lasts the activity type's duration.
    ends = MONDAY + dt.timedelta(minutes=where["minutes"])
    assert dt.datetime.fromisoformat(made["endsAt"]) == ends
    [details] = await events(demo, "appointment_created", made["id"])
    assert details["before"] == {}
    assert details["after"]["status"] == "PLANNED"
    assert details["after"]["technician_id"] == str(ids.decode("StaffUser", where["technician"]))
    assert "technician_id" in details["changed"]


async def test_without_a_technician_it_is_requested_and_staff_place_outside_booking_rules(
    demo: Demo,
) -> None:
    token = await demo.staff("ADMIN")
    where = await place(demo)
    # Sooner than the booking lead time, already begun, beyond the horizon, off the grid.
    soon = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=7)
    for starts_at in (soon, soon - dt.timedelta(hours=2), soon + dt.timedelta(days=900)):
        made = (
            await demo.data(
                CREATE,
                token,
                input=new(where, starts_at, technicianId=None, endsAt=None),
            )
        )["createAppointment"]
        assert (made["status"], made["origin"]) == ("REQUESTED", "STAFF")
        assert made["technician"] is None
        assert dt.datetime.fromisoformat(made["startsAt"]) == starts_at
    # A technician outside their working hours: a Sunday night is the office's call.
    sunday_night = MONDAY - dt.timedelta(hours=10)
    made = (await demo.data(CREATE, token, input=new(where, sunday_night)))["createAppointment"]
    assert (made["status"], technician_of(made)) == ("PLANNED", where["technician"])


async def test_a_technician_is_never_in_two_places_and_the_clash_is_named(demo: Demo) -> None:
    token = await demo.staff("OFFICE")
    where = await place(demo)
    first = (await demo.data(CREATE, token, input=new(where)))["createAppointment"]
    later = MONDAY + dt.timedelta(minutes=where["minutes"] // 2)
    error = await refusal(demo, token, CREATE, input=new(where, later))
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["appointments"] == [first["id"]]
    assert first["id"] in error["message"]
    # Right after it ends is free; so is the same time for another technician.
    after = dt.datetime.fromisoformat(first["endsAt"])
    await demo.data(CREATE, token, input=new(where, after))
    await demo.data(CREATE, token, input=new(where, later, technicianId=where["other"]))


async def test_twenty_concurrent_placings_of_one_technician_and_slot_make_one(
    demo: Demo,
) -> None:
    token = await demo.staff("OFFICE")
    where = await place(demo)
    answers = await asyncio.gather(
        *(demo.gql(CREATE, token=token, input=new(where)) for _ in range(20))
    )
    bodies = [answer.json() for answer in answers]
    won = [body["data"]["createAppointment"]["id"] for body in bodies if body.get("data")]
    assert len(won) == 1
    for body in bodies:
        if not body.get("data"):
            assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
            assert body["errors"][0]["extensions"]["appointments"] == won
    placed = await demo.scalar(
        "SELECT count(*) FROM intervention WHERE technician_id = :t AND starts_at = :s",
        t=ids.decode("StaffUser", where["technician"]),
        s=MONDAY,
    )
    assert placed == 1


async def test_a_retry_with_the_same_key_returns_the_first_appointment(demo: Demo) -> None:
    token = await demo.staff("OFFICE")
    where = await place(demo)
    key = str(uuid.uuid4())
    answers = await asyncio.gather(
        *(demo.gql(CREATE, token=token, input=new(where, idempotencyKey=key)) for _ in range(3))
    )
    found = {answer.json()["data"]["createAppointment"]["id"] for answer in answers}
    assert len(found) == 1


async def test_an_absence_is_a_conflict_for_placing_and_assigning(demo: Demo) -> None:
    token = await demo.staff("OFFICE")
    where = await place(demo)
    await demo.execute(
        "INSERT INTO absence (id, created_at, organization_id, technician_id, starts_at, "
        "ends_at, reason) SELECT gen_random_uuid(), now(), organization_id, id, :s, :e, 'Ferie' "
        "FROM staff_user WHERE id = :t",
        t=ids.decode("StaffUser", where["technician"]),
        s=MONDAY - dt.timedelta(days=1),
        e=MONDAY + dt.timedelta(hours=1),
    )
    error = await refusal(demo, token, CREATE, input=new(where))
    assert error["extensions"]["code"] == "CONFLICT"
    assert len(error["extensions"]["absences"]) == 1
    waiting = (await demo.data(CREATE, token, input=new(where, technicianId=None)))[
        "createAppointment"
    ]
    error = await refusal(demo, token, ASSIGN, id=waiting["id"], technician=where["technician"])
    assert error["extensions"]["code"] == "CONFLICT"
    # Once the absence is over, the technician can be placed.
    await demo.data(CREATE, token, input=new(where, MONDAY + dt.timedelta(hours=1)))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"siteId": "bm9wZQ=="}, "siteId"),
        ({"activityTypeId": "bm9wZQ=="}, "activityTypeId"),
        ({"startsAt": "2027-06-07T08:00:00"}, "startsAt"),
        ({"startsAt": "2027-06-07T08:00:30+02:00"}, "startsAt"),
        ({"endsAt": "2027-06-07T08:00:00+02:00"}, "endsAt"),
        ({"endsAt": "2027-06-07T07:00:00+02:00"}, "endsAt"),
        ({"endsAt": "2027-06-08T08:15:00+02:00"}, "endsAt"),
        ({"endsAt": "2027-06-07T09:00:00"}, "endsAt"),
        ({"notes": "x" * 2001}, "notes"),
        ({"idempotencyKey": "  "}, "idempotencyKey"),
        ({"idempotencyKey": "k" * 101}, "idempotencyKey"),
        ({"technicianId": "bm9wZQ=="}, "technicianId"),
        ({"ticketId": "bm9wZQ=="}, "ticketId"),
        ({"ticketId": "otherTicket"}, "ticketId"),
    ],
)
async def test_bad_input_is_refused_naming_the_field(
    demo: Demo, changes: dict[str, Any], field: str
) -> None:
    token = await demo.staff("OFFICE")
    where = await place(demo)
    # A value naming one of place()'s records ("otherTicket") stands for its id.
    changes = {k: where.get(v, v) for k, v in changes.items()}
    error = await refusal(demo, token, CREATE, input=new(where, **changes))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field


async def test_a_technician_must_be_an_active_technician_with_the_skill(demo: Demo) -> None:
    token = await demo.staff("OFFICE")
    where = await place(demo)
    office = await demo.scalar(
        "SELECT s.id FROM staff_user s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = 'brillanti' AND s.role = 'OFFICE' ORDER BY s.id LIMIT 1"
    )
    technician = ids.decode("StaffUser", where["technician"])
    await demo.execute(
        "DELETE FROM technician_skill WHERE technician_id = :t AND activity_type_id = :a",
        t=technician,
        a=ids.decode("ActivityType", where["activity"]),
    )
    unskilled = await refusal(demo, token, CREATE, input=new(where))
    assert unskilled["extensions"]["field"] == "technicianId"
    assert "skill" in unskilled["message"]
    not_one = await refusal(
        demo, token, CREATE, input=new(where, technicianId=ids.encode("StaffUser", office))
    )
    assert not_one["extensions"]["field"] == "technicianId"
    await demo.execute("UPDATE staff_user SET active = false WHERE id = :t", t=technician)
    inactive = await refusal(demo, token, CREATE, input=new(where))
    assert inactive["message"] == not_one["message"]


async def test_an_archived_site_or_another_organizations_records_answer_like_missing_ones(
    demo: Demo,
) -> None:
    token = await demo.staff("OFFICE")
    where = await place(demo)
    foreign = await place(demo, "ignis")
    missing: dict[str, Any] = {
        "Site": ids.encode("Site", uuid.uuid4()),
        "ActivityType": ids.encode("ActivityType", uuid.uuid4()),
        "StaffUser": ids.encode("StaffUser", uuid.uuid4()),
        "Ticket": ids.encode("Ticket", uuid.uuid4()),
    }
    for field, name, kind in (
        ("siteId", "site", "Site"),
        ("activityTypeId", "activity", "ActivityType"),
        ("technicianId", "technician", "StaffUser"),
        ("ticketId", "ticket", "Ticket"),
    ):
        theirs = await refusal(demo, token, CREATE, input=new(where, **{field: foreign[name]}))
        nobodys = await refusal(demo, token, CREATE, input=new(where, **{field: missing[kind]}))
        assert theirs == nobodys
        assert theirs["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    await demo.execute(
        "UPDATE site SET archived_at = now() WHERE id = :s", s=ids.decode("Site", where["site"])
    )
    archived = await refusal(demo, token, CREATE, input=new(where))
    assert archived == await refusal(demo, token, CREATE, input=new(where, siteId=missing["Site"]))

    theirs_made = await demo.data(
        CREATE, await demo.staff("OFFICE", "ignis"), input=new(foreign, technicianId=None)
    )
    other = theirs_made["createAppointment"]["id"]
    refused = await refusal(demo, token, ASSIGN, id=other, technician=where["technician"])
    nothing = await refusal(
        demo, token, ASSIGN, id=ids.encode("Appointment", uuid.uuid4()), technician=None
    )
    assert refused["extensions"] == nothing["extensions"] == {"code": "NOT_FOUND"}
    assert refused["message"] == nothing["message"]
