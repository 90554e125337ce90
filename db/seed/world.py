"""What one organization's seed steps know about each other's rows while building them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from db.seed.context import Row, add_months, local_time
from db.seed.profiles import ActivitySpec, Profile

# Wall-clock hour of the seed's "now" on the anchor day: visits before it are done, the one
# under way at that hour is in progress, later ones are planned.
NOW_HOUR = 12
# Days of planned visits after the anchor day.
HORIZON_DAYS = 75


@dataclass(eq=False)
class Seeded:
    """An object built around one seeded row; ``id`` is that row's."""

    row: Row

    @property
    def id(self) -> uuid.UUID:
        value: uuid.UUID = self.row["id"]
        return value


@dataclass(eq=False)
class SiteRef(Seeded):
    """A site with its client and its coordinates as floats (for distances)."""

    client: Row
    lat: float
    lng: float
    # Technicians who usually work here, nearest first (filled by the routes step).
    technicians: list[Technician] = field(default_factory=list)


@dataclass(eq=False)
class Activity(Seeded):
    spec: ActivitySpec


@dataclass(eq=False)
class Technician(Seeded):
    """A technician's planning data: home base, weekly spans, absences, skills, usual sites."""

    lat: float
    lng: float
    # Weekday (Monday 0) -> working spans in minutes after midnight.
    spans: dict[int, list[tuple[int, int]]]
    absent_days: set[dt.date] = field(default_factory=set)
    skills: list[Activity] = field(default_factory=list)
    sites: list[SiteRef] = field(default_factory=list)
    # Weekday -> sites visited every week on that day (routine contract visits).
    routine: dict[int, list[SiteRef]] = field(default_factory=dict)


@dataclass(eq=False)
class Visit:
    """An intervention row with the objects it was planned from."""

    row: Row
    site: SiteRef
    activity: Activity
    technician: Technician | None


@dataclass
class OrgWorld:
    """The rows of one organization that later steps refer to."""

    profile: Profile
    id: uuid.UUID
    zone: ZoneInfo
    today: dt.date
    now: dt.datetime
    history_start: dt.date
    horizon: dt.date
    # Organization founding time: the earliest created_at of its rows.
    founded: dt.datetime
    org: Row = field(default_factory=dict)
    used_emails: set[str] = field(default_factory=set)
    used_usernames: set[str] = field(default_factory=set)
    counters: dict[str, int] = field(default_factory=dict)
    departments: list[Row] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    admins: list[Row] = field(default_factory=list)
    office: list[Row] = field(default_factory=list)
    technicians: list[Technician] = field(default_factory=list)
    clients: list[Row] = field(default_factory=list)
    sites: list[SiteRef] = field(default_factory=list)
    sites_by_client: dict[uuid.UUID, list[SiteRef]] = field(default_factory=dict)
    contacts: list[Row] = field(default_factory=list)
    # The contacts printed as demo logins.
    demo_contacts: list[Row] = field(default_factory=list)
    # Site id -> active contacts whose grants cover that site.
    site_contacts: dict[uuid.UUID, list[Row]] = field(default_factory=dict)
    equipment_by_site: dict[uuid.UUID, list[Row]] = field(default_factory=dict)
    # Site id -> the contract that covers it (site contract, else the client-wide one).
    contract_by_site: dict[uuid.UUID, Row] = field(default_factory=dict)
    visits: list[Visit] = field(default_factory=list)

    def at(self, day: dt.date, minutes: int) -> dt.datetime:
        """``day`` at ``minutes`` after midnight on this organization's wall clock, in UTC."""
        return local_time(day, minutes, self.zone)

    def next_number(self, series: str) -> int:
        """The next number (from 1) of a per-organization numbering ``series``."""
        self.counters[series] = self.counters.get(series, 0) + 1
        return self.counters[series]

    def activity(self, name: str) -> Activity:
        """The activity type with this name."""
        for activity in self.activities:
            if activity.spec.name == name:
                return activity
        raise KeyError(name)


def history_months(scale: int) -> int:
    """Months of past activity: 6 at scale 1, one more per scale step, at most two years."""
    return min(24, 5 + scale)


def new_world(profile: Profile, org_id: uuid.UUID, today: dt.date, scale: int) -> OrgWorld:
    """The empty world of the organization ``org_id`` of ``profile``."""
    zone = ZoneInfo(profile.timezone)
    history_start = add_months(today, -history_months(scale))
    return OrgWorld(
        profile=profile,
        id=org_id,
        zone=zone,
        today=today,
        now=local_time(today, NOW_HOUR * 60, zone),
        history_start=history_start,
        horizon=today + dt.timedelta(days=HORIZON_DAYS),
        founded=local_time(add_months(history_start, -18), 9 * 60, zone),
    )
