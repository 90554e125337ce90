"""What the property-based tests (test_properties.py, test_properties_routes.py) throw at
every position, and how many examples they draw: the Hypothesis strategies of edge input."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "2"))
BUDGET = "1000000000"
# Budgets per minute raised (the limits are tested elsewhere); RATE_LIMITED still passes.
SERVER_ENVIRONMENT = {
    "SPORTELLO_PARTNER_REQUESTS_PER_MINUTE": BUDGET,
    "SPORTELLO_PARTNER_COST_PER_MINUTE": BUDGET,
    "SPORTELLO_SESSION_COST_PER_MINUTE": BUDGET,
    "SPORTELLO_ANONYMOUS_REQUESTS_PER_MINUTE": BUDGET,
}


# Characters that break naive text handling: NUL, lone surrogates (high, low), right-to-left
# override, mark and isolate, zero-width joiner, BOM, noncharacters, DEL, NEL, line separator.
ODD = (
    "\x00",
    "\ud800",
    "\udbff",
    "\udc00",
    "\udfff",
    "\u202e",
    "\u200f",
    "\u2067",
    "\u200d",
    "\ufeff",
    "\uffff",
    "\U0010ffff",
    "\x7f",
    "\x85",
    "\u2028",
)
CHARACTERS = st.one_of(st.characters(exclude_categories=()), st.sampled_from(ODD))
# 64 KB of UTF-8 each (1, 2, 3 and 4 bytes a character), and one ending in a surrogate.
BIG = (
    "a" * 65_536,
    "é" * 32_768,
    "\u202e" * 21_845,
    "\U0001f600" * 16_384,
    "a" * 65_530 + "\ud800",
)
# The first example of a derandomized run is each strategy's simplest, its first branch:
# there, text holding every odd class at once, the calendar's ends, a forged cursor.
TEXT = st.one_of(
    st.just("a\u202e\u200f\ufeff\x00\ud800"),
    st.lists(CHARACTERS, max_size=24).map("".join),
    st.sampled_from(BIG),
)

EDGE_DAYS = (
    "0001-01-01",
    "1899-12-31",
    "1900-01-01",
    "9000-12-31",
    "9001-01-01",
    "9999-12-31",
    "2024-02-29",
    "2026-02-29",
    "0000-01-01",
    "10000-01-01",
    "+2026-01-01",
)
DAYS = st.one_of(st.sampled_from(EDGE_DAYS), st.dates().map(str), TEXT)
EDGE_MOMENTS = (
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59.999999-23:59",
    "0001-01-01T00:00:00+23:59",
    "9000-12-31T23:59:59-14:00",
    "1900-01-01T00:00:00+14:00",
    "2026-11-23T08:00:00",
    "2026-11-23T24:00:00Z",
    "2026-11-23T08:00:00+24:00",
)
OFFSETS = st.integers(-1439, 1439).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
MOMENTS = st.one_of(
    st.sampled_from(EDGE_MOMENTS),
    st.builds(
        lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
        st.datetimes(),
        st.one_of(st.none(), OFFSETS),
    ),
    TEXT,
)
INTS = st.one_of(
    st.sampled_from([2**31, -(2**31) - 1, 2**53 + 1, 10**30]),
    st.integers(-(2**31), 2**31 - 1),
)
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), INTS, st.floats(allow_nan=False), TEXT),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=6,
)


def _b64(text: str) -> str:
    raw = text.encode("utf-8", "surrogatepass")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Cursors as the server makes them (base64url of a JSON array), forged.
CURSORS = st.one_of(
    st.sampled_from(
        [
            _b64('["a\\u0000b", "00000000-0000-0000-0000-000000000001"]'),
            _b64('["a\\ud800b", "00000000-0000-0000-0000-000000000001"]'),
            _b64('["0001-01-01 00:00:00+14:00", "00000000-0000-0000-0000-000000000001"]'),
            _b64('["1E+999999", "00000000-0000-0000-0000-000000000001"]'),
        ]
    ),
    st.lists(JSON_VALUES, max_size=3).map(lambda v: _b64(json.dumps(v))),
    st.integers(1, 3000).map(lambda n: _b64("[" * n + "]" * n)),
    TEXT,
)
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "String": TEXT,
    "ID": TEXT,
    "Date": DAYS,
    "DateTime": MOMENTS,
    "Int": INTS,
    "Float": st.one_of(st.floats(allow_nan=False, allow_infinity=False), TEXT),
    "Boolean": st.one_of(TEXT, INTS),  # true and false are no edge: the wrong type is
    "Decimal": st.one_of(st.sampled_from(["NaN", "Infinity", "1E+999999", "-0"]), TEXT),
    "Time": st.one_of(st.sampled_from(["24:00:00", "23:59:60", "08:00:00+14:00"]), TEXT),
    "UUID": TEXT,
    "JSON": JSON_VALUES,
}


def hypothesis_settings(examples: int = EXAMPLES) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
