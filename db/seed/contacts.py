"""Client contacts (portal users) with client-level and site-level grants."""

from __future__ import annotations

import datetime as dt

from authz.principals import FEATURE_FLAGS
from db.seed.context import Row, SeedContext, ascii_slug, claim
from db.seed.logins import DEMO_PASSWORD
from db.seed.profiles import Person
from db.seed.staff import claim_email
from db.seed.world import OrgWorld, SiteRef

ALL_FLAGS = FEATURE_FLAGS
# How often a generated contact has each feature flag.
FLAG_ODDS = (0.6, 0.5, 0.4, 0.45, 0.7, 0.4)
# A site-limited demo contact sees work and tickets, not contracts and invoices.
SITE_FLAGS = ("receives_visit_reminders", "can_open_tickets", "can_book_appointments")


def build_contacts(ctx: SeedContext, world: OrgWorld) -> None:
    """Demo contacts first (fixed people), then up to three contacts per other client."""
    profile = world.profile
    clients = world.clients
    single, site_client = clients[0], clients[1]
    group = [c for c in clients if c["email"].endswith("@" + profile.group_domain)]
    for person in (profile.single_client.contact, profile.site_client.contact):
        world.used_emails.add(person.email)
    world.used_emails.add(profile.group_contact.email)

    demo = _contact(ctx, world, profile.single_client.contact, single, "ACTIVE", ALL_FLAGS, True)
    _grant(ctx, world, demo, client=single)
    colleague = _random_contact(ctx, world, single, "ACTIVE")
    _grant(ctx, world, colleague, site=world.sites_by_client[single["id"]][1])

    limited = _contact(
        ctx, world, profile.site_client.contact, site_client, "ACTIVE", SITE_FLAGS, True
    )
    _grant(ctx, world, limited, site=world.sites_by_client[site_client["id"]][1])
    manager = _random_contact(ctx, world, site_client, "INVITED")
    _grant(ctx, world, manager, client=site_client)

    several = _contact(ctx, world, profile.group_contact, group[0], "ACTIVE", ALL_FLAGS, True)
    for client in group:
        _grant(ctx, world, several, client=client)
    world.demo_contacts.extend((demo, several, limited))

    for client in clients[2 + len(group) :]:
        if not client["portal_enabled"]:
            if ctx.chance(0.5):
                _grant(ctx, world, _random_contact(ctx, world, client, "INVITED"), client=client)
            continue
        for _ in range(ctx.rng.choices((0, 1, 2, 3), weights=(15, 45, 30, 10))[0]):
            state = ctx.rng.choices(("ACTIVE", "INVITED", "DISABLED"), weights=(70, 18, 12))[0]
            contact = _random_contact(ctx, world, client, state)
            sites = world.sites_by_client[client["id"]]
            if len(sites) > 1 and ctx.chance(0.35):
                for site in ctx.rng.sample(sites, ctx.between(1, min(2, len(sites) - 1))):
                    _grant(ctx, world, contact, site=site)
            else:
                _grant(ctx, world, contact, client=client)
    _build_property_manager(ctx, world, clients[2 + len(group) :])
    _build_deleted_access(ctx, world, clients[2 + len(group)])


def _build_deleted_access(ctx: SeedContext, world: OrgWorld, client: Row) -> None:
    """An access deleted last month: gone from the portal, still on that month's bill."""
    contact = _random_contact(ctx, world, client, "DISABLED")
    contact["created_at"] = min(contact["created_at"], world.now - dt.timedelta(days=200))
    contact["deleted_at"] = world.now - dt.timedelta(days=ctx.between(20, 40), hours=3)
    contact["portal_access"] = False
    _grant(ctx, world, contact, client=client)


