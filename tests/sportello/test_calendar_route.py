"""A contact's calendar feed (GET /calendar/<secret>.ics, resolvers/calendar.py): issued by
the office, read back by the contact, parsed back with the icalendar library, its scope taken
from the contact's grants at each fetch, and the same 404 for every feed that cannot be served."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx
import icalendar

from schema.kit import ids
from tests.api import Demo
from tests.api.grants import VISIBLE

CONTACT = "contact of several clients"
ISSUE = """mutation($id: ID!) {
  issueCalendarFeed(portalAccessId: $id) { url issuedAt fetchCount lastFetchedAt } }"""
REVOKE = "mutation($id: ID!) { revokeCalendarFeed(portalAccessId: $id) }"
FEED = "query($id: ID!) { calendarFeed(portalAccessId: $id) { url fetchCount } }"
MINE = "{ myCalendarFeed { url } }"
# The contact's appointments of the feed's window in SQL: at its sites, of activity types
# shown on the portal, overlapping the last 92 days and the next 366.
WINDOW = f"""SELECT coalesce(array_agg(r.id), '{{}}') FROM intervention r
  JOIN activity_type a ON a.id = r.activity_type_id
  WHERE a.portal_visible AND {VISIBLE}
  AND r.ends_at > now() - interval '92 days' AND r.starts_at < now() + interval '366 days'"""  # noqa: S608 (constant)


async def contact_id(demo: Demo, role: str = CONTACT, org: str = "brillanti") -> str:
    """The portal access id of a demo contact."""
    email = demo.login_of(role, org)
    found = await demo.scalar("SELECT id FROM contact WHERE email = :e", e=email)
    return ids.encode("PortalAccess", found)


async def issue(demo: Demo, access: str) -> str:
    """A new feed's URL, issued by the office."""
    issued = await demo.data(ISSUE, await demo.staff("OFFICE"), id=access)
    url: str = issued["issueCalendarFeed"]["url"]
    return url


async def fetch(demo: Demo, url: str, **headers: str) -> httpx.Response:
    return await demo.client.get(urlsplit(url).path, headers=headers)


