"""Which technicians usually serve which sites, and the weekly routine visits of contracts."""

from __future__ import annotations

from db.seed.context import SeedContext, distance_km
from db.seed.world import OrgWorld, SiteRef, Technician

# A site is served by its nearest technicians; every technician has at least a few sites.
TECHNICIANS_PER_SITE = 3
MIN_SITES_PER_TECHNICIAN = 4
# Minutes of routine work a technician's day may hold per routine visit.
MINUTES_PER_ROUTINE_SLOT = 200


def build_routes(ctx: SeedContext, world: OrgWorld) -> None:
    """Assign each site to its nearest technicians and lay out the weekly routine visits."""
    technicians = world.technicians
    for site in world.sites:
        ranked = sorted(
            range(len(technicians)),
            key=lambda i: (
                distance_km(site.lat, site.lng, technicians[i].lat, technicians[i].lng),
                i,
            ),
        )
        site.technicians = [technicians[i] for i in ranked[:TECHNICIANS_PER_SITE]]
        for technician in site.technicians:
            technician.sites.append(site)
    for technician in technicians:
        if len(technician.sites) >= MIN_SITES_PER_TECHNICIAN:
            continue
        nearest = sorted(
            range(len(world.sites)),
            key=lambda i: (_km(technician, world.sites[i]), i),
        )
        for index in nearest:
            if len(technician.sites) >= MIN_SITES_PER_TECHNICIAN:
                break
            if world.sites[index] not in technician.sites:
                technician.sites.append(world.sites[index])
    if world.profile.routine_activity is not None:
        _lay_out_routine(ctx, world)


def _km(technician: Technician, site: SiteRef) -> float:
    return distance_km(site.lat, site.lng, technician.lat, technician.lng)


def _lay_out_routine(ctx: SeedContext, world: OrgWorld) -> None:
    """Sites whose contract is the routine service get one or two fixed weekdays a week."""
    routine_kind = world.profile.contract_kinds[0]
    for site in world.sites:
        contract = world.contract_by_site.get(site.id)
        if contract is None or contract["kind"] != routine_kind:
            continue
        if contract["expires_on"] < world.today:
            continue
        used_days: list[int] = []
        for _ in range(ctx.rng.choices((1, 2), weights=(60, 40))[0]):
            for technician in site.technicians:
                free = [
                    day
                    for day in sorted(technician.spans)
                    if day not in used_days
                    and len(technician.routine.get(day, [])) < _cap(technician, day)
                ]
                if free:
                    day = ctx.pick(free)
                    technician.routine.setdefault(day, []).append(site)
                    used_days.append(day)
                    break


def _cap(technician: Technician, weekday: int) -> int:
    minutes = sum(end - start for start, end in technician.spans[weekday])
    return max(1, minutes // MINUTES_PER_ROUTINE_SLOT)
