"""Booking an appointment as a contact (seed 001): the ranked slots, a booking, a slot taken
meanwhile by another contact (the API's alternatives offered instead), a retry after a lost
answer that books once, and moving a visit from the interventions list."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page, Route

from schema.kit import ids
from tests.security.conftest import demo_identifier
from tests.web.conftest import LANGUAGES, Portal, WebServer, check_accessibility, screenshot, text
from tests.web.pages_support import go, invitation_link, open_as, redrawn

BOOKER = "contact limited to one site"
ROME = ZoneInfo("Europe/Rome")  # the demo organization's zone
ACCEPT = """mutation($token: String!, $pw: String!) {
  acceptInvitation(token: $token, password: $pw) { token }
}"""
BOOK = """mutation($input: BookAppointmentInput!) {
  bookAppointment(input: $input) { id startsAt }
}"""
RIVAL_PASSWORD = "Rival-booker-of-slots-2026"

# The booking mutation's hash, as the page sends it (web/documents.json, the web client's
# registered documents).
BOOKING_HASH = next(
    digest
    for digest, source in json.loads(
        (Path(__file__).resolve().parents[2] / "web" / "documents.json").read_text()
    ).items()
    if "bookAppointment(" in source
)


async def show_slots(page: Page, lang: str) -> tuple[str, str]:
    """Chooses the contact's site and the first bookable activity with free slots in the
    coming two weeks, and shows them; returns the site and activity type ids."""
    site = page.get_by_label(text(lang, "ticketNew.site"), exact=True)
    assert await site.input_value()  # the contact's one site is chosen already
    activity = page.get_by_label(text(lang, "book.activity"), exact=True)
    find = page.get_by_role("button", name=text(lang, "book.find"))
    for index in range(1, await activity.locator("option").count()):
        await activity.select_option(index=index)
        await redrawn(page, find.click)
        if await page.locator(".pg-slot").count():
            return await site.input_value(), await activity.input_value()
    raise AssertionError("no bookable activity has a free slot in the coming two weeks")


async def first_slot(page: Page) -> str:
    starts_at = await page.locator(".pg-slot").first.get_attribute("data-starts-at")
    assert starts_at
    return starts_at


async def appointments_at(web_server: WebServer, starts_at: str) -> list[tuple[object, ...]]:
    """The booker's appointments starting at ``starts_at``: (id, status, origin, key)."""
    rows = await web_server.live.rows(
        "SELECT i.id, i.status, i.origin, i.idempotency_key FROM intervention i"
        " JOIN contact c ON c.id = i.booked_by_contact_id"
        " WHERE c.email = :email AND i.starts_at = :at",
        email=demo_identifier(BOOKER),
        at=dt.datetime.fromisoformat(starts_at),
    )
    return [tuple(row) for row in rows]


async def rival_token(web_server: WebServer, site_id: str) -> str:
    """Another contact who may book at the same site: created by the office, invited, and
    logged in through the invitation link it was mailed."""
    link = await invitation_link(
        web_server,
        f"rival-{uuid.uuid4().hex[:8]}@example.com",
        "Rita",
        "Rivale",
        siteIds=[site_id],
        flags={"portalAccess": True, "canBookAppointments": True},
    )
    accept = {"token": link.split("#token=")[1], "pw": RIVAL_PASSWORD}
    answer = await web_server.live.gql(ACCEPT, accept)
    token: str = answer.json()["data"]["acceptInvitation"]["token"]
    return token


async def test_a_slot_is_booked(portal: Portal, web_server: WebServer) -> None:
    page = await open_as(portal, BOOKER, lang="en", path="/portal/book")
    await show_slots(page, "en")
    starts_at = await first_slot(page)
    await page.locator(".pg-slot-book").first.click()
    await page.get_by_role("heading", name=text("en", "book.booked")).wait_for()
    [(_, status, origin, key)] = await appointments_at(web_server, starts_at)
    assert (status, origin) == ("PLANNED", "PORTAL")
    assert key  # one key per attempt
    await check_accessibility(page)
    await screenshot(page, "book-booked")


async def test_a_slot_taken_meanwhile_offers_the_alternatives(
    portal: Portal, web_server: WebServer
) -> None:
    page = await open_as(portal, BOOKER, lang="it", path="/portal/book")
    site_id, activity_id = await show_slots(page, "it")
    starts_at = await first_slot(page)
    # Meanwhile another contact books that time at the same site until no technician is left.
    token = await rival_token(web_server, site_id)
    taken = 0
    for _ in range(20):
        answer = await web_server.live.gql(
            BOOK,
            {"input": {"siteId": site_id, "activityTypeId": activity_id, "startsAt": starts_at}},
            token=token,
        )
        body = answer.json()
        if body.get("errors"):
            assert body["errors"][0]["extensions"]["code"] == "CONFLICT", body
            break
        taken += 1
    assert taken >= 1
    # The page still offers the slot; booking it now is refused with fresh alternatives.
    await page.locator(".pg-slot-book").first.click()
    taken_text = text("it", "book.taken").split("{when}")[1].strip()
    conflict = page.get_by_role("alert").filter(has_text=taken_text)
    await conflict.wait_for()
    alternatives = await page.locator(".pg-slot").evaluate_all(
        "slots => slots.map(slot => slot.dataset.startsAt)"
    )
    assert alternatives
    assert starts_at not in alternatives
    assert await appointments_at(web_server, starts_at) == []
    await check_accessibility(page)
    await screenshot(page, "book-conflict")
    # One of them books.
    await page.locator(".pg-slot-book").first.click()
    await page.get_by_role("heading", name=text("it", "book.booked")).wait_for()
    assert len(await appointments_at(web_server, alternatives[0])) == 1


