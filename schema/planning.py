"""Slots offered by the planning assistant."""

from __future__ import annotations

import datetime as dt

import strawberry


@strawberry.type(description="A time a technician can come, and what it costs in travel.")
class Slot:
    starts_at: dt.datetime
    ends_at: dt.datetime
    technician_name: str = strawberry.field(description="First name and last initial.")
    added_travel_minutes: int = strawberry.field(
        description="Travel this visit adds to the technician's day; slots are ranked by it, "
        "then by start."
    )
    travel_before_minutes: int
    travel_after_minutes: int
    comes_from: str = strawberry.field(description="Where the technician is before (staff).")
    goes_to: str = strawberry.field(description="Where the technician goes after (staff).")