def events(response: httpx.Response) -> dict[uuid.UUID, Any]:
    """The feed's events by appointment id, parsed back with the library."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    feed = icalendar.Calendar.from_ical(response.content)
    assert str(feed["version"]) == "2.0"
    return {uuid.UUID(str(event["uid"]).partition("@")[0]): event for event in feed.walk("VEVENT")}


async def expected(demo: Demo, role: str = CONTACT) -> set[uuid.UUID]:
    return set(await demo.scalar(WINDOW, email=demo.login_of(role)))


def same_404(response: httpx.Response) -> dict[str, Any]:
    """The body of a refused feed without its request id, to compare refusals."""
    assert response.status_code == 404, response.text
    body: dict[str, Any] = response.json()
    del body["errors"][0]["extensions"]["requestId"]
    return body


async def test_the_feed_holds_the_contacts_appointments_with_portal_texts(demo: Demo) -> None:
    url = await issue(demo, await contact_id(demo))
    found = events(await fetch(demo, url))
    assert found
    assert set(found) == await expected(demo)
    for appointment_id, event in found.items():
        site = await demo.scalar(
            "SELECT s.address || '|' || s.lat || '|' || s.lng FROM intervention r "
            "JOIN site s ON s.id = r.site_id WHERE r.id = :i",
            i=appointment_id,
        )
        address, lat, lng = site.split("|")
        assert address in str(event["location"])
        assert (event["geo"].latitude, event["geo"].longitude) == (float(lat), float(lng))
        # Substitution codes are filled, never shown as written.
        assert "{" not in str(event["summary"])
        assert str(event["summary"])
        assert "{" not in str(event.get("description", ""))
        assert event["dtstart"].dt < event["dtend"].dt


async def test_the_contact_reads_the_link_the_office_issued(demo: Demo) -> None:
    contact = await demo.as_(CONTACT)
    assert (await demo.data(MINE, contact))["myCalendarFeed"] is None
    url = await issue(demo, await contact_id(demo))
    assert (await demo.data(MINE, contact))["myCalendarFeed"]["url"] == url
    # Contacts write nothing: the mutations are not in their schema.
    body = (await demo.gql(ISSUE, token=contact, variables={"id": "x"})).json()
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_a_grant_removed_after_issue_removes_its_sites_at_the_next_fetch(
    demo: Demo,
) -> None:
    url = await issue(demo, await contact_id(demo))
    before = events(await fetch(demo, url))
    email = demo.login_of(CONTACT)
    removed = await demo.scalar(
        "SELECT r.client_id FROM intervention r WHERE r.id = ANY(:ids) LIMIT 1",
        ids=list(before),
    )
    await demo.execute(
        "DELETE FROM portal_grant g USING contact k WHERE k.id = g.contact_id "
        "AND k.email = :e AND (g.client_id = :c OR g.site_id IN "
        "(SELECT id FROM site WHERE client_id = :c))",
        e=email,
        c=removed,
    )
    after = events(await fetch(demo, url))
    assert set(after) == await expected(demo)
    assert set(after) < set(before)
    clients = await demo.scalar(
        "SELECT array_agg(DISTINCT client_id) FROM intervention WHERE id = ANY(:ids)",
        ids=list(after) or [uuid.uuid4()],
    )
    assert removed not in (clients or [])


async def test_a_cancelled_appointment_stays_cancelled_with_a_newer_sequence(demo: Demo) -> None:
    url = await issue(demo, await contact_id(demo))
    before = events(await fetch(demo, url))
    appointment_id = next(
        key for key, event in before.items() if str(event["status"]) != "CANCELLED"
    )
    sequence = int(before[appointment_id]["sequence"])
    await demo.execute(
        "UPDATE intervention SET status = 'CANCELLED' WHERE id = :i", i=appointment_id
    )
    after = events(await fetch(demo, url))[appointment_id]
    assert str(after["status"]) == "CANCELLED"
    assert int(after["sequence"]) > sequence
    assert after["uid"] == before[appointment_id]["uid"]


async def test_revoked_reissued_unknown_and_closed_feeds_answer_the_same_404(
    demo: Demo,
) -> None:
    access = await contact_id(demo)
    office = await demo.staff("OFFICE")
    first = await issue(demo, access)
    unknown = same_404(await fetch(demo, first[:-12] + "abcdefgh.ics"))
    assert same_404(await demo.client.get("/calendar/nothing.ics")) == unknown
    second = await issue(demo, access)
    assert second != first
    assert same_404(await fetch(demo, first)) == unknown
    assert (await fetch(demo, second)).status_code == 200
    contact = ids.decode("PortalAccess", access)
    for closed, reopened in (
        ("UPDATE contact SET portal_access = false", "UPDATE contact SET portal_access = true"),
        ("UPDATE contact SET state = 'DISABLED'", "UPDATE contact SET state = 'ACTIVE'"),
    ):
        await demo.execute(closed + " WHERE id = :i", i=contact)
        assert same_404(await fetch(demo, second)) == unknown
        await demo.execute(reopened + " WHERE id = :i", i=contact)
    assert (await demo.data(REVOKE, office, id=access))["revokeCalendarFeed"] is True
    assert same_404(await fetch(demo, second)) == unknown
    assert (await demo.data(FEED, office, id=access))["calendarFeed"] is None
    twice = (await demo.gql(REVOKE, token=office, variables={"id": access})).json()
    assert twice["errors"][0]["extensions"]["code"] == "CONFLICT"


async def test_fetches_are_counted_cached_and_each_change_audited(demo: Demo) -> None:
    access = await contact_id(demo)
    url = await issue(demo, access)
    first = await fetch(demo, url)
    assert first.headers["cache-control"].startswith("private")
    again = await fetch(demo, url, **{"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    office = await demo.staff("OFFICE")
    assert (await demo.data(FEED, office, id=access))["calendarFeed"]["fetchCount"] == 2
    await issue(demo, access)
    await demo.data(REVOKE, office, id=access)
    found = await demo.scalar(
        "SELECT json_agg(json_build_object('action', action, 'details', details) "
        "ORDER BY created_at) FROM audit_event WHERE subject_id = :s "
        "AND action LIKE 'calendar_feed_%'",
        s=ids.decode("PortalAccess", access),
    )
    audited = json.loads(found) if isinstance(found, str) else found
    assert [event["action"] for event in audited] == [
        "calendar_feed_issued",
        "calendar_feed_issued",
        "calendar_feed_revoked",
    ]
    assert audited[0]["details"]["changed"] == ["calendarFeedIssuedAt"]
    assert audited[1]["details"]["before"]["calendarFeedIssuedAt"]


async def test_another_organizations_contact_answers_like_a_missing_one(demo: Demo) -> None:
    office = await demo.staff("OFFICE")
    foreign = await contact_id(demo, CONTACT, "ignis")
    missing = ids.encode("PortalAccess", uuid.uuid4())
    for query in (ISSUE, REVOKE, FEED):
        answers = [
            (await demo.gql(query, token=office, variables={"id": given})).json()["errors"][0]
            for given in (foreign, missing)
        ]
        assert answers[0]["extensions"]["code"] == "NOT_FOUND"
        assert answers[0]["message"] == answers[1]["message"]
    assert await demo.scalar("SELECT count(*) FROM calendar_feed") == 0
