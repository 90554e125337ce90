"""The planning assistant: availableSlots over 14 days, 50 technicians, 500 appointments.

Run by hand, never from the tests: ``.venv/bin/python -m bench.slots [--runs N] [--no-db]``.

Two measurements, each printed as median, 95th percentile and fastest milliseconds:

1. In process, the pure planner (``db.planner.find_slots``) on Technician values built
   in memory: 50 technicians working Monday to Friday 8-17 (Europe/Rome), a few absences,
   500 appointments spread over the 14 days at sites around Milan. Also the planner together
   with laying the weekly hours on the days (``working_spans``), as a request does it.
2. End to end through the app (httpx over ASGI: authentication, validation, SQL, planner and
   JSON) on a throwaway embedded PostgreSQL seeded at scale 10 anchored on 2026-11-23: the
   bookable activity type of the Italian organization is given to exactly 50 technicians and
   synthetic appointments are added until those technicians hold 500 in the 14 days asked.
   ``--profile`` adds a cProfile of a few requests. The cluster is deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import pstats
import random
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa

from authz.principals import Audience
from authz.scope import RowScope
from bench.kit import analyze, machine, migrate_and_seed, percentile, throwaway_cluster
from db.engine import create_engine
from db.planner import Busy, Place, Technician, Travel, find_slots, working_spans
from db.queries import planning as inputs
from db.seed import DEMO_PASSWORD, demo_logins
from schema.kit import ids
from sportello.app import create_app
from sportello.base.settings import Settings

SCALE = 10
TODAY = dt.date(2026, 11, 23)
ORG = "brillanti"
TECHNICIANS = 50
APPOINTMENTS = 500
DAYS = 14
FIRST = 10
ROME = ZoneInfo("Europe/Rome")
TRAVEL = Travel(speed_kmh=40, road_factor=1.3, buffer_minutes=10)
HOURS = [(weekday, dt.time(8), dt.time(17)) for weekday in range(5)]
QUERY = """query($site: ID!, $activity: ID!, $from: DateTime!, $to: DateTime!) {
  availableSlots(site: $site, activityType: $activity, from: $from, to: $to, first: FIRST) {
    startsAt endsAt technicianName addedTravelMinutes comesFrom goesTo } }""".replace(
    "FIRST", str(FIRST)
)


def summary(timings: list[float]) -> str:
    """Median, 95th percentile and fastest of ``timings`` (milliseconds)."""
    median, p95, fastest = statistics.median(timings), percentile(timings, 0.95), min(timings)
    return f"median {median:7.2f}  p95 {p95:7.2f}  fastest {fastest:7.2f}"


def timed(action: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds of ``runs`` calls of ``action``, after three to warm up."""
    timings = []
    for attempt in range(runs + 3):
        started = time.perf_counter()
        action()
        if attempt >= 3:
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def near_milan(rng: random.Random, label: str) -> Place:
    """A place within about 20 km of Milan's centre."""
    return Place(45.4642 + rng.uniform(-0.15, 0.15), 9.19 + rng.uniform(-0.2, 0.2), label)


