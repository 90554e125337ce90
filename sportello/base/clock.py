"""The one clock: every "now" Sportello stores or compares is timezone-aware UTC."""

from __future__ import annotations

import datetime as dt


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
