"""A contact's calendar feed, as staff and the contact themselves see it."""

from __future__ import annotations

import datetime as dt

import strawberry

from authz.policy import OWN
from schema.kit.permissions import readable


@strawberry.type(
    description="The iCalendar link of a contact's appointments (GET /calendar/<secret>.ics)."
)
class CalendarFeed:
    url: str | None = readable(
        OWN,
        description="The link to add to a calendar application. Null when the server's "
        "signing key changed since it was issued: issue a new one.",
    )
    issued_at: dt.datetime = readable(OWN)
    fetch_count: int = readable(OWN, description="Fetches of this link since it was issued.")
    last_fetched_at: dt.datetime | None = readable(OWN)
