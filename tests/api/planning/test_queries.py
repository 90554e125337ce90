"""The planning assistant: travel-aware slots, ranked by the travel they add."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from db.planner import (
    Busy,
    Place,
    Technician,
    Travel,
    find_slots,
    fits,
    working_spans,
)
from tests.api import Demo

ROME = ZoneInfo("Europe/Rome")
TRAVEL = Travel(speed_kmh=40, road_factor=1.3, buffer_minutes=10)
MILANO = Place(45.4642, 9.1900, "Milano centro")
NEAR = Place(45.4700, 9.1950, "Milano Brera")  # under a kilometre away
BERGAMO = Place(45.6983, 9.6773, "Bergamo")  # about 45 km away
HOME = Place(45.4800, 9.2000, "home")
MONDAY = dt.date(2026, 12, 7)
NINE_TO_FIVE = [(0, dt.time(9), dt.time(17))]


def local(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ROME).astimezone(dt.UTC)


def technician(name: str, busy: tuple[Busy, ...] = (), absences=()) -> Technician:  # type: ignore[no-untyped-def]
    spans = working_spans(NINE_TO_FIVE, absences, MONDAY, MONDAY, ROME)
    return Technician(uuid.uuid4(), name, "Rossi", HOME, spans, busy)


def test_travel_is_distance_times_road_factor_at_speed_plus_buffer() -> None:
    assert TRAVEL.minutes(MILANO, MILANO) == 0
    bergamo = TRAVEL.minutes(MILANO, BERGAMO)
    assert 90 <= bergamo <= 100  # ~44 km x 1.3 at 40 km/h = ~86 min, plus 10


def test_a_slot_never_leaves_less_travel_time_than_needed() -> None:
    # Busy in Bergamo until 12:00, then in Milano from 14:00: a one-hour job in Milano fits
    # only once the trip from Bergamo is done.
    busy = (
        Busy(local(10), local(12), BERGAMO),
        Busy(local(15), local(16), MILANO),
    )
    worker = technician("Anna", busy)
    slots = find_slots([worker], MILANO, dt.timedelta(hours=1), local(9), local(17), TRAVEL, 50)
    trip = dt.timedelta(minutes=TRAVEL.minutes(BERGAMO, MILANO))
    for slot in slots:
        if local(12) <= slot.starts_at < local(15):
            assert slot.starts_at >= local(12) + trip
            assert slot.ends_at <= local(15)
    assert not fits(worker, MILANO, local(12, 30), dt.timedelta(hours=1), TRAVEL)
    assert fits(worker, MILANO, slots[0].starts_at, dt.timedelta(hours=1), TRAVEL)


def test_a_technician_already_nearby_ranks_first() -> None:
    nearby = technician("Bruno", (Busy(local(9, 30), local(11), NEAR),))
    idle = technician("Carla")
    slots = find_slots(
        [idle, nearby], MILANO, dt.timedelta(hours=1), local(9), local(17), TRAVEL, 5
    )
    assert slots[0].technician_name == "Bruno R."
    assert slots[0].starts_at >= local(11)
    assert slots[0].added_travel_minutes < slots[-1].added_travel_minutes or all(
        s.technician_name == "Bruno R." for s in slots
    )
    ranks = [(s.added_travel_minutes, s.starts_at) for s in slots]
    assert ranks == sorted(ranks)


def test_absences_and_the_requested_window_are_respected() -> None:
    away = technician("Dario", absences=[(local(8), local(13))])
    slots = find_slots([away], MILANO, dt.timedelta(hours=1), local(9), local(17), TRAVEL, 50)
    assert slots
    assert all(s.starts_at >= local(13) for s in slots)
    late = find_slots([away], MILANO, dt.timedelta(hours=1), local(15), local(15), TRAVEL, 50)
    assert all(s.starts_at == local(15) for s in late)


def test_working_spans_follow_the_local_clock_across_a_time_change() -> None:
    sunday_before_change = dt.date(2026, 10, 25)  # Europe/Rome leaves summer time
    spans = working_spans(
        [(6, dt.time(9), dt.time(10))], [], sunday_before_change, sunday_before_change, ROME
    )
    assert spans == (
        (dt.datetime(2026, 10, 25, 8, tzinfo=dt.UTC), dt.datetime(2026, 10, 25, 9, tzinfo=dt.UTC)),
    )


SLOTS = """query($site: ID!, $activity: ID!, $from: DateTime!, $to: DateTime!) {
  availableSlots(site: $site, activityType: $activity, from: $from, to: $to, first: 20) {
    startsAt endsAt technicianName addedTravelMinutes } }"""


async def bookable(demo: Demo) -> tuple[str, str, str]:
    """A contact of the demo allowed to book, one of its sites and a bookable activity."""
    from schema.kit import ids

    row = await demo.scalar(
        "SELECT ARRAY[k.email, s.id::text, a.id::text] FROM contact k "
        "JOIN portal_grant g ON g.contact_id = k.id "
        "JOIN site s ON s.client_id = g.client_id OR s.id = g.site_id "
        "JOIN activity_type a ON a.organization_id = k.organization_id "
        "AND a.portal_bookable AND EXISTS (SELECT 1 FROM technician_skill t "
        "WHERE t.activity_type_id = a.id) "
        "WHERE k.can_book_appointments AND k.state = 'ACTIVE' AND k.deleted_at IS NULL "
        "ORDER BY k.email, s.id, a.id LIMIT 1"
    )
    email, site, activity = row
    return (
        email,
        str(ids.encode("Site", uuid.UUID(site))),
        str(ids.encode("ActivityType", uuid.UUID(activity))),
    )


async def test_a_contact_gets_ranked_slots_within_lead_time_and_horizon(demo: Demo) -> None:
    email, site, activity = await bookable(demo)
    org = await demo.scalar(
        "SELECT o.slug FROM organization o JOIN contact k ON k.organization_id = o.id "
        "WHERE k.email = :e",
        e=email,
    )
    token = await login_as(demo, email)
    now = dt.datetime.now(dt.UTC)
    answer = await demo.data(
        SLOTS,
        token,
        site=site,
        activity=activity,
        **{"from": now.isoformat(), "to": (now + dt.timedelta(days=14)).isoformat()},
    )
    slots = answer["availableSlots"]
    assert slots
    lead = await demo.scalar(
        "SELECT booking_min_lead_hours FROM organization WHERE slug = :s", s=org
    )
    starts = [dt.datetime.fromisoformat(s["startsAt"]) for s in slots]
    assert min(starts) >= now + dt.timedelta(hours=lead) - dt.timedelta(seconds=5)
    ranks = [(s["addedTravelMinutes"], s["startsAt"]) for s in slots]
    assert ranks == sorted(ranks)
    assert all(s["technicianName"].endswith(".") for s in slots)


async def login_as(demo: Demo, email: str) -> str:
    org = await demo.scalar(
        "SELECT o.slug FROM organization o JOIN contact k ON k.organization_id = o.id "
        "WHERE k.email = :e",
        e=email,
    )
    response = await demo.login(email, "Sportello-demo-2024!", org=org)
    token: str = response.json()["data"]["login"]["token"]
    return token


async def test_slots_need_a_site_in_scope_and_the_booking_flag(demo: Demo) -> None:
    from schema.kit import ids

    email, site, activity = await bookable(demo)
    token = await login_as(demo, email)
    now = dt.datetime.now(dt.UTC)
    period = {"from": now.isoformat(), "to": (now + dt.timedelta(days=3)).isoformat()}
    outside = await demo.scalar(
        "SELECT s.id FROM site s WHERE NOT EXISTS (SELECT 1 FROM portal_grant g "
        "JOIN contact k ON k.id = g.contact_id WHERE k.email = :e "
        "AND (g.site_id = s.id OR g.client_id = s.client_id)) ORDER BY s.id LIMIT 1",
        e=email,
    )
    answers = []
    for other in (ids.encode("Site", outside), ids.encode("Site", uuid.uuid4()), "junk"):
        response = await demo.gql(
            SLOTS, token=token, variables={"site": other, "activity": activity, **period}
        )
        answers.append(response.json())
    assert all(a == answers[0] for a in answers)
    assert answers[0]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    await demo.execute("UPDATE contact SET can_book_appointments = false WHERE email = :e", e=email)
    refused = await demo.gql(
        SLOTS, token=token, variables={"site": site, "activity": activity, **period}
    )
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_inverted_or_too_long_period_names_the_argument(demo: Demo) -> None:
    email, site, activity = await bookable(demo)
    token = await login_as(demo, email)
    now = dt.datetime.now(dt.UTC)
    for later in (now - dt.timedelta(days=1), now + dt.timedelta(days=40)):
        variables = {"site": site, "activity": activity, "from": now.isoformat()}
        response = await demo.gql(SLOTS, token=token, variables=variables, to=later.isoformat())
        assert response.json()["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "field": "to",
        }
