"""Service contracts, client-wide or per site; some expire within the alert window."""

from __future__ import annotations

import datetime as dt

from db.seed.context import Row, SeedContext
from db.seed.documents import attach
from db.seed.world import OrgWorld, SiteRef

# Every this-many contracts, one is made to expire within 30 days of the anchor day.
EXPIRING_EVERY = 6


def build_contracts(ctx: SeedContext, world: OrgWorld) -> None:
    """One client-wide contract, or one per site for some multi-site clients."""
    for client in world.clients:
        sites = world.sites_by_client[client["id"]]
        if len(sites) > 1 and ctx.chance(0.5):
            for site in sites:
                if ctx.chance(0.85):
                    _contract(ctx, world, client, site)
        else:
            _contract(ctx, world, client, None)


def _expiry(ctx: SeedContext, world: OrgWorld, number: int) -> dt.date:
    if number % EXPIRING_EVERY == 2 or ctx.chance(0.1):
        return world.today + dt.timedelta(days=ctx.between(1, 29))
    if ctx.chance(0.08):
        return world.today - dt.timedelta(days=ctx.between(10, 200))
    return world.today + dt.timedelta(days=ctx.between(31, 700))


def _contract(ctx: SeedContext, world: OrgWorld, client: Row, site: SiteRef | None) -> None:
    profile = world.profile
    number = world.next_number("contract")
    expires = _expiry(ctx, world, number)
    # Contracts run for whole years and began at least a month ago.
    needed = -(-((expires - world.today).days + 30) // 365)
    years = max(ctx.between(1, 3), needed)
    starts = expires.replace(year=expires.year - years, day=min(expires.day, 28))
    starts += dt.timedelta(days=1)
    kind = (
        profile.contract_kinds[0] if profile.routine_activity else ctx.pick(profile.contract_kinds)
    )
    if profile.routine_activity and ctx.chance(0.3):
        kind = ctx.pick(profile.contract_kinds[1:])
    code = f"{profile.number_prefixes['contract']}-{starts.year}-{number:04d}"
    where = site.row["name"] if site is not None else client["name"]
    created = min(world.now, world.at(starts - dt.timedelta(days=12), 10 * 60))
    row = ctx.add(
        "contract",
        {
            "id": ctx.new_id(),
            "created_at": created,
            "organization_id": world.id,
            "client_id": client["id"],
            "site_id": None if site is None else site.id,
            "number": code,
            "kind": kind,
            "description": f"{kind} - {where}",
            "starts_on": starts,
            "expires_on": expires,
        },
    )
    covered = [site] if site is not None else world.sites_by_client[client["id"]]
    for each in covered:
        world.contract_by_site[each.id] = row
    site_id = None if site is None else site.id
    attach(
        ctx,
        world,
        owner="contract_id",
        owner_id=row["id"],
        client=client,
        site_id=site_id,
        kind="CONTRACT",
        reference=code,
        when=created,
        visible=True,
        details=(kind, where),
    )
    if ctx.chance(0.3):
        attach(
            ctx,
            world,
            owner="contract_id",
            owner_id=row["id"],
            client=client,
            site_id=site_id,
            kind="OTHER",
            reference=f"{code}-A",
            when=created,
            visible=False,
            details=(kind,),
        )
