"""Calendar feeds: the office issues, re-issues and revokes a contact's feed; the contact reads
their own link on the account page.

Contacts write nothing here (the design card keeps their mutations to tickets and bookings):
the link is issued by ADMIN or OFFICE staff and the portal only reads it. Re-issuing replaces
the link (the old one answers 404 at once); both changes are audited on the contact.
What the feed holds and who may fetch it: sportello/calendar_route.py.
"""

from __future__ import annotations

import uuid

import strawberry
from strawberry import Info

from authz import secrets
from authz.identity import calendar_links
from authz.policy import BACK_OFFICE_ONLY, CONTACTS_ONLY
from authz.principals import ContactPrincipal
from db.queries import accounts, audit, calendar
from resolvers.kit import audited
from resolvers.kit.callers import staff_of
from schema.calendar import CalendarFeed
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import Conflict, NotFound
from schema.kit.permissions import permitted
from sportello.base.clock import now_utc

ContextInfo = Info[Context, None]


def _feed(context: Context, row: calendar.FeedRow) -> CalendarFeed:
    token = calendar_links.secret(context.settings, row.seed)
    # A key changed since the feed was issued derives another secret: no link to show.
    current = secrets.digest(token) == row.token_hash
    return CalendarFeed(
        url=calendar_links.url(context.settings, token) if current else None,
        issued_at=row.issued_at,
        fetch_count=row.fetch_count,
        last_fetched_at=row.last_fetched_at,
    )


async def _contact(info: ContextInfo, portal_access_id: strawberry.ID) -> uuid.UUID:
    """The contact of the id within the staff member's organization; NotFound otherwise."""
    staff = staff_of(info)
    contact_id = ids.decode("PortalAccess", portal_access_id)
    if (
        contact_id is None
        or await accounts.contact_flags(info.context.db, staff.organization_id, contact_id) is None
    ):
        raise NotFound("portal access")
    return contact_id


@strawberry.type
class CalendarQuery:
    @strawberry.field(
        description="A contact's calendar feed; null when none is live.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def calendar_feed(
        self, info: ContextInfo, portal_access_id: strawberry.ID
    ) -> CalendarFeed | None:
        contact_id = await _contact(info, portal_access_id)
        org = info.context.rows.scope.organization_id
        row = await calendar.live_feed(info.context.db, org, contact_id)
        return None if row is None else _feed(info.context, row)

    @strawberry.field(
        description="Your calendar link (issued by the office); null when there is none.",
        extensions=permitted(CONTACTS_ONLY),
    )
    async def my_calendar_feed(self, info: ContextInfo) -> CalendarFeed | None:
        contact = info.context.principal
        if not isinstance(contact, ContactPrincipal):
            return None
        row = await calendar.live_feed(info.context.db, contact.organization_id, contact.contact_id)
        return None if row is None else _feed(info.context, row)


@strawberry.type
class CalendarMutation:
    @strawberry.mutation(
        description="Issue a contact's calendar feed, or a new link replacing the old one.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def issue_calendar_feed(
        self, info: ContextInfo, portal_access_id: strawberry.ID
    ) -> CalendarFeed:
        staff = staff_of(info)
        contact_id = await _contact(info, portal_access_id)
        db, org, now = info.context.db, staff.organization_id, now_utc()
        before = await calendar.live_feed(db, org, contact_id)
        seed = calendar_links.new_seed()
        token = calendar_links.secret(info.context.settings, seed)
        await calendar.issue(
            db,
            org,
            contact_id,
            seed=seed,
            token_hash=secrets.digest(token),
            issued_by_id=staff.user_id,
            now=now,
        )
        details = audit.change_details(
            {"calendarFeedIssuedAt": before.issued_at} if before else {},
            {"calendarFeedIssuedAt": now},
        )
        await audited.record(info.context, "calendar_feed_issued", "Contact", contact_id, details)
        row = await calendar.live_feed(db, org, contact_id)
        assert row is not None
        return _feed(info.context, row)

    @strawberry.mutation(
        description="Revoke a contact's calendar feed; its link stops at once.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def revoke_calendar_feed(
        self, info: ContextInfo, portal_access_id: strawberry.ID
    ) -> bool:
        staff = staff_of(info)
        contact_id = await _contact(info, portal_access_id)
        db, org, now = info.context.db, staff.organization_id, now_utc()
        if not await calendar.revoke(db, org, contact_id, now):
            raise Conflict("This portal access has no calendar feed to revoke.")
        details = audit.change_details(
            {"calendarFeedRevokedAt": None}, {"calendarFeedRevokedAt": now}
        )
        await audited.record(info.context, "calendar_feed_revoked", "Contact", contact_id, details)
        return True
