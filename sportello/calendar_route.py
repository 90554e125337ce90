"""``GET /calendar/<secret>.ics``: a contact's appointments as an iCalendar feed (RFC 5545).

The secret (authz/identity/calendar_links.py) is the only credential: calendar applications poll
without cookies. Each fetch looks the feed up by the secret's hash and builds the contact's
row scope from their grants and flags as they are now, so a grant removed after the link was
handed out removes its site's visits from the next fetch. An unknown, revoked or re-issued
secret, a disabled or deleted contact, a contact whose portal access is off and an
organization whose portal is off all get the same 404.

The feed holds what the contact sees of the appointments overlapping the last
:data:`PAST` and the next :data:`AHEAD`: the activity type's portal title and description
with their substitution codes filled (mailer/substitution.py, as the portal and the mails do),
the site's address and position. Each appointment is one event whose UID is its id; a
rescheduled appointment is cancelled and its replacement is a new appointment, so moving one
shows as the old event turning ``STATUS:CANCELLED`` and a new event. ``SEQUENCE`` follows
the event's status (tentative 0, confirmed 1, cancelled 2), which only ever moves forward, so
a calendar application takes each change as a newer revision.

Fetches are counted on the feed (``fetchCount``, ``lastFetchedAt``), not audited one by one:
a calendar polls every hour, and an audit event per poll would drown the contact's history.
The answer may be cached privately for :data:`MAX_AGE_SECONDS` and carries an ETag.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from urllib.parse import urlsplit

import icalendar
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from authz import secrets
from authz.identity import calendar_links
from authz.identity.authenticate import contact_scope
from authz.principals import ContactPrincipal
from db import models as m
from db.queries import calendar
from mailer.substitution import substitute
from sportello.base.clock import now_utc
from sportello.errors import problem
from sportello.state import AppState

PAST = dt.timedelta(days=92)
AHEAD = dt.timedelta(days=366)
MAX_AGE_SECONDS = 300
PRODID = "-//Sportello//Calendar feed//EN"

# Appointment status -> (iCalendar STATUS, SEQUENCE).
STATUSES = {
    m.InterventionStatus.REQUESTED: ("TENTATIVE", 0),
    m.InterventionStatus.PLANNED: ("CONFIRMED", 1),
    m.InterventionStatus.IN_PROGRESS: ("CONFIRMED", 1),
    m.InterventionStatus.DONE: ("CONFIRMED", 1),
    m.InterventionStatus.CANCELLED: ("CANCELLED", 2),
}


def not_found() -> JSONResponse:
    """The one answer for every feed that cannot be served, whatever the reason."""
    return problem(404, "NOT_FOUND", "No such calendar.", headers={"Cache-Control": "no-store"})


def _address(row: Any) -> str:
    town = f"{row.postal_code} {row.city}" + (f" ({row.province})" if row.province else "")
    return f"{row.site_address}, {town}, {row.country}"


def _event(row: Any, domain: str) -> icalendar.Event:
    status, sequence = STATUSES[m.InterventionStatus(row.status)]

    def filled(template: str) -> str:
        return substitute(
            template,
            site_name=row.site_name,
            site_address=row.site_address,
            day=row.starts_on,
            technician_first_name=row.technician_first_name,
        )

    event = icalendar.Event()
    event.add("uid", f"{row.id}@{domain}")
    # No METHOD: DTSTAMP is when the event was created; SEQUENCE says how it changed since.
    event.add("dtstamp", row.created_at)
    event.add("dtstart", row.starts_at)
    event.add("dtend", row.ends_at)
    event.add("summary", filled(row.portal_title) or row.activity_name)
    description = filled(row.portal_description)
    if description:
        event.add("description", description)
    event.add("location", f"{row.site_name}, {_address(row)}")
    event.add("geo", (float(row.lat), float(row.lng)))
    event.add("status", status)
    event.add("sequence", sequence)
    return event


def render(name: str, rows: list[Any], domain: str) -> bytes:
    """The feed's body: a VCALENDAR with one VEVENT per appointment, times in UTC."""
    feed = icalendar.Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", name)
    feed.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for row in rows:
        feed.add_component(_event(row, domain))
    body: bytes = feed.to_ical()
    return body


async def calendar_feed(request: Request) -> Response:
    state: AppState = request.app.state.sportello
    token = request.path_params["secret"]
    if not calendar_links.looks_like(token):
        return not_found()
    now = now_utc()
    async with state.engine.connect() as db:
        transaction = await db.begin()
        feed = await calendar.open_feed(db, secrets.digest(token), now)
        if feed is None:
            return not_found()
        contact = ContactPrincipal(feed.organization_id, feed.contact_id, feed.flags)
        scope = await contact_scope(db, contact)
        rows = await calendar.events(db, scope, now - PAST, now + AHEAD)
        await transaction.commit()
    # The configured address, not the request's Host: UIDs must not change with how a
    # calendar application reaches the server.
    domain = urlsplit(state.settings.public_url).hostname or "sportello"
    body = render(feed.organization_name, rows, domain)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "Cache-Control": f"private, max-age={MAX_AGE_SECONDS}",
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = 'inline; filename="calendar.ics"'
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)
