"""Staff users: administrators, office people and technicians with hours, absences and skills."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from db.seed.context import Row, SeedContext, ascii_slug, claim, hhmm
from db.seed.logins import DEMO_PASSWORD
from db.seed.profiles import Person
from db.seed.world import OrgWorld, Technician

# Relative weight of each of a profile's shifts (the first is the usual full-time one).
SHIFT_WEIGHTS = (6, 3, 1)


def claim_email(world: OrgWorld, first: str, last: str, domain: str) -> str:
    """``first.last@domain`` in ASCII, numbered when that address is already taken."""
    local = f"{ascii_slug(first)}.{ascii_slug(last, '')}"
    return claim(world.used_emails, lambda number: f"{local}{number}@{domain}")


def _staff_row(
    ctx: SeedContext, world: OrgWorld, person: Person, role: str, *, demo: bool, active: bool
) -> Row:
    created = ctx.moment_between(world.founded, world.founded + dt.timedelta(days=300))
    last_login = None
    if active and (role != "TECHNICIAN" or ctx.chance(0.5)):
        last_login = world.now - dt.timedelta(minutes=ctx.between(20, 4 * 24 * 60))
    return ctx.add(
        "staff_user",
        {
            "id": ctx.new_id(),
            "created_at": created,
            "organization_id": world.id,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "phone": ctx.phone(world.profile.phone_prefix, mobile=True),
            "role": role,
            "active": active,
            "locale": world.profile.locale,
            "password_hash": ctx.password_hash(DEMO_PASSWORD, pooled=not demo) if active else None,
            "last_login_at": last_login,
            "home_lat": None,
            "home_lng": None,
            "weekly_hours": None,
        },
    )


def _random_person(ctx: SeedContext, world: OrgWorld) -> Person:
    first = ctx.pick(world.profile.first_names)
    last = ctx.pick(world.profile.last_names)
    return Person(first, last, claim_email(world, first, last, world.profile.domain))


def build_staff(ctx: SeedContext, world: OrgWorld) -> None:
    """Two administrators (one is the demo login), office staff and the technicians."""
    profile = world.profile
    world.used_emails.add(profile.admin.email)
    world.admins.append(_staff_row(ctx, world, profile.admin, "ADMIN", demo=True, active=True))
    world.admins.append(
        _staff_row(ctx, world, _random_person(ctx, world), "ADMIN", demo=False, active=True)
    )
    office_count = 3 + ctx.scale // 2
    for index in range(office_count):
        # The last office account belongs to someone who left: kept for history, no login.
        active = index < office_count - 1
        row = _staff_row(
            ctx, world, _random_person(ctx, world), "OFFICE", demo=False, active=active
        )
        if active:
            world.office.append(row)
    for _ in range(profile.technicians * ctx.scale):
        _build_technician(ctx, world)
    _assign_skills(ctx, world)


def _build_technician(ctx: SeedContext, world: OrgWorld) -> None:
    profile = world.profile
    row = _staff_row(ctx, world, _random_person(ctx, world), "TECHNICIAN", demo=False, active=True)
    city = profile.cities[0] if ctx.chance(0.5) else ctx.pick(profile.cities)
    row["home_lat"] = ctx.jitter_coord(city.lat, 0.04)
    row["home_lng"] = ctx.jitter_coord(city.lng, 0.05)
    shift = ctx.rng.choices(profile.shifts, weights=SHIFT_WEIGHTS[: len(profile.shifts)])[0]
    spans: dict[int, list[tuple[int, int]]] = {}
    minutes = 0
    for weekday, start, end in shift.spans:
        begin, finish = hhmm(start), hhmm(end)
        spans.setdefault(weekday, []).append((begin, finish))
        minutes += finish - begin
        ctx.add(
            "working_hours",
            {
                "id": ctx.new_id(),
                "created_at": row["created_at"],
                "organization_id": world.id,
                "technician_id": row["id"],
                "weekday": weekday,
                "starts_at": dt.time(begin // 60, begin % 60),
                "ends_at": dt.time(finish // 60, finish % 60),
            },
        )
    row["weekly_hours"] = (Decimal(minutes) / 60).quantize(Decimal("0.1"))
    technician = Technician(row, float(row["home_lat"]), float(row["home_lng"]), spans)
    world.technicians.append(technician)
    _build_absences(ctx, world, technician)


def _build_absences(ctx: SeedContext, world: OrgWorld, technician: Technician) -> None:
    """A holiday, a few sick days, a training day; some of them still ahead."""
    reasons = world.profile.wording.absence_reasons
    history_days = (world.today - world.history_start).days
    periods: list[tuple[dt.date, int, str]] = [
        (world.history_start + dt.timedelta(days=ctx.between(0, history_days - 14)), 10, reasons[0])
    ]
    for _ in range(ctx.between(0, 3)):
        start = world.history_start + dt.timedelta(days=ctx.between(0, history_days - 2))
        periods.append((start, ctx.between(1, 2), reasons[1]))
    if ctx.chance(0.4):
        periods.append((world.today + dt.timedelta(days=ctx.between(3, 50)), 1, reasons[2]))
    if ctx.chance(0.25):
        periods.append((world.today + dt.timedelta(days=ctx.between(10, 60)), 5, reasons[0]))
    for start, days, reason in periods:
        ctx.add(
            "absence",
            {
                "id": ctx.new_id(),
                "created_at": min(world.now, world.at(start, 8 * 60) - dt.timedelta(days=20)),
                "organization_id": world.id,
                "technician_id": technician.id,
                "starts_at": world.at(start, 0),
                "ends_at": world.at(start + dt.timedelta(days=days), 0),
                "reason": reason,
            },
        )
        for offset in range(days):
            technician.absent_days.add(start + dt.timedelta(days=offset))
    if ctx.chance(0.3):
        # An afternoon off: the whole day is kept free of visits to keep planning simple.
        day = world.history_start + dt.timedelta(days=ctx.between(0, history_days - 1))
        ctx.add(
            "absence",
            {
                "id": ctx.new_id(),
                "created_at": world.at(day, 8 * 60) - dt.timedelta(days=3),
                "organization_id": world.id,
                "technician_id": technician.id,
                "starts_at": world.at(day, 14 * 60),
                "ends_at": world.at(day, 18 * 60),
                "reason": reasons[3],
            },
        )
        technician.absent_days.add(day)


def _assign_skills(ctx: SeedContext, world: OrgWorld) -> None:
    """Everyone does the core activity and at least one other; each has two people or more."""
    core = world.activities[0]
    for technician in world.technicians:
        for activity in world.activities:
            if activity is core or ctx.chance(0.5 if activity.spec.visible else 0.25):
                technician.skills.append(activity)
        if len(technician.skills) == 1:
            # Nobody only does the core activity: add one more visible one.
            others = [a for a in world.activities if a is not core and a.spec.visible]
            technician.skills.append(ctx.pick(others))
    for activity in world.activities:
        able = sum(1 for t in world.technicians if activity in t.skills)
        lacking = [t for t in world.technicians if activity not in t.skills]
        for technician in lacking[: max(0, 2 - able)]:
            technician.skills.append(activity)
    for technician in world.technicians:
        for activity in world.activities:
            if activity in technician.skills:
                ctx.add(
                    "technician_skill",
                    {
                        "id": ctx.new_id(),
                        "created_at": technician.row["created_at"],
                        "organization_id": world.id,
                        "technician_id": technician.id,
                        "activity_type_id": activity.id,
                    },
                )
