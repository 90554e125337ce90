"""Slots offered by the planning assistant."""

from __future__ import annotations

import datetime as dt

import strawberry

from authz.policy import OWN
from authz.rules import STAFF_ONLY
from schema.kit.permissions import readable


@strawberry.type(description="A time a technician can come, and what it costs in travel.")
class Slot:
    starts_at: dt.datetime = readable(OWN)
    ends_at: dt.datetime = readable(OWN)
    technician_name: str = readable(OWN, description="First name and last initial.")
    added_travel_minutes: int = readable(
        OWN,
        description="Travel this visit adds to the technician's day; slots are ranked by it, "
        "then by start.",
    )
    travel_before_minutes: int = readable(OWN)
    travel_after_minutes: int = readable(OWN)
    comes_from: str = readable(STAFF_ONLY, description="Where the technician is before (staff).")
    goes_to: str = readable(STAFF_ONLY, description="Where the technician goes after (staff).")
