"""The login page as a contact sees it: the organization's branding before login, a failed
login that keeps the identifier, throttling that says how long to wait, the way to a new
password, and the page's security headers."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.security.conftest import HOME, demo_identifier
from tests.web.conftest import (
    LANGUAGES,
    Portal,
    WebServer,
    check_accessibility,
    screenshot,
    settle,
    text,
)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_organization_is_shown_before_login(portal: Portal, lang: str) -> None:
    page = await portal.open("/?org=brillanti", lang=lang)
    await page.get_by_role("heading", name=text(lang, "login.title")).wait_for()
    card = page.locator("main")
    assert "Brillanti Servizi di Pulizia" in await card.inner_text()
    # The information text the organization wrote for its clients.
    assert "portale clienti di Brillanti" in await card.inner_text()
    assert await page.get_by_label(text(lang, "login.identifier")).is_visible()
    # The organization is known from the link: its field stays out of the way.
    assert not await page.get_by_label(text(lang, "login.organization")).is_visible()
    await settle(page)
    await check_accessibility(page)
    await screenshot(page, f"login-{lang}")


async def test_the_organization_is_remembered_for_the_next_visit(portal: Portal) -> None:
    page = await portal.open("/?org=ignis")
    await page.get_by_role("heading", name=text("es", "login.title")).wait_for()
    await page.goto("/")
    # Spanish organization, Spanish page (the browser says English; the organization wins).
    await page.get_by_role("heading", name=text("es", "login.title")).wait_for()
    assert "Ignis" in await page.locator(".org-brand").inner_text()


async def test_without_an_organization_the_form_asks_for_it(portal: Portal) -> None:
    page = await portal.open("/", lang="en")
    organization = page.get_by_label(text("en", "login.organization"))
    await organization.wait_for()
    await page.get_by_label(text("en", "login.identifier")).fill(demo_identifier("staff admin"))
    await page.get_by_role("button", name=text("en", "login.submit")).click()
    # Missing fields are named at the field, and what was typed stays.
    await page.get_by_text(text("en", "common.required")).first.wait_for()
    identifier = page.get_by_label(text("en", "login.identifier"))
    assert await identifier.input_value() == demo_identifier("staff admin")
    await organization.fill(HOME)
    await page.get_by_label(text("en", "login.password")).fill("Sportello-demo-2024!")
    await page.get_by_role("button", name=text("en", "login.submit")).click()
    await page.wait_for_url("**/portal")
    await settle(page)
    await screenshot(page, "login-staff-landing")


async def test_a_wrong_password_keeps_the_identifier(portal: Portal) -> None:
    page = await portal.open("/?org=brillanti", lang="it")
    identifier = demo_identifier("contact of one client")
    await page.get_by_label(text("it", "login.identifier")).fill(identifier)
    await page.get_by_label(text("it", "login.password")).fill("not the password at all")
    await page.get_by_role("button", name=text("it", "login.submit")).click()
    await page.get_by_role("alert").filter(has_text=text("it", "login.failed")).wait_for()
    assert await page.get_by_label(text("it", "login.identifier")).input_value() == identifier
    assert await page.get_by_label(text("it", "login.password")).input_value() == ""
    assert page.url.endswith("/?org=brillanti")
    await check_accessibility(page)
    await screenshot(page, "login-failed")


async def test_a_throttled_login_says_how_long_to_wait(
    portal: Portal, web_server: WebServer
) -> None:
    identifier = f"throttled-{uuid.uuid4().hex[:8]}@example.com"
    page = await portal.open("/?org=brillanti", lang="en")
    await page.get_by_label(text("en", "login.identifier")).fill(identifier)
    await page.get_by_label(text("en", "login.password")).fill("whatever it is")
    # Failed logins of this identifier until it must wait at least 4 seconds (1, 2, 4, ...).
    for _ in range(20):
        answer = (await web_server.live.login(identifier, "wrong", HOME)).json()
        extensions = answer["errors"][0]["extensions"]
        if extensions["code"] == "RATE_LIMITED":
            if extensions["retryAfter"] >= 4:
                break
            await asyncio.sleep(extensions["retryAfter"])
    else:
        pytest.fail("the identifier was never throttled")
    await page.get_by_role("button", name=text("en", "login.submit")).click()
    alert = page.get_by_role("alert").filter(has_text="Too many attempts")
    await alert.wait_for()
    seconds = int("".join(ch for ch in await alert.inner_text() if ch.isdigit()))
    assert 1 <= seconds <= extensions["retryAfter"]
    assert await page.get_by_label(text("en", "login.identifier")).input_value() == identifier


async def test_forgot_password_is_one_click_away(portal: Portal) -> None:
    page = await portal.open("/?org=brillanti", lang="es")
    await page.get_by_role("link", name=text("es", "login.forgot")).click()
    await page.get_by_role("heading", name=text("es", "forgot.title")).wait_for()
    assert page.url.endswith("/forgot-password?org=brillanti")


async def test_pages_carry_a_strict_content_security_policy(web_server: WebServer) -> None:
    for path in ("/", "/invitation", "/reset-password", "/forgot-password", "/portal/account"):
        answer = await web_server.live.request("GET", path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith("text/html")
        policy = answer.headers["content-security-policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["x-content-type-options"] == "nosniff"
    script = await web_server.live.request("GET", "/static/app.js")
    assert script.headers["content-type"].startswith("text/javascript")
    # Only scripts, styles and images are served from web/; nothing else there.
    assert (await web_server.live.request("GET", "/static/README.md")).status_code == 404
    assert (await web_server.live.request("GET", "/static/../pyproject.toml")).status_code == 404
    assert (await web_server.live.request("GET", "/nowhere")).status_code == 404
