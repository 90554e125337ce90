"""Booking, rescheduling, confirming and cancelling appointments; signing work sheets."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

from db.seed import DEMO_PASSWORD
from schema.kit import ids
from tests.api import Demo
from tests.api.worksheets.kit import draft_with_readers

SLOTS = """query($site: ID!, $activity: ID!, $from: DateTime!, $to: DateTime!) {
  availableSlots(site: $site, activityType: $activity, from: $from, to: $to, first: 5) {
    startsAt technicianName addedTravelMinutes } }"""
BOOK = """mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) {
  id startsAt endsAt status origin technician { displayName } } }"""


async def booker(demo: Demo, single_technician: bool = True) -> dict[str, Any]:
    """A contact allowed to book, a site of its own, a bookable activity; with
    ``single_technician`` only one technician keeps the skill, so slots are contested."""
    email, site, activity = await demo.scalar(
        "SELECT ARRAY[k.email, s.id::text, a.id::text] FROM contact k "
        "JOIN portal_grant g ON g.contact_id = k.id "
        "JOIN site s ON s.client_id = g.client_id OR s.id = g.site_id "
        "JOIN activity_type a ON a.organization_id = k.organization_id AND a.portal_bookable "
        "AND EXISTS (SELECT 1 FROM technician_skill t JOIN working_hours w "
        "ON w.technician_id = t.technician_id WHERE t.activity_type_id = a.id) "
        "WHERE k.can_book_appointments AND k.state = 'ACTIVE' AND k.deleted_at IS NULL "
        "ORDER BY k.email, s.id, a.id LIMIT 1"
    )
    if single_technician:
        await demo.execute(
            "DELETE FROM technician_skill WHERE activity_type_id = :a AND technician_id <> "
            "(SELECT min(t.technician_id::text)::uuid FROM technician_skill t JOIN working_hours w "
            "ON w.technician_id = t.technician_id WHERE t.activity_type_id = :a)",
            a=activity,
        )
    org = await demo.scalar(
        "SELECT o.slug FROM organization o JOIN contact k ON k.organization_id = o.id "
        "WHERE k.email = :e",
        e=email,
    )
    login = await demo.login(email, DEMO_PASSWORD, org=org)
    return {
        "email": email,
        "token": login.json()["data"]["login"]["token"],
        "site": str(ids.encode("Site", uuid.UUID(site))),
        "activity": str(ids.encode("ActivityType", uuid.UUID(activity))),
    }


async def first_slot(demo: Demo, who: dict[str, Any]) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    data = await demo.data(
        SLOTS,
        who["token"],
        site=who["site"],
        activity=who["activity"],
        **{
            "from": (now + dt.timedelta(days=2)).isoformat(),
            "to": (now + dt.timedelta(days=16)).isoformat(),
        },
    )
    slots: list[dict[str, Any]] = data["availableSlots"]
    assert slots
    return slots[0]


def booking(who: dict[str, Any], starts_at: str, **changes: Any) -> dict[str, Any]:
    return {
        "siteId": who["site"],
        "activityTypeId": who["activity"],
        "startsAt": starts_at,
        "notes": "Citofonare Rossi",
    } | changes


async def test_a_contact_books_an_offered_slot_and_gets_a_confirmation(demo: Demo) -> None:
    who = await booker(demo, single_technician=False)
    slot = await first_slot(demo, who)
    booked = (await demo.data(BOOK, who["token"], input=booking(who, slot["startsAt"])))[
        "bookAppointment"
    ]
    assert booked["startsAt"] == slot["startsAt"]
    assert booked["status"] == "PLANNED"
    assert booked["origin"] == "PORTAL"
    assert booked["technician"]["displayName"] == slot["technicianName"]
    mails = await demo.scalar(
        "SELECT count(*) FROM outbox_message WHERE kind = 'booking_confirmation' "
        "AND to_address = :e",
        e=who["email"],
    )
    assert mails == 1


async def test_a_retry_with_the_same_key_returns_the_same_appointment(demo: Demo) -> None:
    who = await booker(demo)
    slot = await first_slot(demo, who)
    key = str(uuid.uuid4())
    first = await demo.data(
        BOOK, who["token"], input=booking(who, slot["startsAt"], idempotencyKey=key)
    )
    again = await demo.data(
        BOOK, who["token"], input=booking(who, slot["startsAt"], idempotencyKey=key)
    )
    assert first["bookAppointment"]["id"] == again["bookAppointment"]["id"]


async def test_twenty_concurrent_bookings_of_one_slot_make_one_appointment(demo: Demo) -> None:
    who = await booker(demo)
    slot = await first_slot(demo, who)
    before = await demo.scalar("SELECT count(*) FROM intervention WHERE status <> 'CANCELLED'")
    answers = await asyncio.gather(
        *(
            demo.gql(BOOK, token=who["token"], input=booking(who, slot["startsAt"]))
            for _ in range(20)
        )
    )
    bodies = [a.json() for a in answers]
    won = [b for b in bodies if b.get("data")]
    lost = [b for b in bodies if not b.get("data")]
    assert len(won) == 1
    assert len(lost) == 19
    for body in lost:
        error = body["errors"][0]
        assert error["extensions"]["code"] == "CONFLICT"
        assert isinstance(error["extensions"]["alternatives"], list)
    after = await demo.scalar("SELECT count(*) FROM intervention WHERE status <> 'CANCELLED'")
    assert after == before + 1


async def test_lead_time_horizon_and_grid_are_enforced(demo: Demo) -> None:
    who = await booker(demo)
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    for starts_at in (
        now + dt.timedelta(hours=2),
        now + dt.timedelta(days=400),
        now + dt.timedelta(days=3, minutes=7),
    ):
        answer = await demo.gql(BOOK, token=who["token"], input=booking(who, starts_at.isoformat()))
        assert answer.json()["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "field": "startsAt",
        }


async def test_reschedule_only_where_the_activity_type_allows_it(demo: Demo) -> None:
    who = await booker(demo)
    slot = await first_slot(demo, who)
    booked = (await demo.data(BOOK, who["token"], input=booking(who, slot["startsAt"])))[
        "bookAppointment"
    ]
    later = dt.datetime.fromisoformat(slot["startsAt"]) + dt.timedelta(days=1)
    move = (
        "mutation($id: ID!, $at: DateTime!) { "
        "rescheduleAppointment(id: $id, startsAt: $at) { id startsAt } }"
    )
    await demo.execute(
        "UPDATE activity_type SET reschedule_allowed_statuses = '{}' WHERE id = :a",
        a=ids.decode("ActivityType", who["activity"]),
    )
    refused = await demo.gql(move, token=who["token"], id=booked["id"], at=later.isoformat())
    assert refused.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}
    await demo.execute(
        "UPDATE activity_type SET reschedule_allowed_statuses = '{PLANNED}', "
        "reschedule_min_lead_hours = 0 WHERE id = :a",
        a=ids.decode("ActivityType", who["activity"]),
    )
    now = dt.datetime.now(dt.UTC)
    options = await demo.data(
        SLOTS,
        who["token"],
        site=who["site"],
        activity=who["activity"],
        **{"from": later.isoformat(), "to": (later + dt.timedelta(days=7)).isoformat()},
    )
    target = options["availableSlots"][0]["startsAt"]
    moved = await demo.data(move, who["token"], id=booked["id"], at=target)
    assert moved["rescheduleAppointment"]["startsAt"] == target
    history = await demo.scalar(
        "SELECT ARRAY[old.status, (new.reschedules_id = old.id)::text] FROM intervention new "
        "JOIN intervention old ON old.id = new.reschedules_id WHERE new.id = :n",
        n=ids.decode("Appointment", moved["rescheduleAppointment"]["id"]),
    )
    assert history == ["CANCELLED", "true"]
    assert now < dt.datetime.fromisoformat(target)


async def test_staff_sign_a_work_sheet_and_contacts_get_a_copy(demo: Demo) -> None:
    sheet, readers = await draft_with_readers(demo)
    token = await demo.as_("staff admin")
    sign = 'mutation($id: ID!) { signWorkSheet(id: $id, signedBy: "Mario Bianchi") { status } }'
    sheet_id = ids.encode("WorkSheet", sheet)
    assert (await demo.data(sign, token, id=sheet_id))["signWorkSheet"]["status"] == "SIGNED"
    copies = await demo.scalar(
        "SELECT count(*) FROM outbox_message WHERE kind = 'signed_worksheet' "
        "AND payload->>'work_sheet_id' = :w",
        w=str(sheet),
    )
    assert copies == readers
    again = await demo.gql(sign, token=token, id=sheet_id)
    assert again.json()["errors"][0]["extensions"]["code"] == "CONFLICT"
    contact = await demo.as_("contact of one client")
    refused = await demo.gql(sign, token=contact, id=sheet_id)
    assert refused.status_code == 400


async def other_client_booker(demo: Demo, first: dict[str, Any]) -> dict[str, Any]:
    """A contact of the same organization whose clients are none of ``first``'s, allowed to
    book ``first``'s activity at a site of its own where a technician can go, logged in."""
    email, site = await demo.scalar(
        "SELECT ARRAY[k.email, s.id::text] FROM contact k "
        "JOIN portal_grant g ON g.contact_id = k.id "
        "JOIN site s ON s.client_id = g.client_id OR s.id = g.site_id "
        "WHERE k.state = 'ACTIVE' AND k.deleted_at IS NULL AND k.portal_access "
        "AND k.organization_id = (SELECT organization_id FROM contact WHERE email = :e) "
        "AND s.client_id NOT IN (SELECT s2.client_id FROM site s2 "
        "JOIN portal_grant g2 ON s2.client_id = g2.client_id OR s2.id = g2.site_id "
        "JOIN contact k2 ON k2.id = g2.contact_id WHERE k2.email = :e) "
        "ORDER BY k.email, s.id LIMIT 1",
        e=first["email"],
    )
    await demo.execute("UPDATE contact SET can_book_appointments = true WHERE email = :e", e=email)
    org = await demo.scalar(
        "SELECT o.slug FROM organization o JOIN contact k ON k.organization_id = o.id "
        "WHERE k.email = :e",
        e=email,
    )
    login = await demo.login(email, DEMO_PASSWORD, org=org)
    return first | {
        "email": email,
        "token": login.json()["data"]["login"]["token"],
        "site": str(ids.encode("Site", uuid.UUID(site))),
    }


async def test_an_idempotency_key_belongs_to_whoever_sent_it(demo: Demo) -> None:
    """A contact of another client sends the key a contact already used: it books an
    appointment of its own instead of CONFLICT ("No technician can come...") or the other's
    appointment, so keys are neither an oracle nor something to take first; each retry
    still returns the sender's own."""
    first = await booker(demo, single_technician=False)
    second = await other_client_booker(demo, first)
    key = "booking-2026-0001"
    booked = {}
    for name, who in (("first", first), ("second", second)):
        slot = await first_slot(demo, who)
        answer = await demo.gql(
            BOOK, token=who["token"], input=booking(who, slot["startsAt"], idempotencyKey=key)
        )
        assert "errors" not in answer.json(), answer.text
        booked[name] = answer.json()["data"]["bookAppointment"]["id"]
        again = await demo.data(
            BOOK, who["token"], input=booking(who, slot["startsAt"], idempotencyKey=key)
        )
        assert again["bookAppointment"]["id"] == booked[name]
    assert booked["first"] != booked["second"]
    owners = await demo.scalar(
        "SELECT count(DISTINCT booked_by_contact_id) FROM intervention WHERE idempotency_key = :k",
        k=key,
    )
    assert owners == 2
