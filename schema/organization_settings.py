"""An organization's own settings as staff read and an ADMIN changes them
(resolvers/organization_settings.py).

Every setting lives on the organization row (db/models/organizations.py) and is read where it
is used at each request, so a change shows at once: the portal's branding (``portalBranding``,
``viewer``), reminders and contract alerts (the mail worker), booking lead time and horizon,
the planning assistant's travel times, and the monthly bill of portal accesses.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry


@strawberry.type(description="The organization's settings (ADMIN and OFFICE read them).")
class OrganizationSettings:
    slug: str = strawberry.field(description="The organization's login name; not changed here.")
    name: str = strawberry.field(description="The display name the portal shows.")
    logo_url: str | None = strawberry.field(
        description="The logo as PortalBranding.logoUrl gives it; uploaded by POST /branding/logo."
    )
    info_text: str = strawberry.field(description="The portal's information text for clients.")
    notification_email: str = strawberry.field(
        description="Where the office is told of new tickets and bookings."
    )
    locale: str = strawberry.field(description="The organization's language: it, es or en.")
    time_zone: str = strawberry.field(description="The IANA time zone, e.g. Europe/Rome.")
    portal_enabled: bool
    currency: str = strawberry.field(description="ISO 4217 code of the amounts; not changed here.")
    fee_per_access_cents: int = strawberry.field(
        description="The monthly fee per portal access, in cents, VAT excluded."
    )
    vat_rate_percent: Decimal = strawberry.field(description="VAT on the fee, in percent.")
    reminder_offsets_days: list[int] = strawberry.field(
        description="Days before a visit on which contacts get a reminder, largest first."
    )
    contract_alert_days: int = strawberry.field(
        description="Days before a contract expires on which the office is alerted."
    )
    booking_min_lead_hours: int = strawberry.field(
        description="Hours from now before which the portal offers no booking."
    )
    booking_horizon_days: int = strawberry.field(
        description="Days ahead up to which the portal offers bookings."
    )
    travel_average_speed_kmh: Decimal = strawberry.field(
        description="The planning assistant's average speed, km/h."
    )
    travel_road_factor: Decimal = strawberry.field(
        description="Road distance over straight-line distance (at least 1)."
    )
    travel_buffer_minutes: int = strawberry.field(
        description="Minutes added to every travel time (parking, walking in)."
    )
    refuse_unregistered_documents: bool = strawberry.field(
        description="Contacts may send only the portal's own documents, by their sha256 hash "
        "(extensions.persistedQuery); any other text answers PERSISTED_QUERY_REQUIRED. Staff "
        "and partners are never refused."
    )

    @classmethod
    def from_row(cls, row: Any, logo_url: str | None) -> OrganizationSettings:
        return cls(
            slug=row.slug,
            name=row.name,
            logo_url=logo_url,
            info_text=row.portal_info_text,
            notification_email=row.notification_email,
            locale=row.locale,
            time_zone=row.timezone,
            portal_enabled=row.portal_enabled,
            currency=row.currency,
            fee_per_access_cents=row.portal_fee_cents,
            vat_rate_percent=row.vat_rate_percent,
            reminder_offsets_days=list(row.reminder_offsets_days),
            contract_alert_days=row.contract_alert_days,
            booking_min_lead_hours=row.booking_min_lead_hours,
            booking_horizon_days=row.booking_horizon_days,
            travel_average_speed_kmh=row.travel_average_speed_kmh,
            travel_road_factor=row.travel_road_factor,
            travel_buffer_minutes=row.travel_buffer_minutes,
            refuse_unregistered_documents=row.refuse_unregistered_documents,
        )


@strawberry.input(
    description="Changes to the organization's settings; a field left out (or null) stays as "
    "it is. The logo is not set here: upload it with POST /branding/logo."
)
class OrganizationSettingsInput:
    name: str | None = strawberry.field(default=None, description="1 to 200 characters.")
    info_text: str | None = strawberry.field(
        default=None, description='At most 5,000 characters; "" clears it.'
    )
    notification_email: str | None = None
    locale: str | None = strawberry.field(default=None, description="it, es or en.")
    time_zone: str | None = strawberry.field(
        default=None, description="An IANA time zone name, e.g. Europe/Rome."
    )
    portal_enabled: bool | None = strawberry.field(
        default=None,
        description="As setPortalEnabled: off ends every contact's session at once.",
    )
    fee_per_access_cents: int | None = strawberry.field(
        default=None, description="0 to 100,000 (1,000.00)."
    )
    vat_rate_percent: Decimal | None = strawberry.field(
        default=None, description="0 to 100, at most 2 decimal places."
    )
    reminder_offsets_days: list[int] | None = strawberry.field(
        default=None, description="At most 5 distinct days, each 1 to 365; [] sends none."
    )
    contract_alert_days: int | None = strawberry.field(default=None, description="1 to 365.")
    booking_min_lead_hours: int | None = strawberry.field(
        default=None, description="0 to 720 (30 days)."
    )
    booking_horizon_days: int | None = strawberry.field(default=None, description="1 to 365.")
    travel_average_speed_kmh: Decimal | None = strawberry.field(
        default=None, description="Above 0, at most 200, at most 2 decimal places."
    )
    travel_road_factor: Decimal | None = strawberry.field(
        default=None, description="1 to 5, at most 2 decimal places."
    )
    travel_buffer_minutes: int | None = strawberry.field(default=None, description="0 to 240.")
    refuse_unregistered_documents: bool | None = None
