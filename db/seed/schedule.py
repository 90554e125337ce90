"""Interventions: each technician's calendar, day by day, without overlaps.

Visits of a technician's day are laid out one after the other inside the working spans, with
the travel time from the previous place (the planning assistant's formula), so that the
database's exclusion constraint never fires and the calendar looks like a dispatcher made it.
"""

from __future__ import annotations

import datetime as dt
import math

from db.seed.context import Row, SeedContext, days_between, distance_km
from db.seed.world import Activity, OrgWorld, SiteRef, Technician, Visit

# Visits wanted on a day: by how far the day is from the anchor (past and next two weeks are
# fully planned, later weeks fill up as time goes by).
NEAR_DAYS = 14
MID_DAYS = 45
NEAR_LOAD = ((2, 3, 4), (30, 50, 20))
MID_LOAD = ((0, 1, 2, 3), (20, 30, 30, 20))
FAR_LOAD = ((0, 1, 2), (50, 35, 15))


def build_schedule(ctx: SeedContext, world: OrgWorld) -> None:
    """Every technician's visits from the start of the history to the planning horizon."""
    routine = None
    if world.profile.routine_activity is not None:
        routine = world.activity(world.profile.routine_activity)
    for technician in world.technicians:
        choices = [a for a in technician.skills if a is not routine]
        weights = [_weight(world, a, routine) for a in choices]
        for day in days_between(world.history_start, world.horizon):
            spans = technician.spans.get(day.weekday())
            if not spans or day in technician.absent_days:
                continue
            plan: list[tuple[SiteRef, Activity, str | None]] = []
            if routine is not None:
                for site in technician.routine.get(day.weekday(), []):
                    contract = world.contract_by_site[site.id]
                    if contract["starts_on"] <= day <= contract["expires_on"]:
                        plan.append((site, routine, "CONTRACT"))
            ahead = (day - world.today).days
            load = NEAR_LOAD if ahead <= NEAR_DAYS else MID_LOAD if ahead <= MID_DAYS else FAR_LOAD
            wanted = ctx.rng.choices(load[0], weights=load[1])[0]
            for _ in range(max(0, wanted - len(plan))):
                activity = ctx.rng.choices(choices, weights=weights)[0]
                plan.append((ctx.pick(technician.sites), activity, None))
            _lay_out_day(ctx, world, technician, day, spans, plan)
    _requests_without_technician(ctx, world)
    _ensure_one_in_progress(world)


def _weight(world: OrgWorld, activity: Activity, routine: Activity | None) -> float:
    if not activity.spec.visible:
        return 0.2
    if routine is None and activity is world.activities[0]:
        return 4.0
    return 2.0


def travel_minutes(world: OrgWorld, km: float) -> int:
    """Driving time for a straight-line distance, rounded up to 5 minutes (planning formula)."""
    org = world.org
    road = km * float(org["travel_road_factor"])
    minutes = road / float(org["travel_average_speed_kmh"]) * 60 + org["travel_buffer_minutes"]
    return int(math.ceil(minutes / 5) * 5)


def _lay_out_day(
    ctx: SeedContext,
    world: OrgWorld,
    technician: Technician,
    day: dt.date,
    spans: list[tuple[int, int]],
    plan: list[tuple[SiteRef, Activity, str | None]],
) -> None:
    lat, lng = technician.lat, technician.lng
    span_index = 0
    cursor = spans[0][0]
    for site, activity, origin in plan:
        travel = travel_minutes(world, distance_km(lat, lng, site.lat, site.lng))
        duration = activity.spec.minutes
        while span_index < len(spans):
            start, end = spans[span_index]
            begin = max(cursor, start) + travel
            if begin + duration <= end:
                break
            span_index += 1
        else:
            return
        _visit(ctx, world, technician, site, activity, origin, day, begin, duration)
        cursor = begin + duration
        lat, lng = site.lat, site.lng


