"""The account page's calendar link: shown when the office issued one, copied with a button,
and the copied link serves the contact's feed; without a link the page says whom to ask."""

from __future__ import annotations

from urllib.parse import urlsplit

from schema.kit import ids
from tests.web.conftest import (
    Portal,
    WebServer,
    check_accessibility,
    screenshot,
    settle,
    text,
)
from tests.web.test_account import spare_contact

ISSUE = "mutation($id: ID!) { issueCalendarFeed(portalAccessId: $id) { url } }"


async def test_the_account_page_shows_and_copies_the_calendar_link(
    portal: Portal, web_server: WebServer
) -> None:
    live = web_server.live
    email = await spare_contact(web_server)
    page = await portal.login(identifier=email, lang="en", then="/portal/account")
    await page.get_by_role("heading", name=text("en", "account.calendarTitle")).wait_for()
    await page.get_by_text(text("en", "account.calendarNone")).wait_for()
    assert await page.get_by_role("button", name=text("en", "account.calendarCopy")).count() == 0

    contact = await live.scalar("SELECT id FROM contact WHERE lower(email) = lower(:e)", e=email)
    issued = await live.data(
        ISSUE, await live.token("staff admin"), id=ids.encode("PortalAccess", contact)
    )
    url = issued["issueCalendarFeed"]["url"]
    await page.reload()
    link = page.get_by_label(text("en", "account.calendarLink"), exact=True)
    await link.wait_for()
    assert await link.input_value() == url

    await page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=web_server.base_url
    )
    await page.get_by_role("button", name=text("en", "account.calendarCopy")).click()
    await page.get_by_text(text("en", "account.calendarCopied")).wait_for()
    assert await page.evaluate("navigator.clipboard.readText()") == url
    await settle(page)
    await check_accessibility(page)
    await screenshot(page, "account-calendar")

    # What was copied is the contact's feed.
    feed = await live.request("GET", urlsplit(url).path)
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert feed.text.startswith("BEGIN:VCALENDAR")
