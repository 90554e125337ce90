"""Clients and their sites, including the fixed demo clients and a group of separate clients."""

from __future__ import annotations

import datetime as dt

from db.seed.context import Row, SeedContext, ascii_slug
from db.seed.profiles import City
from db.seed.world import OrgWorld, SiteRef

# Branches of the client group: one client per branch, one site each (seed 000).
GROUP_BRANCHES = 5
# How many sites an ordinary client has, and how often.
SITE_COUNTS = (1, 2, 3, 4)
SITE_WEIGHTS = (40, 30, 20, 10)


def build_clients(ctx: SeedContext, world: OrgWorld) -> None:
    """The fixed demo clients, the client group and the generated clients, with their sites."""
    profile = world.profile
    total = profile.clients * ctx.scale
    for fixed in (profile.single_client, profile.site_client):
        client = _client_row(ctx, world, fixed.name, fixed.domain, _tax_id(ctx, world), True)
        _add_sites(ctx, world, client, fixed.sites)
    group_tax_id = _tax_id(ctx, world)
    for city in profile.cities[:GROUP_BRANCHES]:
        name = f"{profile.group_name} {city.name}"
        client = _client_row(ctx, world, name, profile.group_domain, group_tax_id, True)
        _add_site(ctx, world, client, 1, city)
    names = {row["name"] for row in world.clients}
    while len(world.clients) < total:
        name = _client_name(ctx, world, names)
        domain = f"{ascii_slug(name.rsplit(' ', 1)[0])}.example"
        client = _client_row(ctx, world, name, domain, _tax_id(ctx, world), ctx.chance(0.92))
        count = ctx.rng.choices(SITE_COUNTS, weights=SITE_WEIGHTS)[0]
        _add_sites(ctx, world, client, count)


def _client_name(ctx: SeedContext, world: OrgWorld, taken: set[str]) -> str:
    profile = world.profile
    while True:
        name = (
            f"{ctx.pick(profile.client_kinds)} {ctx.pick(profile.last_names)} "
            f"{ctx.pick(profile.legal_forms)}"
        )
        if name not in taken:
            taken.add(name)
            return name


def _tax_id(ctx: SeedContext, world: OrgWorld) -> str:
    if world.profile.tax_id_prefix == "IT":
        return "IT" + "".join(str(ctx.rng.randrange(10)) for _ in range(11))
    digits = "".join(str(ctx.rng.randrange(10)) for _ in range(8))
    return f"{world.profile.tax_id_prefix}{digits}"


def _client_row(
    ctx: SeedContext, world: OrgWorld, name: str, domain: str, tax_id: str, portal: bool
) -> Row:
    # Most clients predate the history window; some joined during it.
    latest = world.now - dt.timedelta(days=45)
    created = ctx.moment_between(world.founded + dt.timedelta(days=30), latest)
    row = ctx.add(
        "client",
        {
            "id": ctx.new_id(),
            "created_at": created,
            "organization_id": world.id,
            "code": f"C{len(world.clients) + 1:05d}",
            "name": name,
            "tax_id": tax_id,
            "email": f"info@{domain}",
            "phone": ctx.phone(world.profile.phone_prefix),
            "portal_enabled": portal,
        },
    )
    world.clients.append(row)
    world.sites_by_client[row["id"]] = []
    return row


def _add_sites(ctx: SeedContext, world: OrgWorld, client: Row, count: int) -> None:
    home = world.profile.cities[0] if ctx.chance(0.5) else ctx.pick(world.profile.cities)
    for number in range(1, count + 1):
        city = home if number == 1 or ctx.chance(0.4) else ctx.pick(world.profile.cities)
        _add_site(ctx, world, client, number, city)


def _add_site(ctx: SeedContext, world: OrgWorld, client: Row, number: int, city: City) -> None:
    profile = world.profile
    street = ctx.pick(city.streets)
    taken = {site.row["name"] for site in world.sites_by_client[client["id"]]}
    if number == 1:
        name = profile.site_names[0].format(city=city.name, street=street)
    else:
        name = ctx.pick(profile.site_names[1:]).format(city=city.name, street=street)
    if name in taken:
        name = f"{name} {number}"
    # The first city is the metropolis: its sites spread further from the centre.
    spread = 0.035 if city is profile.cities[0] else 0.012
    row = ctx.add(
        "site",
        {
            "id": ctx.new_id(),
            "created_at": client["created_at"] + dt.timedelta(minutes=number),
            "organization_id": world.id,
            "client_id": client["id"],
            "name": name,
            "address": f"{street}, {ctx.between(1, 180)}",
            "city": city.name,
            "postal_code": ctx.pick(city.postal_codes),
            "province": city.province,
            "country": profile.country,
            "lat": ctx.jitter_coord(city.lat, spread),
            "lng": ctx.jitter_coord(city.lng, spread * 1.3),
        },
    )
    site = SiteRef(row, client, float(row["lat"]), float(row["lng"]))
    world.sites.append(site)
    world.sites_by_client[client["id"]].append(site)
