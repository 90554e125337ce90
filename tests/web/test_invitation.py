"""The emailed links as a contact follows them: an invitation from the office, a first access
through "forgot password" (seed 004), and links that no longer work."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Page

from schema.kit import ids
from tests.security.conftest import HOME
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
from tests.web.pages_support import invitation_link

NEW_PASSWORD = "Lanterna-verde-7319"


async def client_invitation_link(web_server: WebServer, email: str) -> str:
    """The link mailed to ``email`` once the office gives that person a portal access for a
    client, with an invitation."""
    live = web_server.live
    client = await live.scalar(
        "SELECT id FROM client WHERE organization_id = :org AND portal_enabled "
        "ORDER BY code LIMIT 1",
        org=await organization_id(live),
    )
    clients = [ids.encode("Client", client)]
    return await invitation_link(web_server, email, "Nadia", "Ferri", clientIds=clients)


async def set_password(page: Page, lang: str, password: str) -> None:
    await page.get_by_label(text(lang, "setPassword.password"), exact=True).fill(password)
    await page.get_by_label(text(lang, "setPassword.confirm"), exact=True).fill(password)
    await page.get_by_role("button", name=text(lang, "setPassword.submit")).click()


async def test_an_invitation_link_sets_the_password_and_opens_the_dashboard(
    portal: Portal, web_server: WebServer
) -> None:
    email = web_server.claim(f"nadia.ferri.{uuid.uuid4().hex[:6]}@example.com")
    link = await client_invitation_link(web_server, email)
    assert "/invitation?org=brillanti#token=" in link or "/invitation#token=" in link

    page = await portal.open(link.removeprefix(web_server.base_url))
    lang = "it"  # the organization's language: the contact has none of its own yet
    await page.get_by_role("heading", name=text(lang, "setPassword.invitationTitle")).wait_for()
    await settle(page)
    await check_accessibility(page)
    await screenshot(page, "invitation")

    # Too short: said at the field before anything is sent; the other field keeps its text.
    await page.get_by_label(text(lang, "setPassword.password"), exact=True).fill("corta")
    await page.get_by_label(text(lang, "setPassword.confirm"), exact=True).fill("corta")
    await page.get_by_role("button", name=text(lang, "setPassword.submit")).click()
    await page.get_by_text(text(lang, "password.tooShort")).wait_for()
    # On the list of common passwords: the API refuses it, the page says so at the field.
    await set_password(page, lang, "1234567890")
    await page.get_by_text(text(lang, "password.common")).wait_for()
    field = page.get_by_label(text(lang, "setPassword.password"), exact=True)
    assert await field.input_value() == "1234567890"
    assert await field.get_attribute("aria-invalid") == "true"
    await check_accessibility(page)
    await screenshot(page, "invitation-refused")

    await set_password(page, lang, NEW_PASSWORD)
    await page.wait_for_url("**/portal")
    await page.get_by_role("heading", name=text(lang, "dashboard.title")).wait_for()
    await page.get_by_role("heading", name=text(lang, "dashboard.lastRevision")).wait_for()
    assert "#token=" not in page.url

    # The link was used: opened again, it says so and offers a new one.
    again = await portal.open(link.removeprefix(web_server.base_url))
    await set_password(again, lang, NEW_PASSWORD + "x")
    await again.get_by_role("heading", name=text(lang, "setPassword.badLinkTitle")).wait_for()
    await again.get_by_role("link", name=text(lang, "setPassword.newLink")).click()
    await again.get_by_role("heading", name=text(lang, "forgot.title")).wait_for()


async def test_a_first_access_goes_through_forgot_password(
    portal: Portal, web_server: WebServer
) -> None:
    """Seed 004: an INVITED contact asks for a link instead of using the invitation."""
    live = web_server.live
    email = await live.scalar(
        "SELECT c.email FROM contact c JOIN portal_grant g ON g.contact_id = c.id "
        "JOIN client k ON k.id = g.client_id "
        "WHERE c.organization_id = :org AND c.state = 'INVITED' AND c.portal_access "
        "AND c.deleted_at IS NULL AND k.portal_enabled ORDER BY c.email LIMIT 1",
        org=await organization_id(live),
    )
    assert email
    web_server.claim(email)
    page = await portal.open("/?org=brillanti", lang="en")
    await page.get_by_role("link", name=text("en", "login.forgot")).click()
    await page.get_by_label(text("en", "login.identifier")).fill(email)
    await page.get_by_role("button", name=text("en", "forgot.submit")).click()
    await page.get_by_text(text("en", "forgot.sent")).wait_for()
    await settle(page)
    await check_accessibility(page)
    await screenshot(page, "forgot-password-sent")

    link = await web_server.link_sent_to(email)
    assert "/reset-password" in link
    await page.goto(link.removeprefix(web_server.base_url))
    await page.get_by_role("heading", name=text("en", "setPassword.resetTitle")).wait_for()
    await set_password(page, "en", NEW_PASSWORD)
    await page.wait_for_url("**/portal")
    await page.get_by_role("heading", name=text("en", "dashboard.title")).wait_for()
    state = await live.scalar("SELECT state FROM contact WHERE email = :e", e=email)
    assert state == "ACTIVE"


async def test_an_altered_link_says_so(portal: Portal, web_server: WebServer) -> None:
    page = await portal.open(f"/reset-password?org={HOME}#token=spl_{'A' * 43}", lang="es")
    await set_password(page, "es", NEW_PASSWORD)
    await page.get_by_role("heading", name=text("es", "setPassword.badLinkTitle")).wait_for()
    assert await page.get_by_role("link", name=text("es", "setPassword.newLink")).is_visible()


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_link_pages_in_each_language(portal: Portal, lang: str) -> None:
    page = await portal.open(f"/reset-password?org={HOME}#token=spl_x", lang=lang)
    await page.get_by_role("heading", name=text(lang, "setPassword.resetTitle")).wait_for()
    await page.goto(f"/invitation?org={HOME}")
    # No token at all: nothing to try, the page says the link is not valid.
    await page.get_by_role("heading", name=text(lang, "setPassword.badLinkTitle")).wait_for()
    await settle(page)
    await check_accessibility(page)
    await screenshot(page, f"link-not-valid-{lang}")
    await page.goto(f"/forgot-password?org={HOME}")
    await page.get_by_role("heading", name=text(lang, "forgot.title")).wait_for()
    await settle(page)
    await check_accessibility(page)
    await screenshot(page, f"forgot-password-{lang}")
