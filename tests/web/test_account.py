"""The account page (change password, log out) and the staff preview "as contact"."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, Request

from authz.identity.authenticate import COOKIE
from db.seed import DEMO_PASSWORD
from tests.security.conftest import demo_identifier
from tests.web.conftest import (
    LANGUAGES,
    Portal,
    WebServer,
    check_accessibility,
    organization_id,
    screenshot,
    settle,
    text,
)

VIEWER = "{ viewer { firstName } }"


async def spare_contact(web_server: WebServer) -> str:
    """An active contact with the demo password that no other test uses (its password is
    about to change)."""
    live = web_server.live
    demo = [
        demo_identifier(role).lower()
        for role in (
            "contact of one client",
            "contact of several clients",
            "contact limited to one site",
        )
    ]
    email: str = await live.scalar(
        "SELECT c.email FROM contact c JOIN portal_grant g ON g.contact_id = c.id "
        "JOIN client k ON k.id = g.client_id "
        "WHERE c.organization_id = :org AND c.state = 'ACTIVE' AND c.portal_access "
        "AND c.deleted_at IS NULL AND c.password_hash IS NOT NULL AND k.portal_enabled "
        "AND NOT lower(c.email) = ANY(:taken) ORDER BY c.email LIMIT 1",
        org=await organization_id(live),
        taken=[*demo, *web_server.claimed],
    )
    return web_server.claim(email)


async def fill_passwords(page: Page, lang: str, current: str, new: str, confirm: str) -> None:
    await page.get_by_label(text(lang, "account.current"), exact=True).fill(current)
    await page.get_by_label(text(lang, "account.new"), exact=True).fill(new)
    await page.get_by_label(text(lang, "account.confirm"), exact=True).fill(confirm)
    await page.locator("form button[type=submit]").click()


async def test_change_password_shows_the_policy_at_the_field(
    portal: Portal, web_server: WebServer
) -> None:
    email = await spare_contact(web_server)
    page = await portal.login(identifier=email, lang="en", then="/portal/account")
    await page.get_by_role("heading", name=text("en", "account.changePassword")).wait_for()

    await fill_passwords(page, "en", "not my password", "Girasole-blu-4471", "Girasole-blu-4471")
    await page.get_by_text(text("en", "account.wrongCurrent")).wait_for()
    current = page.get_by_label(text("en", "account.current"), exact=True)
    assert await current.get_attribute("aria-invalid") == "true"

    await fill_passwords(page, "en", DEMO_PASSWORD, "1234567890", "1234567890")
    await page.get_by_text(text("en", "password.common")).wait_for()
    # Nothing typed is lost on a refusal.
    assert await current.input_value() == DEMO_PASSWORD
    new = page.get_by_label(text("en", "account.new"), exact=True)
    assert await new.input_value() == "1234567890"
    await check_accessibility(page)
    await screenshot(page, "account-refused")

    await fill_passwords(page, "en", DEMO_PASSWORD, "Girasole-blu-4471", "Girasole-blu-4471")
    await page.get_by_text(text("en", "account.changed")).wait_for()
    # The new password works for the next login, the old one no longer does.
    answer = await web_server.live.login(email, "Girasole-blu-4471")
    assert answer.json()["data"]["login"]["token"]
    assert (await web_server.live.login(email, DEMO_PASSWORD)).json().get("data") is None


async def test_logout_ends_the_session(portal: Portal, web_server: WebServer) -> None:
    page = await portal.login("contact of several clients", lang="it", then="/portal/account")
    session = next(c["value"] for c in await page.context.cookies() if c["name"] == COOKIE)
    live = web_server.live
    assert (await live.gql(VIEWER, cookie=session)).status_code == 200

    await page.get_by_role("button", name=text("it", "account.logout")).first.click()
    await page.get_by_role("heading", name=text("it", "login.title")).wait_for()
    assert page.url.endswith("/")
    # The session is over on the server, not only forgotten by the page.
    assert (await live.gql(VIEWER, cookie=session)).status_code == 401
    # The portal's pages send the browser back to the login; the 401 that does it is expected.
    portal.watched(page).expect(r"status of 401|HTTP 401")
    await page.goto("/portal/account")
    await page.get_by_role("heading", name=text("it", "login.title")).wait_for()
    assert page.url.endswith("/")


async def test_staff_preview_the_portal_as_a_contact(portal: Portal) -> None:
    page = await portal.login("staff admin", lang="en")
    await page.get_by_role("heading", name=text("en", "staff.title")).wait_for()
    await settle(page)
    await check_accessibility(page)
    await screenshot(page, "staff-preview-choose")

    email = demo_identifier("contact of one client")
    await page.get_by_label(text("en", "staff.search")).fill(email)
    await page.get_by_role("button", name=text("en", "staff.searchButton")).click()
    row = page.locator("tr").filter(has_text=email)
    await row.wait_for()
    name = (await row.locator("td").first.inner_text()).strip()

    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request) if "/graphql" in request.url else None)
    await row.get_by_role("link", name=text("en", "staff.preview")).click()
    banner = page.locator(".preview-banner")
    await banner.wait_for()
    assert text("en", "preview.banner", name=name) in await banner.inner_text()
    await page.get_by_role("heading", name=text("en", "dashboard.lastRevision")).wait_for()
    await settle(page)
    await check_accessibility(page)
    await screenshot(page, "staff-preview-dashboard")

    # Read-only: the account page offers nothing that would change the contact.
    await page.get_by_role("link", name=text("en", "menu.account")).click()
    await page.get_by_role("heading", name=text("en", "account.changePassword")).wait_for()
    assert await page.get_by_role("button", name=text("en", "account.submit")).is_disabled()
    assert await page.get_by_role("button", name=text("en", "account.logout")).is_disabled()
    await settle(page)
    assert sent
    assert all(request.headers.get("x-view-as-contact") for request in sent)

    await page.get_by_role("button", name=text("en", "preview.end")).click()
    await page.get_by_role("heading", name=text("en", "staff.title")).wait_for()
    assert await page.locator(".preview-banner").count() == 0


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_account_page_in_each_language(portal: Portal, lang: str) -> None:
    page = await portal.login("contact of one client", lang=lang, then="/portal/account")
    await page.get_by_role("heading", name=text(lang, "account.title"), exact=True).wait_for()
    await page.get_by_role("heading", name=text(lang, "account.changePassword")).wait_for()
    await settle(page)
    await check_accessibility(page)
    await screenshot(page, f"account-{lang}")
