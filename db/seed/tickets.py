"""Tickets in every status and urgency, with comments, some answered by an intervention."""

from __future__ import annotations

import datetime as dt

from db.seed.context import Row, SeedContext
from db.seed.world import OrgWorld, SiteRef, Visit

STATUSES = ("OPEN", "IN_PROGRESS", "WAITING_CLIENT", "RESOLVED", "CLOSED")
URGENCIES = ("LOW", "NORMAL", "HIGH", "CRITICAL")
URGENCY_WEIGHTS = (25, 45, 22, 8)
# Minutes to the first answer, by urgency.
RESPONSE_MINUTES = {
    "LOW": (120, 2880),
    "NORMAL": (60, 1440),
    "HIGH": (30, 240),
    "CRITICAL": (10, 60),
}
TICKETS_PER_SCALE = 40
# Tickets of the last weeks cover every (status, urgency) pair.
RECENT_DAYS = 25


def build_tickets(ctx: SeedContext, world: OrgWorld) -> None:
    """Tickets numbered 1..n by opening time; the organization's counter ends at n."""
    combos = [(status, urgency) for status in STATUSES for urgency in URGENCIES]
    ctx.rng.shuffle(combos)
    old_end = world.now - dt.timedelta(days=RECENT_DAYS + 5)
    history = world.at(world.history_start, 8 * 60)
    recent_start = world.now - dt.timedelta(days=RECENT_DAYS)
    plan: list[tuple[dt.datetime, str, str]] = []
    for _ in range(TICKETS_PER_SCALE * ctx.scale - len(combos)):
        status = ctx.rng.choices(("CLOSED", "RESOLVED", "WAITING_CLIENT"), weights=(85, 10, 5))[0]
        urgency = ctx.rng.choices(URGENCIES, weights=URGENCY_WEIGHTS)[0]
        plan.append((ctx.moment_between(history, old_end), status, urgency))
    for status, urgency in combos:
        plan.append(
            (ctx.moment_between(recent_start, world.now - dt.timedelta(hours=1)), status, urgency)
        )
    plan.sort()
    linkable = _linkable_visits(world)
    # The demo contacts opened some of the latest tickets, so their logins show some.
    authors = {len(plan) - 1 - 2 * index: c for index, c in enumerate(world.demo_contacts)}
    for number, (opened, status, urgency) in enumerate(plan, start=1):
        author = authors.get(number - 1)
        _ticket(ctx, world, linkable, number, opened, status, urgency, author)
    world.org["ticket_counter"] = len(plan)


def _linkable_visits(world: OrgWorld) -> dict[dt.date, list[Visit]]:
    """Visits a ticket may have asked for, by local day."""
    by_day: dict[dt.date, list[Visit]] = {}
    for visit in world.visits:
        row = visit.row
        if row["origin"] not in ("STAFF", "PORTAL") or row["reschedules_id"] is not None:
            continue
        if row["status"] == "CANCELLED" or visit.technician is None:
            continue
        by_day.setdefault(row["starts_at"].astimezone(world.zone).date(), []).append(visit)
    return by_day


def _find_visit(
    ctx: SeedContext,
    world: OrgWorld,
    linkable: dict[dt.date, list[Visit]],
    opened: dt.datetime,
    done: bool,
) -> Visit | None:
    first_day = opened.astimezone(world.zone).date()
    for offset in range(8):
        candidates = [
            v
            for v in linkable.get(first_day + dt.timedelta(days=offset), [])
            if v.row["starts_at"] >= opened + dt.timedelta(hours=2)
            and (v.row["status"] == "DONE") == done
        ]
        if candidates:
            visit = ctx.pick(candidates)
            linkable[first_day + dt.timedelta(days=offset)].remove(visit)
            return visit
    return None