async def test_a_lost_answer_is_retried_with_the_same_key(
    portal: Portal, web_server: WebServer
) -> None:
    page = await open_as(portal, BOOKER, lang="es", path="/portal/book")
    await show_slots(page, "es")
    starts_at = await page.locator(".pg-slot").last.get_attribute("data-starts-at")
    assert starts_at
    # The answer this test drops on purpose shows as a failed request and its console line.
    portal.watched(page).expect(r"request failed: POST .*/graphql")
    portal.watched(page).expect(r"console: Failed to load resource: net::ERR_FAILED .*/graphql")
    lost: list[str] = []

    async def lose_the_answer(route: Route) -> None:
        # The server books; the answer never reaches the page (a dropped connection). The
        # page sends its documents by hash (sportello/persisted.py).
        if BOOKING_HASH in (route.request.post_data or "") and not lost:
            lost.append(route.request.post_data or "")
            await route.fetch()
            await route.abort()
        else:
            await route.continue_()

    await page.route("**/graphql", lose_the_answer)
    await page.locator(".pg-slot-book").last.click()
    retry = page.get_by_role("button", name=text("es", "book.retry"))
    await retry.wait_for()
    [(first_id, _, _, key)] = await appointments_at(web_server, starts_at)
    await retry.click()
    await page.get_by_role("heading", name=text("es", "book.booked")).wait_for()
    # The retry sent the same key: still one appointment, the same one.
    assert await appointments_at(web_server, starts_at) == [(first_id, "PLANNED", "PORTAL", key)]
    await page.unroute("**/graphql")


async def test_a_booked_visit_is_moved_from_the_interventions_list(
    portal: Portal, web_server: WebServer
) -> None:
    page = await open_as(portal, BOOKER, lang="en", path="/portal/book")
    await show_slots(page, "en")
    starts_at = await first_slot(page)
    await page.locator(".pg-slot-book").first.click()
    await page.get_by_role("heading", name=text("en", "book.booked")).wait_for()
    [(old_id, *_)] = await appointments_at(web_server, starts_at)
    assert isinstance(old_id, uuid.UUID)
    # The month of the visit in the organization's zone, as the calendar counts it.
    month = dt.datetime.fromisoformat(starts_at).astimezone(ROME).strftime("%Y-%m")
    await go(page, f"/portal/interventions?month={month}")
    card = page.locator(f".pg-cards > li[data-id='{ids.encode('Appointment', old_id)}']")
    await card.get_by_role("link", name=text("en", "interventions.reschedule")).click()
    await page.get_by_role("heading", level=1, name=text("en", "book.rescheduleTitle")).wait_for()
    await page.locator(".pg-slot").first.wait_for()
    await check_accessibility(page)
    await screenshot(page, "book-reschedule")
    await page.locator(".pg-slot-book").first.click()
    await page.get_by_role("heading", name=text("en", "book.moved")).wait_for()
    moved = await web_server.live.rows(
        "SELECT status FROM intervention WHERE id = :old UNION ALL"
        " SELECT status FROM intervention WHERE reschedules_id = :old",
        old=old_id,
    )
    assert [row[0] for row in moved] == ["CANCELLED", "PLANNED"]


async def test_a_visit_that_cannot_be_moved_says_why(portal: Portal, web_server: WebServer) -> None:
    done = await web_server.live.scalar(
        "SELECT i.id FROM intervention i JOIN contact c ON c.email = :email"
        " JOIN portal_grant g ON g.contact_id = c.id AND g.site_id = i.site_id"
        " JOIN activity_type a ON a.id = i.activity_type_id AND a.portal_visible"
        " WHERE i.status = 'DONE' LIMIT 1",
        email=demo_identifier(BOOKER),
    )
    assert done is not None
    path = f"/portal/book?reschedule={ids.encode('Appointment', done)}"
    page = await open_as(portal, BOOKER, lang="en", path=path)
    reason = page.locator(".pg-refusal")
    assert await reason.inner_text() in (
        text("en", "book.refused.type"),
        text("en", "book.refused.status"),
    )
    assert await page.locator(".pg-slot").count() == 0
    await check_accessibility(page)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_booking_in_each_language(portal: Portal, lang: str) -> None:
    page = await open_as(portal, BOOKER, lang=lang, path="/portal/book")
    await page.get_by_role("heading", level=1, name=text(lang, "book.title")).wait_for()
    await show_slots(page, lang)
    assert await page.get_by_role("heading", name=text(lang, "book.slots")).is_visible()
    await check_accessibility(page)
    await screenshot(page, f"book-{lang}")
