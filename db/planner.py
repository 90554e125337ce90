"""The planning assistant (seed 001): free slots for an activity at a site, ranked by travel.

Pure functions on plain values; db/queries/planning.py loads the inputs.

For each technician able to do the activity, each working span of each day (weekly hours,
minus absences) is cut by the appointments already planned into gaps. A gap runs from where
the technician is before it (home at the start of the span, or the previous appointment's
site) to where they must be after it (the next appointment's site, or home). A slot fits a gap
when there is time to travel from the place before, do the work, and travel to the place
after. Its cost is the travel it adds: before + after - the direct trip it replaces (a day with
nothing planned costs the round trip from home). Slots come least added travel first, then
soonest. Travel time: straight-line distance x the organization's road factor, at its average
speed, plus its buffer, rounded up to the minute.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import uuid
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

EARTH_RADIUS_KM = 6371.0
GRANULARITY = dt.timedelta(minutes=15)
# Candidate starts within one gap: the earliest, then every STEP, at most PER_GAP of them.
STEP = dt.timedelta(minutes=30)
PER_GAP = 4


@dataclasses.dataclass(frozen=True)
class Place:
    lat: float
    lng: float
    label: str


@dataclasses.dataclass(frozen=True)
class Travel:
    speed_kmh: float
    road_factor: float
    buffer_minutes: int

    def minutes(self, a: Place, b: Place) -> int:
        """Minutes from ``a`` to ``b``; 0 when it is the same place."""
        if (a.lat, a.lng) == (b.lat, b.lng):
            return 0
        km = distance_km(a, b) * self.road_factor
        return math.ceil(km / self.speed_kmh * 60) + self.buffer_minutes


def distance_km(a: Place, b: Place) -> float:
    """Great-circle distance (haversine)."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlng = math.radians(b.lng - a.lng)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@dataclasses.dataclass(frozen=True)
class Busy:
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: Place


@dataclasses.dataclass(frozen=True)
class Technician:
    id: uuid.UUID
    first_name: str
    last_name: str
    home: Place
    # Working spans as aware datetimes, absences already taken out.
    spans: tuple[tuple[dt.datetime, dt.datetime], ...]
    busy: tuple[Busy, ...]

    @property
    def display_name(self) -> str:
        """What a client sees: first name and last initial."""
        return f"{self.first_name} {self.last_name[:1]}.".strip()


@dataclasses.dataclass(frozen=True)
class Slot:
    technician_id: uuid.UUID
    technician_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    added_travel_minutes: int
    travel_before_minutes: int
    travel_after_minutes: int
    comes_from: str
    goes_to: str


def working_spans(
    hours: Iterable[tuple[int, dt.time, dt.time]],
    absences: Iterable[tuple[dt.datetime, dt.datetime]],
    first_day: dt.date,
    last_day: dt.date,
    zone: ZoneInfo,
) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    """The weekly hours (weekday, start, end in local time) laid on the days from
    ``first_day`` to ``last_day``, as aware datetimes, minus the absences."""
    weekly: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, start, end in hours:
        weekly.setdefault(weekday, []).append((start, end))
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    day = first_day
    while day <= last_day:
        for start, end in sorted(weekly.get(day.weekday(), [])):
            spans.append(
                (
                    dt.datetime.combine(day, start, zone).astimezone(dt.UTC),
                    dt.datetime.combine(day, end, zone).astimezone(dt.UTC),
                )
            )
        day += dt.timedelta(days=1)
    return tuple(_subtract(spans, sorted(absences)))


def _subtract(
    spans: Sequence[tuple[dt.datetime, dt.datetime]],
    holes: Sequence[tuple[dt.datetime, dt.datetime]],
) -> Iterable[tuple[dt.datetime, dt.datetime]]:
    for start, end in spans:
        pieces = [(start, end)]
        for hole_start, hole_end in holes:
            next_pieces = []
            for piece_start, piece_end in pieces:
                if hole_end <= piece_start or hole_start >= piece_end:
                    next_pieces.append((piece_start, piece_end))
                    continue
                if hole_start > piece_start:
                    next_pieces.append((piece_start, hole_start))
                if hole_end < piece_end:
                    next_pieces.append((hole_end, piece_end))
            pieces = next_pieces
        yield from pieces


def _ceil(moment: dt.datetime) -> dt.datetime:
    step = GRANULARITY.total_seconds()
    seconds = moment.timestamp()
    return dt.datetime.fromtimestamp(math.ceil(seconds / step) * step, dt.UTC)


def _gaps(
    technician: Technician, span: tuple[dt.datetime, dt.datetime]
) -> Iterable[tuple[dt.datetime, Place, dt.datetime, Place]]:
    """(free from, where, free until, where next) within one working span."""
    start, end = span
    inside = sorted(
        (b for b in technician.busy if b.ends_at > start and b.starts_at < end),
        key=lambda b: b.starts_at,
    )
    free_from, here = start, technician.home
    for busy in inside:
        yield free_from, here, busy.starts_at, busy.place
        free_from, here = max(free_from, busy.ends_at), busy.place
    yield free_from, here, end, technician.home


def find_slots(
    technicians: Iterable[Technician],
    site: Place,
    duration: dt.timedelta,
    earliest: dt.datetime,
    latest: dt.datetime,
    travel: Travel,
    limit: int,
) -> list[Slot]:
    """The best ``limit`` slots starting between ``earliest`` and ``latest``."""
    found: list[Slot] = []
    for technician in technicians:
        for span in technician.spans:
            if span[1] <= earliest or span[0] >= latest + duration:
                continue
            for free_from, before, free_until, after in _gaps(technician, span):
                found.extend(
                    _fit(
                        technician,
                        site,
                        duration,
                        earliest,
                        latest,
                        travel,
                        free_from,
                        before,
                        free_until,
                        after,
                    )
                )
    found.sort(key=lambda s: (s.added_travel_minutes, s.starts_at, str(s.technician_id)))
    return found[:limit]


def _fit(
    technician: Technician,
    site: Place,
    duration: dt.timedelta,
    earliest: dt.datetime,
    latest: dt.datetime,
    travel: Travel,
    free_from: dt.datetime,
    before: Place,
    free_until: dt.datetime,
    after: Place,
) -> Iterable[Slot]:
    into = travel.minutes(before, site)
    out_of = travel.minutes(site, after)
    replaced = (
        0
        if before == technician.home and after == technician.home
        else travel.minutes(before, after)
    )
    added = max(0, into + out_of - replaced)
    start = _ceil(max(free_from + dt.timedelta(minutes=into), earliest))
    last_end = free_until - dt.timedelta(minutes=out_of)
    for _ in range(PER_GAP):
        if start > latest or start + duration > last_end:
            return
        yield Slot(
            technician.id,
            technician.display_name,
            start,
            start + duration,
            added,
            into,
            out_of,
            before.label,
            after.label,
        )
        start += STEP


def fits(
    technician: Technician,
    site: Place,
    starts_at: dt.datetime,
    duration: dt.timedelta,
    travel: Travel,
) -> bool:
    """Whether the technician can do the work at ``starts_at`` (re-checked when booking)."""
    ends_at = starts_at + duration
    for span in technician.spans:
        if not (span[0] <= starts_at and ends_at <= span[1]):
            continue
        for free_from, before, free_until, after in _gaps(technician, span):
            if (
                free_from + dt.timedelta(minutes=travel.minutes(before, site)) <= starts_at
                and ends_at + dt.timedelta(minutes=travel.minutes(site, after)) <= free_until
            ):
                return True
    return False
