"""``organizationSettings`` (ADMIN, OFFICE) and ``updateOrganizationSettings`` (ADMIN).

Every field is checked before anything is written, and a refusal names the input field
(BAD_USER_INPUT). A field left out stays as it is; the same value again changes nothing and
records nothing. Switching the portal goes through the one switch ``setPortalEnabled`` uses
(db.queries.portal_access_actions.set_organization_portal): off ends every contact's session
at once.
The change is audited once (``organization_settings_changed``) with the old and new value of
each changed setting. The logo is not a setting here: it is uploaded by POST /branding/logo
(sportello/branding_route.py).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import strawberry
from strawberry import Info

from authz.policy import ADMIN_ONLY, BACK_OFFICE_ONLY
from db.queries import audit, portal_access_actions
from db.queries import organization_settings as queries
from resolvers.kit import audited, changes
from resolvers.kit.callers import staff_of
from resolvers.kit.inputs import one_line
from resolvers.portal_access import LOCALES
from schema.kit.context import Context
from schema.kit.errors import BadUserInput
from schema.kit.permissions import permitted
from schema.organization_settings import OrganizationSettings, OrganizationSettingsInput
from sportello.base.clock import now_utc

ContextInfo = Info[Context, None]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TWO_PLACES = Decimal("0.01")
MAX_INFO_TEXT = 5_000
MAX_REMINDERS = 5

# GraphQL input field -> (column, lowest, highest) of the whole-number settings.
WHOLE = {
    "feePerAccessCents": ("portal_fee_cents", 0, 100_000),
    "contractAlertDays": ("contract_alert_days", 1, 365),
    "bookingMinLeadHours": ("booking_min_lead_hours", 0, 720),
    "bookingHorizonDays": ("booking_horizon_days", 1, 365),
    "travelBufferMinutes": ("travel_buffer_minutes", 0, 240),
}
# GraphQL input field -> (column, lowest, highest, lowest allowed itself) of the decimals.
DECIMALS = {
    "vatRatePercent": ("vat_rate_percent", Decimal(0), Decimal(100), True),
    "travelAverageSpeedKmh": ("travel_average_speed_kmh", Decimal(0), Decimal(200), False),
    "travelRoadFactor": ("travel_road_factor", Decimal(1), Decimal(5), True),
}


def _info_text(value: str) -> str:
    text = value.strip()
    if len(text) > MAX_INFO_TEXT:
        raise BadUserInput("infoText", f"use at most {MAX_INFO_TEXT} characters")
    if any((ch < " " and ch not in "\n\t") or ch == "\x7f" for ch in text):
        raise BadUserInput("infoText", "use text without control characters")
    return text


@cache
def _zones() -> frozenset[str]:
    """The IANA names this system knows (read once: it walks the time zone database)."""
    return frozenset(available_timezones())


def known_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone name this system can load.

    zoneinfo also opens relative paths and keys like "localtime"; only IANA names are taken.
    """
    if name not in _zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _time_zone(value: str) -> str:
    name = value.strip()
    if not known_time_zone(name):
        raise BadUserInput("timeZone", "use an IANA time zone name, e.g. Europe/Rome")
    return name


def _decimal(field: str, value: Decimal, spec: tuple[str, Decimal, Decimal, bool]) -> Decimal:
    _, low, high, low_allowed = spec
    above = f"{low} or more" if low_allowed else f"above {low}"
    message = f"use a number {above}, at most {high}, with at most 2 decimal places"
    try:
        if not value.is_finite() or value != value.quantize(TWO_PLACES):
            raise BadUserInput(field, message)
    except InvalidOperation:
        raise BadUserInput(field, message) from None
    if value > high or value < low or (value == low and not low_allowed):
        raise BadUserInput(field, message)
    return value.quantize(TWO_PLACES)


def _reminders(value: list[int]) -> list[int]:
    if len(value) > MAX_REMINDERS:
        raise BadUserInput("reminderOffsetsDays", f"give at most {MAX_REMINDERS} days")
    if any(not 1 <= day <= 365 for day in value):
        raise BadUserInput("reminderOffsetsDays", "use days from 1 to 365")
    if len(set(value)) != len(value):
        raise BadUserInput("reminderOffsetsDays", "give each day once")
    return sorted(value, reverse=True)


