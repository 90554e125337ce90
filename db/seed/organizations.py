"""The organization row, its departments and its activity types."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from db.queries.organization_logo import logo_key
from db.seed.context import SeedContext
from db.seed.logos import logo_png
from db.seed.world import Activity, OrgWorld


def build_organization(ctx: SeedContext, world: OrgWorld) -> None:
    """The organization itself, with its logo file; the ticket counter is set once tickets
    are numbered."""
    profile = world.profile
    logo = logo_png(profile.slug)
    logo_sha256 = hashlib.sha256(logo).hexdigest()
    if ctx.keep_files:
        ctx.files.append((logo_key(world.id, logo_sha256), logo))
    world.org = ctx.add(
        "organization",
        {
            "id": world.id,
            "created_at": world.founded,
            "slug": profile.slug,
            "name": profile.name,
            "logo_url": f"https://{profile.domain}/logo.png",
            # The stored logo pages show (logo_url stays the address emails use).
            "logo_sha256": logo_sha256,
            "logo_mime_type": "image/png",
            "portal_info_text": profile.portal_info,
            "notification_email": f"ufficio@{profile.domain}"
            if profile.locale == "it"
            else f"oficina@{profile.domain}",
            "locale": profile.locale,
            "timezone": profile.timezone,
            "portal_enabled": True,
            "portal_fee_cents": 200,
            "currency": "EUR",
            "vat_rate_percent": profile.vat_percent,
            "reminder_offsets_days": [30, 7],
            "contract_alert_days": 30,
            "travel_average_speed_kmh": Decimal("40.00"),
            "travel_road_factor": Decimal("1.30"),
            "travel_buffer_minutes": 10,
            "booking_min_lead_hours": 24,
            "booking_horizon_days": 60,
            "ticket_counter": 0,
        },
    )


def build_departments(ctx: SeedContext, world: OrgWorld) -> None:
    """The departments (reparti) that handle tickets; one is not offered on the portal."""
    for offset, (name, visible) in enumerate(world.profile.departments):
        world.departments.append(
            ctx.add(
                "department",
                {
                    "id": ctx.new_id(),
                    "created_at": world.founded + dt.timedelta(minutes=offset),
                    "organization_id": world.id,
                    "name": name,
                    "portal_visible": visible,
                },
            )
        )


def build_activity_types(ctx: SeedContext, world: OrgWorld) -> None:
    """Activity types with their portal wording and reschedule conditions."""
    long_text = world.profile.wording.activity_long
    for offset, spec in enumerate(world.profile.activities):
        row = ctx.add(
            "activity_type",
            {
                "id": ctx.new_id(),
                "created_at": world.founded + dt.timedelta(hours=1, minutes=offset),
                "organization_id": world.id,
                "name": spec.name,
                "kind": spec.kind,
                "duration_minutes": spec.minutes,
                "portal_visible": spec.visible,
                "portal_bookable": spec.bookable,
                "portal_title": spec.title,
                "portal_description": spec.description,
                "portal_long_description": long_text if spec.visible else "",
                "reschedule_allowed_statuses": list(spec.reschedule),
                "reschedule_min_lead_hours": spec.lead_hours,
            },
        )
        world.activities.append(Activity(row, spec))
