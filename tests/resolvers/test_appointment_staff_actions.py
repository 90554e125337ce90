"""The office places appointments and assigns technicians (resolvers/appointment_staff_actions.py):
any time, never a technician in two places or in an absence, every field checked and named,
foreign ids like missing ones, each change audited with its before/after."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from typing import Any

import pytest

from schema.kit import ids
from tests.api import Demo

FIELDS = "id startsAt endsAt status origin notes ticketId technician { staffUser { id } }"
CREATE = f"""mutation($input: CreateAppointmentInput!) {{
  createAppointment(input: $input) {{ {FIELDS} }} }}"""
ASSIGN = f"""mutation($id: ID!, $technician: ID) {{
  assignAppointment(id: $id, technicianId: $technician) {{ {FIELDS} }} }}"""

# A Monday far beyond the demo's plans and absences (the demo is anchored on 2026-11-23).
MONDAY = dt.datetime(2027, 6, 7, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
# What a refusal must leave as it was: the appointments and their audit events.
STATE = (
    "SELECT (SELECT count(*) FROM audit_event WHERE subject_type = 'Intervention') || '/' || "
    "(SELECT md5(string_agg(i::text, ',' ORDER BY i.id)) FROM intervention i)"
)


async def place(demo: Demo, org: str = "brillanti") -> dict[str, Any]:
    """A site in use with a ticket, an activity type, two active technicians who do it, and
    a ticket of another site: encoded ids, plus the activity's duration in minutes."""
    found = await demo.scalar(
        "SELECT ARRAY[s.id::text, a.id::text, a.duration_minutes::text, t1.id::text, "
        "t2.id::text, tk.id::text, other.id::text] "
        "FROM organization o JOIN activity_type a ON a.organization_id = o.id "
        "JOIN technician_skill k1 ON k1.activity_type_id = a.id "
        "JOIN staff_user t1 ON t1.id = k1.technician_id AND t1.active AND t1.role = 'TECHNICIAN' "
        "JOIN technician_skill k2 ON k2.activity_type_id = a.id AND k2.technician_id > t1.id "
        "JOIN staff_user t2 ON t2.id = k2.technician_id AND t2.active AND t2.role = 'TECHNICIAN' "
        "JOIN ticket tk ON tk.organization_id = o.id "
        "JOIN site s ON s.id = tk.site_id AND s.archived_at IS NULL "
        "JOIN ticket other ON other.organization_id = o.id AND other.site_id <> s.id "
        "WHERE o.slug = :o ORDER BY a.id, t1.id, t2.id, tk.id, other.id LIMIT 1",
        o=org,
    )
    site, activity, minutes, first, second, ticket, other_ticket = found
    return {
        "site": ids.encode("Site", uuid.UUID(site)),
        "activity": ids.encode("ActivityType", uuid.UUID(activity)),
        "minutes": int(minutes),
        "technician": ids.encode("StaffUser", uuid.UUID(first)),
        "other": ids.encode("StaffUser", uuid.UUID(second)),
        "ticket": ids.encode("Ticket", uuid.UUID(ticket)),
        "otherTicket": ids.encode("Ticket", uuid.UUID(other_ticket)),
    }


def new(where: dict[str, Any], starts_at: dt.datetime = MONDAY, **changes: Any) -> dict[str, Any]:
    """A createAppointment input at ``where``'s site for its first technician."""
    return {
        "siteId": where["site"],
        "activityTypeId": where["activity"],
        "startsAt": starts_at.isoformat(),
        "technicianId": where["technician"],
        "notes": "Chiavi in portineria",
    } | changes


async def refusal(demo: Demo, token: str, query: str, **variables: Any) -> dict[str, Any]:
    """The error of a refused call; it wrote nothing."""
    before = await demo.scalar(STATE)
    response = await demo.gql(query, token=token, variables=variables)
    assert await demo.scalar(STATE) == before
    error: dict[str, Any] = response.json()["errors"][0]
    return error


async def events(demo: Demo, action: str, appointment: str) -> list[dict[str, Any]]:
    found = await demo.scalar(
        "SELECT coalesce(json_agg(details ORDER BY created_at), '[]') FROM audit_event "
        "WHERE action = :a AND subject_id = :s",
        a=action,
        s=ids.decode("Appointment", appointment),
    )
    rows: list[dict[str, Any]] = json.loads(found) if isinstance(found, str) else found
    return rows