def _build_property_manager(ctx: SeedContext, world: OrgWorld, candidates: list[Row]) -> None:
    """A building manager who looks after several unrelated clients."""
    enabled = [c for c in candidates if c["portal_enabled"]]
    if len(enabled) < 3:
        return
    first = ctx.pick(world.profile.first_names)
    last = ctx.pick(world.profile.last_names)
    domain = f"studio{ascii_slug(last)}.example"
    person = Person(first, last, claim_email(world, first, last, domain))
    contact = _contact(ctx, world, person, enabled[0], "ACTIVE", ALL_FLAGS[:5], False)
    for client in ctx.rng.sample(enabled, 3):
        _grant(ctx, world, contact, client=client)


def _random_contact(ctx: SeedContext, world: OrgWorld, client: Row, state: str) -> Row:
    first = ctx.pick(world.profile.first_names)
    last = ctx.pick(world.profile.last_names)
    domain = client["email"].split("@", 1)[1]
    person = Person(first, last, claim_email(world, first, last, domain))
    flags = tuple(f for f, odds in zip(ALL_FLAGS, FLAG_ODDS, strict=True) if ctx.chance(odds))
    contact = _contact(ctx, world, person, client, state, flags, False)
    # Some accesses were switched off by the office, some deleted (kept for billing).
    if state == "DISABLED":
        contact["portal_access"] = ctx.chance(0.5)
        if ctx.chance(0.3):
            contact["deleted_at"] = ctx.moment_between(contact["created_at"], world.now)
    elif state == "ACTIVE" and ctx.chance(0.04):
        contact["portal_access"] = False
    return contact


def _contact(
    ctx: SeedContext,
    world: OrgWorld,
    person: Person,
    client: Row,
    state: str,
    flags: tuple[str, ...],
    demo: bool,
) -> Row:
    profile = world.profile
    earliest = max(client["created_at"], world.now - dt.timedelta(days=540))
    created = (
        max(client["created_at"], world.now - dt.timedelta(days=300))
        if demo
        else ctx.moment_between(earliest, world.now - dt.timedelta(days=1))
    )
    active = state == "ACTIVE"
    last_login = None
    if active and (demo or ctx.chance(0.8)):
        last_login = ctx.moment_between(max(created, world.now - dt.timedelta(days=60)), world.now)
    row = ctx.add(
        "contact",
        {
            "id": ctx.new_id(),
            "created_at": created,
            "organization_id": world.id,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "username": _username(world, person.email.split("@", 1)[0]),
            "phone": ctx.phone(profile.phone_prefix) if ctx.chance(0.5) else None,
            "mobile": ctx.phone(profile.phone_prefix, mobile=True) if ctx.chance(0.8) else None,
            "notes": ctx.pick(profile.wording.contact_notes) if ctx.chance(0.3) else "",
            "locale": profile.locale,
            "password_hash": ctx.password_hash(DEMO_PASSWORD, pooled=not demo) if active else None,
            "state": state,
            "last_login_at": last_login,
            "deleted_at": None,
            "portal_access": True,
            **{flag: flag in flags for flag in ALL_FLAGS},
        },
    )
    world.contacts.append(row)
    return row


def _username(world: OrgWorld, base: str) -> str:
    return claim(world.used_usernames, lambda number: f"{base}{number}")


def _grant(
    ctx: SeedContext,
    world: OrgWorld,
    contact: Row,
    *,
    client: Row | None = None,
    site: SiteRef | None = None,
) -> None:
    ctx.add(
        "portal_grant",
        {
            "id": ctx.new_id(),
            "created_at": contact["created_at"],
            "organization_id": world.id,
            "contact_id": contact["id"],
            "client_id": None if client is None else client["id"],
            "site_id": None if site is None else site.id,
        },
    )
    usable = (
        contact["state"] == "ACTIVE" and contact["portal_access"] and contact["deleted_at"] is None
    )
    if not usable:
        return
    covered = [site] if site is not None else world.sites_by_client[client["id"]] if client else []
    for each in covered:
        world.site_contacts.setdefault(each.id, []).append(contact)
