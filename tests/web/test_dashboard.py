"""The dashboard of one site (seed 004) as contacts with different grants and features see it."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Page, Route

from schema.kit import ids
from tests.security.conftest import demo_identifier
from tests.web.conftest import (
    LANGUAGES,
    PHONE,
    Portal,
    WebServer,
    check_accessibility,
    screenshot,
    settle,
    text,
)

ROOT = Path(__file__).resolve().parents[2]
BOXES = (
    "dashboard.lastRevision",
    "dashboard.nextRevision",
    "dashboard.invoices",
    "dashboard.quotes",
    "dashboard.workDone",
    "dashboard.contracts",
    "dashboard.equipment",
    "dashboard.tickets",
)


def template(module: str, name: str) -> str:
    """The GraphQL document ``export const <name> = `...``` of a page module."""
    source = (ROOT / "web" / "pages" / module).read_text(encoding="utf-8")
    found = re.search(rf"export const {name} = `([^`]*)`;", source)
    assert found, f"{name} not found in {module}"
    return found.group(1)


@pytest.mark.parametrize(
    ("name", "example"),
    [("SITE_DASHBOARD", "site_dashboard.graphql"), ("MY_SITES", "my_sites.graphql")],
)
def test_the_page_sends_the_documents_of_graphql_examples(name: str, example: str) -> None:
    expected = (ROOT / "graphql_examples" / "portal" / example).read_text(encoding="utf-8")
    assert template("dashboard.js", name) == expected.rstrip("\n")


async def box_titles(page: Page) -> list[str]:
    return [title.strip() for title in await page.locator(".box h2").all_inner_texts()]


async def box(page: Page, lang: str, key: str) -> str:
    return (
        await page.locator(".box")
        .filter(has=page.get_by_role("heading", name=text(lang, key)))
        .inner_text()
    )


async def test_a_contact_with_every_feature_sees_every_box(
    portal: Portal, web_server: WebServer
) -> None:
    page = await portal.login("contact of one client", lang="en")
    await page.get_by_role("heading", name=text("en", "dashboard.equipment")).first.wait_for()
    await settle(page)
    titles = " ".join(await box_titles(page))
    for key in BOXES:
        assert text("en", key) in titles, key
    revision = await box(page, "en", "dashboard.lastRevision")
    assert text("en", "dashboard.compliant") in revision
    # Documents open in a new tab or download, through their signed same-origin link.
    link = page.locator(".box a.doc-download").first
    href = await link.get_attribute("href")
    # An absolute link on the public URL, which is this server's origin.
    assert href is not None
    assert href.startswith(web_server.base_url + "/files/")
    download = await page.context.request.get(href)
    assert download.status == 200
    assert download.headers["content-type"] in ("application/pdf", "image/png", "image/jpeg")
    await check_accessibility(page)
    await screenshot(page, "dashboard-all-features")


async def test_a_contact_of_several_clients_picks_the_site(portal: Portal) -> None:
    page = await portal.login("contact of several clients", lang="it")
    client = page.get_by_label(text("it", "dashboard.client"), exact=True)
    site = page.get_by_label(text("it", "dashboard.site"), exact=True)
    await client.wait_for()
    clients = await client.locator("option").all_inner_texts()
    assert len(clients) > 1
    await client.select_option(label=clients[-1])
    choice = (await site.locator("option").all_inner_texts())[0]
    await page.get_by_role("button", name=text("it", "dashboard.show")).click()
    await page.wait_for_url(re.compile(r"/portal\?site="))
    await page.locator(".site-head h2").filter(has_text=choice.split(" · ")[0]).wait_for()
    assert clients[-1] in await page.locator(".site-head").inner_text()
    await settle(page)
    await check_accessibility(page)
    await screenshot(page, "dashboard-site-picker")


async def test_a_site_grant_never_shows_a_sibling_site(
    portal: Portal, web_server: WebServer
) -> None:
    live = web_server.live
    granted, sibling = await live.rows(
        "SELECT s.id, s.id = g.site_id AS mine FROM contact c "
        "JOIN portal_grant g ON g.contact_id = c.id JOIN site t ON t.id = g.site_id "
        "JOIN site s ON s.client_id = t.client_id "
        "WHERE c.email = :email ORDER BY mine DESC, s.name LIMIT 2",
        email=demo_identifier("contact limited to one site"),
    )
    assert granted.mine
    assert not sibling.mine
    page = await portal.login("contact limited to one site", lang="en")
    await page.get_by_role("heading", name=text("en", "dashboard.lastRevision")).wait_for()
    # One site: no picker to choose another.
    assert await page.locator("form.picker").count() == 0
    mine = await page.locator(".site-head h2").inner_text()
    sibling_name = await live.scalar("SELECT name FROM site WHERE id = :id", id=sibling.id)
    assert mine != sibling_name

    await page.goto(f"/portal?site={ids.encode('Site', sibling.id)}")
    await page.get_by_text(text("en", "dashboard.unknownSite")).wait_for()
    seen_sibling = await page.locator("main").inner_text()
    assert sibling_name not in seen_sibling
    await page.goto(f"/portal?site={ids.encode('Site', uuid.uuid4())}")
    await page.get_by_text(text("en", "dashboard.unknownSite")).wait_for()
    assert await page.locator("main").inner_text() == seen_sibling


async def test_without_invoices_the_dashboard_has_no_invoice_box(portal: Portal) -> None:
    """The limited contact lacks can_view_invoices and can_view_contracts: the document asks
    for them anyway (it is the example's), gets null with FORBIDDEN, and the page loads."""
    page = await portal.login("contact limited to one site", lang="it")
    await page.get_by_role("heading", name=text("it", "dashboard.equipment")).first.wait_for()
    await settle(page)
    titles = await box_titles(page)
    assert not any(title.startswith(text("it", "dashboard.invoices")) for title in titles)
    assert not any(title.startswith(text("it", "dashboard.contracts")) for title in titles)
    assert any(title.startswith(text("it", "dashboard.lastRevision")) for title in titles)
    menu = await page.locator("nav.menu").inner_text()
    assert text("it", "menu.invoices") not in menu
    assert text("it", "menu.contracts") not in menu
    assert await page.locator(".error-banner").count() == 0
    await screenshot(page, "dashboard-no-invoices")


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_dashboard_in_each_language(portal: Portal, lang: str) -> None:
    page = await portal.login("contact of one client", lang=lang)
    await page.get_by_role("heading", name=text(lang, "dashboard.lastRevision")).wait_for()
    await page.get_by_role("heading", name=text(lang, "dashboard.title")).wait_for()
    await settle(page)
    await check_accessibility(page)
    await screenshot(page, f"dashboard-{lang}")


async def test_a_server_error_shows_the_request_id(portal: Portal) -> None:
    page = await portal.login("contact of one client", lang="en")
    await page.get_by_role("heading", name=text("en", "dashboard.lastRevision")).wait_for()
    request_id = "0f3c2a1b-5d4e-4f60-8a7b-9c0d1e2f3a4b"

    async def failing(route: Route) -> None:
        # What the server answers when something breaks: a masked error with its request id.
        await route.fulfill(
            status=500,
            headers={"content-type": "application/json", "x-request-id": request_id},
            body='{"errors": [{"message": "Internal server error.", '
            '"extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": "'
            + request_id
            + '"}}], "data": null}',
        )

    await page.route("**/graphql", failing)
    portal.watched(page).expect(r"HTTP 500|status of 500")
    await page.get_by_role("link", name=text("en", "menu.dashboard")).click()
    banner = page.locator(".error-banner")
    await banner.wait_for()
    assert text("en", "error.requestId", id=request_id) in await banner.inner_text()
    assert text("en", "error.server") in await banner.inner_text()
    await screenshot(page, "dashboard-server-error")

    await page.unroute("**/graphql")
    await page.route("**/graphql", lambda route: route.abort("internetdisconnected"))
    portal.watched(page).expect(r"request failed: POST .*/graphql|ERR_INTERNET_DISCONNECTED")
    await page.get_by_role("button", name=text("en", "error.retry")).click()
    await page.get_by_text(text("en", "error.network")).wait_for()
    # The layout stays: the contact can still move on once the network is back.
    assert await page.locator("nav.menu").count() == 1


async def test_the_language_switcher_changes_and_remembers_the_language(portal: Portal) -> None:
    page = await portal.login("contact of one client", lang="it")
    await page.get_by_role("heading", name=text("it", "dashboard.title")).wait_for()
    await settle(page)
    await page.get_by_label(text("it", "shell.language")).select_option("es")
    await page.get_by_role("heading", name=text("es", "dashboard.title")).wait_for()
    await settle(page)
    await page.reload()
    await page.get_by_role("heading", name=text("es", "dashboard.lastRevision")).wait_for()
    assert await page.locator("html").get_attribute("lang") == "es"


async def test_on_a_phone_the_menu_opens_from_its_button(portal: Portal) -> None:
    page = await portal.login("contact of one client", lang="en")
    await page.get_by_role("heading", name=text("en", "dashboard.lastRevision")).wait_for()
    await page.set_viewport_size(PHONE)
    menu = page.get_by_role("navigation", name=text("en", "shell.menu"))
    assert not await menu.is_visible()
    toggle = page.get_by_role("button", name=text("en", "shell.menu"))
    await toggle.click()
    assert await toggle.get_attribute("aria-expanded") == "true"
    await menu.get_by_role("link", name=text("en", "menu.account")).click()
    await page.get_by_role("heading", name=text("en", "account.changePassword")).wait_for()
    assert not await menu.is_visible()
