"""Equipment installed at each site, following the profile's kinds and counts."""

from __future__ import annotations

import datetime as dt

from db.seed.context import SeedContext
from db.seed.world import OrgWorld


def build_equipment(ctx: SeedContext, world: OrgWorld) -> None:
    """Every site gets the profile's equipment kinds in their per-site ranges."""
    profile = world.profile
    for site in world.sites:
        items = world.equipment_by_site.setdefault(site.id, [])
        locations = list(profile.locations)
        ctx.rng.shuffle(locations)
        for spec in profile.equipment:
            for _ in range(ctx.between(*spec.per_site)):
                installed = None
                if spec.serial_prefix is not None:
                    installed = ctx.today - dt.timedelta(days=ctx.between(200, 3650))
                # Areas take distinct locations; machines stand anywhere.
                location = locations.pop() if spec.serial_prefix is None and locations else None
                if location is None:
                    location = ctx.pick(profile.locations)
                serial = None
                if spec.serial_prefix is not None:
                    serial = f"{spec.serial_prefix}-{ctx.between(10_000_000, 99_999_999)}"
                created = site.row["created_at"] + dt.timedelta(hours=1 + len(items))
                items.append(
                    ctx.add(
                        "equipment",
                        {
                            "id": ctx.new_id(),
                            "created_at": created,
                            "organization_id": world.id,
                            "client_id": site.client["id"],
                            "site_id": site.id,
                            "kind": spec.kind,
                            "model": ctx.pick(spec.models),
                            "serial_number": serial,
                            "location": location,
                            "installed_on": installed,
                        },
                    )
                )
