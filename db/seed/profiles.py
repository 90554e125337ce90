"""The shape of a demo organization's profile: names, places, wording and sizes.

The profiles themselves live in ``italy.py`` and ``spain.py``. E-mail domains end in ``.example``
(reserved by RFC 2606) so that a demo outbox can never reach a real mailbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


def words(text: str) -> tuple[str, ...]:
    """Split a comma-separated list of names into a tuple (keeps long name lists compact)."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def spans(days: Iterable[int], *hours: str) -> tuple[tuple[int, str, str], ...]:
    """Working spans on each of ``days`` (Monday is 0), given as "HH:MM-HH:MM" strings."""
    result: list[tuple[int, str, str]] = []
    for day in days:
        for span in hours:
            start, end = span.split("-", 1)
            result.append((day, start, end))
    return tuple(result)


@dataclass(frozen=True)
class City:
    name: str
    province: str
    postal_codes: tuple[str, ...]
    lat: Decimal
    lng: Decimal
    streets: tuple[str, ...]


@dataclass(frozen=True)
class ActivitySpec:
    """An activity type; ``reschedule`` lists the statuses in which a contact may move it."""

    name: str
    kind: str
    minutes: int
    visible: bool
    bookable: bool
    title: str
    description: str
    reschedule: tuple[str, ...]
    lead_hours: int


@dataclass(frozen=True)
class EquipmentSpec:
    """A kind of equipment and how many of it a site holds (inclusive range)."""

    kind: str
    models: tuple[str | None, ...]
    per_site: tuple[int, int]
    serial_prefix: str | None


@dataclass(frozen=True)
class Shift:
    """A weekly working pattern: (weekday, start "HH:MM", end "HH:MM") spans, Monday is 0."""

    name: str
    spans: tuple[tuple[int, str, str], ...]


@dataclass(frozen=True)
class Person:
    """A fixed person of the demo (the accounts printed as demo logins)."""

    first_name: str
    last_name: str
    email: str


@dataclass(frozen=True)
class FixedClient:
    """A client whose name and contact are fixed, so that its demo login never changes."""

    name: str
    domain: str
    sites: int
    contact: Person


@dataclass(frozen=True)
class Wording:
    """Localized free text used across records."""

    ticket_notes: tuple[str, ...]
    staff_replies: tuple[str, ...]
    internal_comments: tuple[str, ...]
    client_replies: tuple[str, ...]
    materials: tuple[str, ...]
    work_done: tuple[str, ...]
    remarks: tuple[str, ...]
    absence_reasons: tuple[str, ...]
    contact_notes: tuple[str, ...]
    visit_notes: tuple[str, ...]
    # Long portal description of every visible activity type (substitution codes included).
    activity_long: str
    manual_clock_note: str
    revision_notes: tuple[str, ...]
    document_titles: dict[str, str]


@dataclass(frozen=True)
class Profile:
    """Everything that differs between the Italian and the Spanish organization."""

    slug: str
    name: str
    domain: str
    locale: str
    timezone: str
    country: str
    vat_percent: Decimal
    phone_prefix: str
    portal_info: str
    cities: tuple[City, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    client_kinds: tuple[str, ...]
    legal_forms: tuple[str, ...]
    tax_id_prefix: str
    site_names: tuple[str, ...]
    departments: tuple[tuple[str, bool], ...]
    activities: tuple[ActivitySpec, ...]
    # The activity done every week at contract sites (None: no routine visits).
    routine_activity: str | None
    equipment: tuple[EquipmentSpec, ...]
    locations: tuple[str, ...]
    shifts: tuple[Shift, ...]
    contract_kinds: tuple[str, ...]
    quote_titles: tuple[str, ...]
    wording: Wording
    number_prefixes: dict[str, str]
    # Sizes at scale 1; the seed multiplies them by the scale.
    technicians: int
    clients: int
    # The demo accounts.
    admin: Person
    single_client: FixedClient
    site_client: FixedClient
    group_name: str
    group_domain: str
    group_contact: Person