def _ticket(
    ctx: SeedContext,
    world: OrgWorld,
    linkable: dict[dt.date, list[Visit]],
    number: int,
    opened: dt.datetime,
    status: str,
    urgency: str,
    author: Row | None,
) -> None:
    profile = world.profile
    ticket_id = ctx.new_id()
    visit = None
    if author is None and status in ("IN_PROGRESS", "RESOLVED", "CLOSED") and ctx.chance(0.5):
        visit = _find_visit(ctx, world, linkable, opened, done=status != "IN_PROGRESS")
    if author is not None:
        site = next(
            s for s in world.sites if any(c is author for c in world.site_contacts.get(s.id, []))
        )
    else:
        site = visit.site if visit is not None else _pick_site(ctx, world)
    openers = [
        c
        for c in world.site_contacts.get(site.id, [])
        if c["can_open_tickets"] and c["created_at"] <= opened
    ]
    contact = author
    if author is None and openers and ctx.chance(0.75):
        contact = ctx.pick(openers)
    staff = ctx.pick(world.office)
    departments = [d for d in world.departments if d["portal_visible"] or contact is None]
    equipment = world.equipment_by_site.get(site.id, [])
    if contact is not None:
        reference = f"{contact['first_name']} {contact['last_name']}"
        phone = contact["mobile"] or contact["phone"]
    else:
        reference = f"{ctx.pick(profile.first_names)} {ctx.pick(profile.last_names)}"
        phone = ctx.phone(profile.phone_prefix)
    assignees = [*world.office, *(t.row for t in site.technicians)]
    assigned = ctx.pick(assignees) if status != "OPEN" or ctx.chance(0.3) else None
    first_response = resolved = closed = None
    if status != "OPEN":
        low, high = RESPONSE_MINUTES[urgency]
        first_response = min(world.now, opened + dt.timedelta(minutes=ctx.between(low, high)))
    if status in ("RESOLVED", "CLOSED") and first_response is not None:
        resolved = first_response + dt.timedelta(minutes=ctx.between(120, 5 * 24 * 60))
        if visit is not None:
            resolved = max(resolved, visit.row["ends_at"] + dt.timedelta(minutes=30))
        resolved = min(world.now, resolved)
    if status == "CLOSED" and resolved is not None:
        closed = min(world.now, resolved + dt.timedelta(days=ctx.between(1, 7)))
    ticket = ctx.add(
        "ticket",
        {
            "id": ticket_id,
            "created_at": opened,
            "organization_id": world.id,
            "number": number,
            "client_id": site.client["id"],
            "site_id": site.id,
            "department_id": ctx.pick(departments)["id"],
            "equipment_id": ctx.pick(equipment)["id"] if equipment and ctx.chance(0.4) else None,
            "reference_person": reference,
            "phone": phone,
            "notes": ctx.pick(profile.wording.ticket_notes),
            "urgency": urgency,
            "status": status,
            "opened_at": opened,
            "opened_by_contact_id": None if contact is None else contact["id"],
            "opened_by_staff_id": staff["id"] if contact is None else None,
            "assigned_to_id": None if assigned is None else assigned["id"],
            "first_response_at": first_response,
            "resolved_at": resolved,
            "closed_at": closed,
            "idempotency_key": None if contact is None else f"ticket-{ticket_id.hex[:20]}",
        },
    )
    if visit is not None:
        visit.row.update(
            origin="TICKET", ticket_id=ticket_id, booked_by_contact_id=None, idempotency_key=None
        )
    _comments(ctx, world, ticket, site, contact, assigned or staff)


def _pick_site(ctx: SeedContext, world: OrgWorld) -> SiteRef:
    if ctx.chance(0.7):
        covered = [s for s in world.sites if world.site_contacts.get(s.id)]
        if covered:
            return ctx.pick(covered)
    return ctx.pick(world.sites)


def _comments(
    ctx: SeedContext, world: OrgWorld, ticket: Row, site: SiteRef, contact: Row | None, staff: Row
) -> None:
    """A visible first answer, sometimes an internal note, the client's reply, the closing word."""
    wording = world.profile.wording
    replies = wording.staff_replies
    entries: list[tuple[dt.datetime, Row | None, Row | None, str, bool]] = []
    first = ticket["first_response_at"]
    if first is not None:
        entries.append((first, staff, None, replies[0] if ctx.chance(0.6) else replies[1], True))
        if ctx.chance(0.5):
            when = ctx.moment_between(first, world.now)
            entries.append(
                (when, ctx.pick(world.office), None, ctx.pick(wording.internal_comments), False)
            )
        if contact is not None and ticket["status"] != "IN_PROGRESS" and ctx.chance(0.6):
            when = ctx.moment_between(first, ticket["resolved_at"] or world.now)
            entries.append((when, None, contact, ctx.pick(wording.client_replies), True))
        if ticket["status"] == "WAITING_CLIENT":
            entries.append((ctx.moment_between(first, world.now), staff, None, replies[2], True))
    if ticket["resolved_at"] is not None:
        entries.append((ticket["resolved_at"], staff, None, replies[3], True))
    entries.sort(key=lambda entry: entry[0])
    for when, author_staff, author_contact, body, visible in entries:
        ctx.add(
            "ticket_comment",
            {
                "id": ctx.new_id(),
                "created_at": when,
                "organization_id": world.id,
                "client_id": site.client["id"],
                "site_id": site.id,
                "ticket_id": ticket["id"],
                "author_staff_id": None if author_staff is None else author_staff["id"],
                "author_contact_id": None if author_contact is None else author_contact["id"],
                "body": body,
                "visible_to_client": visible,
            },
        )