def _visit(
    ctx: SeedContext,
    world: OrgWorld,
    technician: Technician,
    site: SiteRef,
    activity: Activity,
    origin: str | None,
    day: dt.date,
    begin: int,
    duration: int,
) -> None:
    starts = world.at(day, begin)
    ends = world.at(day, begin + duration)
    booker = None
    if origin is None:
        bookers = [c for c in world.site_contacts.get(site.id, []) if c["can_book_appointments"]]
        if activity.spec.bookable and bookers and ctx.chance(0.35):
            origin, booker = "PORTAL", ctx.pick(bookers)
        elif activity.spec.kind == "INSPECTION" and site.id in world.contract_by_site:
            origin = "CONTRACT"
        else:
            origin = "STAFF"
    if ends <= world.now:
        status = "CANCELLED" if ctx.chance(0.04) else "DONE"
    elif starts <= world.now:
        status = "IN_PROGRESS"
    elif origin == "PORTAL" and starts < world.now + dt.timedelta(days=21) and ctx.chance(0.4):
        status = "REQUESTED"
    else:
        status = "CANCELLED" if ctx.chance(0.02) else "PLANNED"
    lead = dt.timedelta(days=ctx.between(1, 20) if origin == "PORTAL" else ctx.between(5, 40))
    created = min(world.now, starts - lead)
    original = None
    if origin != "CONTRACT" and ctx.chance(0.03):
        # Moved from an earlier slot: the first appointment is cancelled and linked.
        moved = dt.timedelta(days=ctx.between(1, 10))
        original = _row(
            ctx,
            world,
            site,
            activity,
            technician,
            starts - moved,
            ends - moved,
            "CANCELLED",
            origin,
        )
        original["created_at"] = min(world.now, created - moved)
        original["booked_by_contact_id"] = None if booker is None else booker["id"]
        world.visits.append(Visit(original, site, activity, technician))
    row = _row(ctx, world, site, activity, technician, starts, ends, status, origin)
    row["created_at"] = created
    if original is not None:
        row["reschedules_id"] = original["id"]
    if booker is not None:
        row["booked_by_contact_id"] = booker["id"]
        row["idempotency_key"] = f"portal-{row['id'].hex[:20]}"
    if ctx.chance(0.1):
        row["notes"] = ctx.pick(world.profile.wording.visit_notes)
    world.visits.append(Visit(row, site, activity, technician))


def _row(
    ctx: SeedContext,
    world: OrgWorld,
    site: SiteRef,
    activity: Activity,
    technician: Technician | None,
    starts: dt.datetime,
    ends: dt.datetime,
    status: str,
    origin: str,
) -> Row:
    return ctx.add(
        "intervention",
        {
            "id": ctx.new_id(),
            "created_at": world.now,
            "organization_id": world.id,
            "client_id": site.client["id"],
            "site_id": site.id,
            "activity_type_id": activity.id,
            "technician_id": None if technician is None else technician.id,
            "starts_at": starts,
            "ends_at": ends,
            "status": status,
            "origin": origin,
            "reschedules_id": None,
            "ticket_id": None,
            "notes": "",
            "booked_by_contact_id": None,
            "idempotency_key": None,
        },
    )


def _requests_without_technician(ctx: SeedContext, world: OrgWorld) -> None:
    """Requests from the portal that the office has not assigned to anyone yet."""
    bookable = [a for a in world.activities if a.spec.bookable]
    bookers = {
        site.id: [c for c in world.site_contacts.get(site.id, []) if c["can_book_appointments"]]
        for site in world.sites
    }
    sites = [site for site in world.sites if bookers[site.id]]
    for _ in range(3 * ctx.scale):
        site = ctx.pick(sites)
        activity = ctx.pick(bookable)
        day = world.today + dt.timedelta(days=ctx.between(5, 40))
        starts = world.at(day, ctx.between(16, 30) * 30)
        ends = starts + dt.timedelta(minutes=activity.spec.minutes)
        row = _row(ctx, world, site, activity, None, starts, ends, "REQUESTED", "PORTAL")
        row["created_at"] = world.now - dt.timedelta(hours=ctx.between(1, 72))
        booker = ctx.pick(bookers[site.id])
        row["booked_by_contact_id"] = booker["id"]
        row["idempotency_key"] = f"portal-{row['id'].hex[:20]}"
        world.visits.append(Visit(row, site, activity, None))


def _ensure_one_in_progress(world: OrgWorld) -> None:
    """When no visit spans the anchor hour (a weekend), the last one is left open."""
    if any(visit.row["status"] == "IN_PROGRESS" for visit in world.visits):
        return
    done = [v for v in world.visits if v.row["status"] == "DONE"]
    if done:
        latest = max(done, key=lambda v: (v.row["starts_at"], v.row["id"]))
        latest.row["status"] = "IN_PROGRESS"
