"""A contact's calendar feed, as staff and the contact themselves see it."""

from __future__ import annotations

import datetime as dt

import strawberry


@strawberry.type(
    description="The iCalendar link of a contact's appointments (GET /calendar/<secret>.ics)."
)
class CalendarFeed:
    url: str | None = strawberry.field(
        description="The link to add to a calendar application. Null when the server's "
        "signing key changed since it was issued: issue a new one."
    )
    issued_at: dt.datetime
    fetch_count: int = strawberry.field(description="Fetches of this link since it was issued.")
    last_fetched_at: dt.datetime | None