def technician_of(appointment: dict[str, Any]) -> str | None:
    technician = appointment["technician"]
    return technician["staffUser"]["id"] if technician else None


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


async def test_assigning_changes_who_goes_audited_and_null_takes_them_off(demo: Demo) -> None:
    token = await demo.staff("OFFICE")
    where = await place(demo)
    waiting = (await demo.data(CREATE, token, input=new(where, technicianId=None)))[
        "createAppointment"
    ]
    assigned = (await demo.data(ASSIGN, token, id=waiting["id"], technician=where["technician"]))[
        "assignAppointment"
    ]
    # A request stays a request until the office confirms it.
    assert assigned["status"] == "REQUESTED"
    assert technician_of(assigned) == where["technician"]
    confirmed = await demo.data(
        f"mutation($id: ID!) {{ confirmAppointment(id: $id) {{ {FIELDS} }} }}",
        token,
        id=waiting["id"],
    )
    assert confirmed["confirmAppointment"]["status"] == "PLANNED"
    moved = (await demo.data(ASSIGN, token, id=waiting["id"], technician=where["other"]))[
        "assignAppointment"
    ]
    assert (moved["status"], technician_of(moved)) == ("PLANNED", where["other"])
    off = (await demo.data(ASSIGN, token, id=waiting["id"], technician=None))["assignAppointment"]
    assert (off["status"], off["technician"]) == ("REQUESTED", None)
    # Nobody is going: it cannot be confirmed until someone is assigned.
    unassigned = await refusal(
        demo, token, "mutation($id: ID!) { confirmAppointment(id: $id) { id } }", id=waiting["id"]
    )
    assert unassigned["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}

    first, second, third = await events(demo, "appointment_assigned", waiting["id"])
    technician = str(ids.decode("StaffUser", where["technician"]))
    other = str(ids.decode("StaffUser", where["other"]))
    assert first == {
        "changed": ["technician_id"],
        "before": {"technician_id": None},
        "after": {"technician_id": technician},
    }
    assert second["after"] == {"technician_id": other}
    assert third == {
        "changed": ["status", "technician_id"],
        "before": {"status": "PLANNED", "technician_id": other},
        "after": {"status": "REQUESTED", "technician_id": None},
    }
    # Assigning whoever is already on it changes nothing and records nothing.
    await demo.data(ASSIGN, token, id=waiting["id"], technician=None)
    assert len(await events(demo, "appointment_assigned", waiting["id"])) == 3
    # Leaving technicianId out is not taken for null.
    omitted = await refusal(
        demo, token, "mutation($id: ID!) { assignAppointment(id: $id) { id } }", id=waiting["id"]
    )
    assert omitted["extensions"] == {"code": "BAD_USER_INPUT", "field": "technicianId"}


async def test_assigning_a_busy_technician_names_the_clash(demo: Demo) -> None:
    token = await demo.staff("OFFICE")
    where = await place(demo)
    busy = (await demo.data(CREATE, token, input=new(where)))["createAppointment"]
    waiting = (await demo.data(CREATE, token, input=new(where, technicianId=None)))[
        "createAppointment"
    ]
    error = await refusal(demo, token, ASSIGN, id=waiting["id"], technician=where["technician"])
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["appointments"] == [busy["id"]]


@pytest.mark.parametrize("status", ["DONE", "CANCELLED", "IN_PROGRESS"])
async def test_only_open_appointments_are_assigned(demo: Demo, status: str) -> None:
    token = await demo.staff("OFFICE")
    where = await place(demo)
    closed = await demo.scalar(
        "SELECT i.id FROM intervention i JOIN organization o ON o.id = i.organization_id "
        "WHERE o.slug = 'brillanti' AND i.status = :s ORDER BY i.id LIMIT 1",
        s=status,
    )
    error = await refusal(
        demo,
        token,
        ASSIGN,
        id=ids.encode("Appointment", closed),
        technician=where["technician"],
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "status"}


async def test_technicians_are_refused_and_contacts_do_not_see_the_mutations(demo: Demo) -> None:
    where = await place(demo)
    technician = await demo.staff("TECHNICIAN")
    for query, variables in (
        (CREATE, {"input": new(where)}),
        (ASSIGN, {"id": ids.encode("Appointment", uuid.uuid4()), "technician": None}),
    ):
        refused = await demo.gql(query, token=technician, variables=variables)
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        contact = await demo.as_("contact of one client")
        unseen = await demo.gql(query, token=contact, variables=variables)
        assert unseen.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
