"""Staff previewing the portal as a contact (seed 001) see the contact's pages read-only: no
enabled "open ticket" submit, no booking, no reschedule link; and a write sent anyway (a
button enabled by hand) is refused by the API and changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from zoneinfo import ZoneInfo

from playwright.async_api import Page

from schema.kit import ids
from tests.security.conftest import demo_identifier
from tests.web.conftest import Portal, WebServer, check_accessibility, screenshot, text
from tests.web.pages_support import go, open_as, redrawn

CONTACT = "contact limited to one site"  # may open tickets and book appointments
ROME = ZoneInfo("Europe/Rome")  # the demo organization's zone
CHOICES = """{
  sites(first: 1) { edges { node { id } } }
  activityTypes(first: 50, portalBookable: true) { edges { node { id } } }
}"""
SLOTS = """query($site: ID!, $type: ID!, $from: DateTime!, $to: DateTime!) {
  availableSlots(site: $site, activityType: $type, from: $from, to: $to, first: 1) { startsAt }
}"""
BOOK = """mutation($input: BookAppointmentInput!) {
  bookAppointment(input: $input) { id startsAt }
}"""


async def book_a_visit(web_server: WebServer) -> dict[str, str]:
    """A visit the contact may still move: booked through the API in the coming two weeks."""
    live = web_server.live
    token = await live.token(CONTACT)
    choices = await live.data(CHOICES, token)
    site = choices["sites"]["edges"][0]["node"]["id"]
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    window = {"from": start.isoformat(), "to": (start + dt.timedelta(days=14)).isoformat()}
    for edge in choices["activityTypes"]["edges"]:
        kind = edge["node"]["id"]
        slots = (await live.data(SLOTS, token, site=site, type=kind, **window))["availableSlots"]
        if slots:
            answer = {"siteId": site, "activityTypeId": kind, "startsAt": slots[0]["startsAt"]}
            booked: dict[str, str] = (await live.data(BOOK, token, input=answer))["bookAppointment"]
            return booked
    raise AssertionError("no bookable activity has a free slot in the coming two weeks")


def month_of(visit: dict[str, str]) -> str:
    """The month the interventions calendar shows the visit in (the organization's)."""
    return dt.datetime.fromisoformat(visit["startsAt"]).astimezone(ROME).strftime("%Y-%m")


async def preview(portal: Portal, web_server: WebServer) -> Page:
    """Staff logged in, previewing the contact (as the staff page's link does)."""
    contact = await web_server.live.scalar(
        "SELECT id FROM contact WHERE email = :e", e=demo_identifier(CONTACT)
    )
    assert isinstance(contact, uuid.UUID)
    page = await portal.login("staff admin", lang="en")
    await page.wait_for_load_state("networkidle")
    await page.goto(f"/portal?as={ids.encode('PortalAccess', contact)}")
    await page.locator(".preview-banner").wait_for()
    await page.get_by_role("heading", name=text("en", "dashboard.lastRevision")).wait_for()
    await page.wait_for_load_state("networkidle")
    # The refused writes this test sends on purpose.
    portal.watched(page).expect(r"HTTP 400: POST .*/graphql")
    portal.watched(page).expect(r"console: Failed to load resource: .*status of 400")
    return page


async def count(web_server: WebServer, table: str) -> int:
    found: int = await web_server.live.scalar(f"SELECT count(*) FROM {table}")  # noqa: S608
    return found


async def refused(page: Page, button_selector: str) -> None:
    """Enables a disabled button by hand, presses it, and checks the API refused the write."""
    button = page.locator(button_selector).first
    assert await button.is_disabled()
    await button.evaluate("button => { button.disabled = false }")
    async with page.expect_response("**/graphql") as answered:
        await button.click()
    answer = await answered.value
    body = json.loads(await answer.text())
    assert answer.status == 400, body
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
    await page.locator("[role=alert]").first.wait_for()


async def test_the_contact_itself_may_act(portal: Portal, web_server: WebServer) -> None:
    """What the preview withholds is there for the contact (so its absence means something)."""
    visit = await book_a_visit(web_server)
    page = await open_as(portal, CONTACT, lang="en", path="/portal/tickets")
    offered = page.locator("main").get_by_role("link", name=text("en", "tickets.open"))
    assert await offered.count() == 1
    await go(page, "/portal/tickets/new")
    assert await page.locator("form.pg-form button[type=submit]").is_enabled()
    await go(page, f"/portal/interventions?month={month_of(visit)}")
    card = page.locator(f".pg-cards > li[data-id='{visit['id']}']")
    assert await card.get_by_role("link", name=text("en", "interventions.reschedule")).count() == 1


async def test_a_preview_offers_no_write_and_none_is_stored(
    portal: Portal, web_server: WebServer
) -> None:
    visit = await book_a_visit(web_server)
    page = await preview(portal, web_server)

    # Tickets: the list offers no "open ticket"; the form's submit is disabled.
    await go(page, "/portal/tickets")
    offered = page.locator("main").get_by_role("link", name=text("en", "tickets.open"))
    assert await offered.count() == 0
    await go(page, "/portal/tickets/new")
    assert await page.locator(".preview-banner").is_visible()
    await page.get_by_label(text("en", "ticketNew.department") + " *").select_option(index=1)
    await page.get_by_label(text("en", "ticketNew.reference") + " *").fill("Staff preview")
    await page.get_by_label(text("en", "ticketNew.notes") + " *").fill("Sent from a preview.")
    await check_accessibility(page)
    await screenshot(page, "preview-ticket-new")
    tickets = await count(web_server, "ticket")
    await refused(page, "form.pg-form button[type=submit]")
    assert await count(web_server, "ticket") == tickets

    # Booking: the slots are shown, none can be booked.
    await go(page, "/portal/book")
    activity = page.get_by_label(text("en", "book.activity"), exact=True)
    find = page.get_by_role("button", name=text("en", "book.find"))
    for index in range(1, await activity.locator("option").count()):
        await activity.select_option(index=index)
        await redrawn(page, find.click)
        if await page.locator(".pg-slot").count():
            break
    assert await page.locator(".pg-slot").count() > 0
    books = page.locator(".pg-slot-book")
    assert all([await books.nth(i).is_disabled() for i in range(await books.count())])
    await check_accessibility(page)
    await screenshot(page, "preview-book")
    interventions = await count(web_server, "intervention")
    await refused(page, ".pg-slot-book")
    assert await count(web_server, "intervention") == interventions

    # Interventions: the contact's movable visit is listed, with no reschedule link.
    await go(page, f"/portal/interventions?month={month_of(visit)}")
    await page.locator(f".pg-cards > li[data-id='{visit['id']}']").wait_for()
    assert await page.locator("a[href*='reschedule=']").count() == 0
    # Even typed by hand, the reschedule page moves nothing.
    await go(page, f"/portal/book?reschedule={visit['id']}")
    if await page.locator(".pg-slot-book").count():
        await refused(page, ".pg-slot-book")
    assert await count(web_server, "intervention") == interventions
