"""The state every seed step shares: the seeded generator, the time anchor and the rows so far."""

from __future__ import annotations

import datetime as dt
import math
import random
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from authz.passwords import SALT_LEN, hash_password_with_salt

# Every run starts the generator here, so that the same scale and anchor give the same bytes.
RANDOM_SEED = 20_240_917
# Accounts other than the demo logins share this many salts (argon2id costs ~56 ms a hash).
POOLED_SALTS = 3

Row = dict[str, Any]
T = TypeVar("T")

UTC = dt.UTC


@dataclass
class SeedContext:
    """Rows per table in insertion order, plus the helpers that keep them deterministic."""

    scale: int
    today: dt.date
    keep_files: bool
    rng: random.Random = field(default_factory=lambda: random.Random(RANDOM_SEED))
    rows: dict[str, list[Row]] = field(default_factory=dict)
    # (storage key, bytes) of every generated file, kept only when the caller writes them out.
    files: list[tuple[str, bytes]] = field(default_factory=list)
    _hashes: dict[tuple[str, bytes], str] = field(default_factory=dict)
    _pool: list[bytes] = field(default_factory=list)

    def new_id(self) -> uuid.UUID:
        """A version-4 UUID drawn from the seeded generator."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def add(self, table: str, row: Row) -> Row:
        """Queue ``row`` for ``table``; returns it so callers can keep a reference."""
        self.rows.setdefault(table, []).append(row)
        return row

    def password_hash(self, password: str, *, pooled: bool) -> str:
        """An argon2id hash with a salt from the generator.

        Demo logins get a salt of their own; every other account (``pooled``) takes one of a
        few shared salts, so that scale 10 does not spend minutes hashing.
        """
        if pooled:
            if not self._pool:
                self._pool = [self._salt() for _ in range(POOLED_SALTS)]
            salt = self.rng.choice(self._pool)
        else:
            salt = self._salt()
        key = (password, salt)
        if key not in self._hashes:
            self._hashes[key] = hash_password_with_salt(password, salt)
        return self._hashes[key]

    def _salt(self) -> bytes:
        return self.rng.getrandbits(8 * SALT_LEN).to_bytes(SALT_LEN, "big")

    def pick(self, items: Sequence[T]) -> T:
        """One element of a non-empty sequence."""
        return items[self.rng.randrange(len(items))]

    def chance(self, probability: float) -> bool:
        """True with the given probability."""
        return self.rng.random() < probability

    def between(self, low: int, high: int) -> int:
        """An integer from ``low`` to ``high``, both included."""
        return self.rng.randint(low, high)

    def jitter_coord(self, value: Decimal | float, spread: float) -> Decimal:
        """A coordinate moved by up to ``spread`` degrees, rounded to the column's 6 decimals."""
        moved = float(value) + self.rng.uniform(-spread, spread)
        return Decimal(f"{moved:.6f}")

    def phone(self, prefix: str, mobile: bool = False) -> str:
        """A plausible phone number with the country prefix (mobiles start with 3 or 6)."""
        first = ("3" if prefix == "+39" else "6") if mobile else ("0" if prefix == "+39" else "9")
        digits = "".join(str(self.rng.randrange(10)) for _ in range(8))
        return f"{prefix} {first}{digits[:2]} {digits[2:5]} {digits[5:]}"

    def cents(self, low_eur: int, high_eur: int) -> int:
        """An amount in cents between two euro amounts, in whole tens of euros as quotes are."""
        return self.rng.randint(low_eur // 10, high_eur // 10) * 1000

    def moment_between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        """A time between ``start`` and ``end``, to the second."""
        span = max(0, int((end - start).total_seconds()))
        return start + dt.timedelta(seconds=self.rng.randint(0, span))


def local_time(day: dt.date, minutes: int, zone: ZoneInfo) -> dt.datetime:
    """``day`` at ``minutes`` after midnight on the organization's wall clock, in UTC."""
    hour, minute = divmod(minutes, 60)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)


def hhmm(text: str) -> int:
    """Minutes after midnight of an "HH:MM" string."""
    hour, minute = text.split(":")
    return int(hour) * 60 + int(minute)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every day from ``start`` up to ``end`` excluded."""
    return [start + dt.timedelta(days=offset) for offset in range((end - start).days)]


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance between two points (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def ascii_slug(text: str, separator: str = "") -> str:
    """Lower-case ASCII letters and digits of ``text`` (accents dropped), joined by separator."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    parts = "".join(ch if ch.isalnum() else " " for ch in plain).split()
    return separator.join(parts)


def claim(used: set[str], named: Callable[[str], str]) -> str:
    """The first of ``named("")``, ``named("2")``, ``named("3")``... not in ``used``, marked used
    (an email or username that another row of the organization already has gets a number)."""
    name, number = named(""), 2
    while name in used:
        name, number = named(str(number)), number + 1
    used.add(name)
    return name