def free_start(
    rng: random.Random, day: dt.date, taken: list[tuple[dt.datetime, dt.datetime]], minutes: int
) -> tuple[dt.datetime, dt.datetime] | None:
    """A start on a quarter hour within 8-17 that overlaps nothing in ``taken``."""
    for _ in range(20):
        quarter = rng.randrange(0, (9 * 60 - minutes) // 15 + 1)
        local = dt.datetime.combine(day, dt.time(8), ROME) + dt.timedelta(minutes=15 * quarter)
        start = local.astimezone(dt.UTC)
        end = start + dt.timedelta(minutes=minutes)
        if all(end <= a or start >= b for a, b in taken):
            taken.append((start, end))
            return start, end
    return None


def working_days(first_day: dt.date) -> list[dt.date]:
    days = [first_day + dt.timedelta(days=n) for n in range(DAYS)]
    return [day for day in days if day.weekday() < 5]


def synthetic(rng: random.Random, first_day: dt.date) -> list[Technician]:
    """50 technicians with their spans (a few absences) and 500 appointments near Milan."""
    sites = [near_milan(rng, f"site {n}") for n in range(300)]
    days = working_days(first_day)
    last_day = first_day + dt.timedelta(days=DAYS - 1)
    taken: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {n: [] for n in range(TECHNICIANS)}
    placed = 0
    while placed < APPOINTMENTS:
        who = rng.randrange(TECHNICIANS)
        slot = free_start(rng, rng.choice(days), taken[who], rng.choice((60, 90, 120)))
        placed += slot is not None
    technicians = []
    for n in range(TECHNICIANS):
        absences = []
        if n % 6 == 0:  # a whole day off
            day = rng.choice(days)
            absences.append(
                (
                    dt.datetime.combine(day, dt.time(0), ROME),
                    dt.datetime.combine(day, dt.time(23, 59), ROME),
                )
            )
        if n % 9 == 0:  # a morning at the doctor's
            day = rng.choice(days)
            absences.append(
                (
                    dt.datetime.combine(day, dt.time(8), ROME),
                    dt.datetime.combine(day, dt.time(12), ROME),
                )
            )
        spans = working_spans(HOURS, absences, first_day, last_day, ROME)
        busy = tuple(Busy(a, b, rng.choice(sites)) for a, b in sorted(taken[n]))
        technicians.append(
            Technician(uuid.uuid4(), f"Tecnico{n}", "Rossi", near_milan(rng, "home"), spans, busy)
        )
    return technicians


def in_process(runs: int) -> None:
    rng = random.Random(20261123)  # noqa: S311 (reproducible test data)
    first_day = TODAY + dt.timedelta(days=1)
    technicians = synthetic(rng, first_day)
    site = near_milan(rng, "the site asked for")
    earliest = dt.datetime.combine(first_day, dt.time(0), ROME).astimezone(dt.UTC)
    latest = earliest + dt.timedelta(days=DAYS)
    hour = dt.timedelta(hours=1)
    busy = sum(len(t.busy) for t in technicians)
    print(f"in process: {len(technicians)} technicians, {busy} appointments, {DAYS} days")
    slots = find_slots(technicians, site, hour, earliest, latest, TRAVEL, FIRST)
    print(
        f"  best slot: {slots[0].starts_at:%a %d %H:%M} UTC, +{slots[0].added_travel_minutes} min"
    )
    planner = timed(
        lambda: find_slots(technicians, site, hour, earliest, latest, TRAVEL, FIRST), runs
    )
    print(f"  find_slots                      {summary(planner)}")

    def with_spans() -> None:
        rebuilt = [
            Technician(
                t.id,
                t.first_name,
                t.last_name,
                t.home,
                working_spans(HOURS, [], first_day, first_day + dt.timedelta(days=DAYS - 1), ROME),
                t.busy,
            )
            for t in technicians
        ]
        find_slots(rebuilt, site, hour, earliest, latest, TRAVEL, FIRST)

    print(f"  working_spans + find_slots      {summary(timed(with_spans, runs))}")


async def prepare(url: str, window: tuple[dt.datetime, dt.datetime]) -> dict[str, str]:
    """Seed at scale 10, then 50 skilled technicians holding 500 appointments in ``window``."""
    await migrate_and_seed(url, SCALE, TODAY)
    engine = create_engine(url, pool_size=2, statement_timeout_ms=0)
    rng = random.Random(7)  # noqa: S311 (reproducible test data)
    try:
        async with engine.begin() as db:
            return await _shape(db, rng, window)
    finally:
        await engine.dispose()


async def _shape(
    db: Any, rng: random.Random, window: tuple[dt.datetime, dt.datetime]
) -> dict[str, str]:
    async def rows(sql: str, **params: Any) -> list[Any]:
        return list((await db.execute(sa.text(sql), params)).all())

    org = (await rows("SELECT id FROM organization WHERE slug = :s", s=ORG))[0].id
    activity = (
        await rows(
            "SELECT a.id, a.duration_minutes, count(k.*) AS able FROM activity_type a "
            "LEFT JOIN technician_skill k ON k.activity_type_id = a.id "
            "WHERE a.organization_id = :o AND a.portal_bookable GROUP BY a.id "
            "ORDER BY able DESC, a.id LIMIT 1",
            o=org,
        )
    )[0]
    people = [
        row.id
        for row in await rows(
            "SELECT s.id FROM staff_user s WHERE s.organization_id = :o AND s.active "
            "AND s.role = 'TECHNICIAN' AND s.home_lat IS NOT NULL AND EXISTS "
            "(SELECT 1 FROM working_hours h WHERE h.technician_id = s.id) ORDER BY s.id",
            o=org,
        )
    ]
    print(f"{len(people)} active technicians with hours; {activity.able} able to do the activity")
    chosen = people[:TECHNICIANS]
    await db.execute(
        sa.text("DELETE FROM technician_skill WHERE activity_type_id = :a"), {"a": activity.id}
    )
    await db.execute(
        sa.text(
            "INSERT INTO technician_skill (id, created_at, organization_id, technician_id, "
            "activity_type_id) SELECT gen_random_uuid(), now(), :o, t, :a "
            "FROM unnest(CAST(:ids AS uuid[])) t"
        ),
        {"o": org, "a": activity.id, "ids": chosen},
    )
    sites = await rows(
        "SELECT id, client_id FROM site WHERE organization_id = :o AND lat IS NOT NULL ORDER BY id",
        o=org,
    )
    count_sql = (
        "SELECT count(*) FROM intervention WHERE technician_id = ANY(CAST(:ids AS uuid[])) "
        "AND status <> 'CANCELLED' AND ends_at > :a AND starts_at < :b"
    )
    params = {"ids": chosen, "a": window[0], "b": window[1]}
    existing = (await rows(count_sql, **params))[0][0]
    if existing > APPOINTMENTS:  # the seed is busier than the goal's setting: cancel the rest
        await db.execute(
            sa.text(
                "UPDATE intervention SET status = 'CANCELLED' WHERE id IN (SELECT id FROM "
                "intervention WHERE technician_id = ANY(CAST(:ids AS uuid[])) "
                "AND status <> 'CANCELLED' AND ends_at > :a AND starts_at < :b "
                "ORDER BY id OFFSET :n)"
            ),
            params | {"n": APPOINTMENTS},
        )
        print(f"{existing - APPOINTMENTS} seeded appointments cancelled to keep {APPOINTMENTS}")
        existing = APPOINTMENTS
    days = working_days(window[0].astimezone(ROME).date())
    held = existing
    while held < APPOINTMENTS:
        quarter = rng.randrange(0, 8 * 4)
        local = dt.datetime.combine(rng.choice(days), dt.time(8), ROME)
        start = (local + dt.timedelta(minutes=15 * quarter)).astimezone(dt.UTC)
        site = rng.choice(sites)
        inserted = await db.execute(
            sa.text(
                "INSERT INTO intervention (id, created_at, organization_id, client_id, site_id, "
                "activity_type_id, technician_id, starts_at, ends_at, status, origin, notes) "
                "VALUES (gen_random_uuid(), now(), :o, :c, :s, :a, :t, :start, :end, "
                "'PLANNED', 'STAFF', 'bench') ON CONFLICT DO NOTHING"
            ),
            {
                "o": org,
                "c": site.client_id,
                "s": site.id,
                "a": activity.id,
                "t": rng.choice(chosen),
                "start": start,
                "end": start + dt.timedelta(minutes=rng.choice((60, 90, 120))),
            },
        )
        held += inserted.rowcount
    print(f"{len(chosen)} technicians: {existing} appointments seeded, {held - existing} added")
    site = rng.choice(sites)
    return {
        "site": str(ids.encode("Site", site.id)),
        "activity": str(ids.encode("ActivityType", activity.id)),
        "org": str(org),
    }


async def breakdown(url: str, variables: dict[str, Any], runs: int) -> None:
    """The request's parts, timed apart on one connection: inputs, technicians, planner."""
    engine = create_engine(url, pool_size=1, statement_timeout_ms=0)
    scope = RowScope(uuid.UUID(variables["org"]), Audience.STAFF)
    site_id = ids.decode("Site", variables["site"])
    activity_id = ids.decode("ActivityType", variables["activity"])
    assert site_id is not None
    assert activity_id is not None
    earliest = dt.datetime.fromisoformat(variables["from"])
    latest = dt.datetime.fromisoformat(variables["to"])
    parts: dict[str, list[float]] = {"site, activity, settings": [], "technicians": []}
    parts["find_slots"] = []
    async with engine.connect() as db:
        for attempt in range(runs + 3):
            clock = time.perf_counter()
            found = await inputs.planning_input(db, scope, site_id, activity_id)
            assert found is not None
            loaded = time.perf_counter()
            people = await inputs.technicians(
                db,
                scope.organization_id,
                activity_id,
                earliest,
                latest + found.duration,
                found.zone,
            )
            built = time.perf_counter()
            find_slots(people, found.site, found.duration, earliest, latest, found.travel, FIRST)
            done = time.perf_counter()
            if attempt >= 3:
                parts["site, activity, settings"].append((loaded - clock) * 1000)
                parts["technicians"].append((built - loaded) * 1000)
                parts["find_slots"].append((done - built) * 1000)
        busy = sum(len(person.busy) for person in people)
        spans = sum(len(person.spans) for person in people)
        print(f"  breakdown: {len(people)} technicians, {spans} spans, {busy} appointments loaded")
        for name, timings in parts.items():
            print(f"    {name:<28}  {summary(timings)}")
    await engine.dispose()


async def end_to_end(runs: int, profile: bool) -> None:
    start = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    start += dt.timedelta(days=1)
    window = (start, start + dt.timedelta(days=DAYS))
    with throwaway_cluster("slots") as (url, _):
        variables: dict[str, Any] = await prepare(url, window)
        await analyze(url)
        variables |= {"from": window[0].isoformat(), "to": window[1].isoformat()}
        app = create_app(Settings(database_url=url))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            admin = next(x for x in demo_logins() if x.organization == ORG and "admin" in x.role)
            login = await client.post(
                "/graphql",
                json={
                    "query": "mutation($i: String!, $p: String!, $o: String!) { login("
                    "identifier: $i, password: $p, organization: $o) { token } }",
                    "variables": {"i": admin.identifier, "p": DEMO_PASSWORD, "o": ORG},
                },
            )
            token = login.json()["data"]["login"]["token"]
            asked = {key: value for key, value in variables.items() if key != "org"}
            body = {"query": QUERY, "variables": asked}
            headers = {"authorization": f"Bearer {token}"}

            async def ask() -> float:
                started = time.perf_counter()
                response = await client.post("/graphql", json=body, headers=headers)
                elapsed = (time.perf_counter() - started) * 1000
                answer = response.json()
                if "errors" in answer or not answer["data"]["availableSlots"]:
                    raise SystemExit(f"availableSlots failed: {answer}")
                return elapsed

            for _ in range(3):
                await ask()
            timings = [await ask() for _ in range(runs)]
            print(f"end to end ({runs} requests)      {summary(timings)}")
            await breakdown(url, variables, runs)
            if profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(10):
                    await ask()
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
        await app.state.sportello.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed runs of each measurement")
    parser.add_argument("--no-db", action="store_true", help="only the in-process planner")
    parser.add_argument("--profile", action="store_true", help="cProfile 10 requests")
    arguments = parser.parse_args()
    in_process(arguments.runs)
    if not arguments.no_db:
        asyncio.run(end_to_end(arguments.runs, arguments.profile))
    print(machine())


if __name__ == "__main__":
    main()