def checked_values(input: OrganizationSettingsInput) -> dict[str, Any]:
    """The columns of the settings given, each checked (BAD_USER_INPUT naming the field)."""
    values: dict[str, Any] = {}
    if input.name is not None:
        values["name"] = one_line("name", input.name, 200)
    if input.info_text is not None:
        values["portal_info_text"] = _info_text(input.info_text)
    if input.notification_email is not None:
        email = one_line("notificationEmail", input.notification_email, 254)
        if not EMAIL.match(email):
            raise BadUserInput("notificationEmail", "is not an email address")
        values["notification_email"] = email
    if input.locale is not None:
        if input.locale not in LOCALES:
            raise BadUserInput("locale", f"use one of {', '.join(LOCALES)}")
        values["locale"] = input.locale
    if input.time_zone is not None:
        values["timezone"] = _time_zone(input.time_zone)
    given_whole = {
        "feePerAccessCents": input.fee_per_access_cents,
        "contractAlertDays": input.contract_alert_days,
        "bookingMinLeadHours": input.booking_min_lead_hours,
        "bookingHorizonDays": input.booking_horizon_days,
        "travelBufferMinutes": input.travel_buffer_minutes,
    }
    for field, number in given_whole.items():
        if number is not None:
            column, low, high = WHOLE[field]
            if not low <= number <= high:
                raise BadUserInput(field, f"use a whole number from {low} to {high}")
            values[column] = number
    given_decimal = {
        "vatRatePercent": input.vat_rate_percent,
        "travelAverageSpeedKmh": input.travel_average_speed_kmh,
        "travelRoadFactor": input.travel_road_factor,
    }
    for field, decimal in given_decimal.items():
        if decimal is not None:
            values[DECIMALS[field][0]] = _decimal(field, decimal, DECIMALS[field])
    if input.reminder_offsets_days is not None:
        values["reminder_offsets_days"] = _reminders(input.reminder_offsets_days)
    if input.portal_enabled is not None:
        values["portal_enabled"] = input.portal_enabled
    if input.refuse_unregistered_documents is not None:
        values["refuse_unregistered_documents"] = input.refuse_unregistered_documents
    return values


@strawberry.type
class OrganizationSettingsQuery:
    @strawberry.field(
        description="The organization's settings (ADMIN, OFFICE).",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def organization_settings(self, info: ContextInfo) -> OrganizationSettings:
        staff = staff_of(info)
        row = await queries.settings(info.context.db, staff.organization_id)
        return OrganizationSettings.from_row(row, queries.logo_of(row))


@strawberry.type
class OrganizationSettingsMutation:
    @strawberry.mutation(
        description="Change the organization's settings (ADMIN); fields left out stay as they "
        "are. The portal shows the change at once. portalEnabled false ends every contact's "
        "session, as setPortalEnabled does. The logo is not set here: upload it with "
        "POST /branding/logo (ADMIN; multipart/form-data with one `file`: PNG, JPEG or "
        "WebP); DELETE /branding/logo removes it.",
        extensions=permitted(ADMIN_ONLY),
    )
    async def update_organization_settings(
        self, info: ContextInfo, input: OrganizationSettingsInput
    ) -> OrganizationSettings:
        staff = staff_of(info)
        db, org = info.context.db, staff.organization_id
        values = checked_values(input)
        current = await queries.settings(db, org, for_update=True)
        changed = changes.differing(current, values)
        if not changed:
            return OrganizationSettings.from_row(current, queries.logo_of(current))
        columns = {k: v for k, v in changed.items() if k != "portal_enabled"}
        if columns:
            await queries.update(db, org, columns)
        if "portal_enabled" in changed:
            await portal_access_actions.set_organization_portal(
                db, org, changed["portal_enabled"], now_utc()
            )
        details = audit.change_details(dict(current._mapping), changed)
        await audited.record(
            info.context, "organization_settings_changed", "Organization", org, details
        )
        row = await queries.settings(db, org)
        return OrganizationSettings.from_row(row, queries.logo_of(row))
