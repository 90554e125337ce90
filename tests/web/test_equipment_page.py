"""The equipment page a QR label opens: a contact sees the piece, its revisions with their
outcome and their documents; anything else reads as an unknown equipment; without a session
the login comes first, then the same page."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

from db.seed import DEMO_PASSWORD
from schema.kit import ids
from tests.security.conftest import HOME, demo_identifier
from tests.web.conftest import Portal, WebServer, check_accessibility, screenshot, settle, text
from tests.web.pages_support import go

# The contact's revisions with, per revision, its documents and the equipment it checked.
CHECKED = """query Checked {
  revisions(first: 50) { edges { node {
    documents(first: 1) { totalCount }
    items(first: 100) { edges { node { outcome equipment { id kind model } } } }
  } } }
}"""


async def api(page: Page, query: str) -> Any:
    """The portal view's answer to ``query`` for the page's session (as the page asks)."""
    body = await page.evaluate(
        """async (query) => {
          const answer = await fetch("/graphql", {
            method: "POST", credentials: "same-origin",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ query }),
          });
          return answer.json();
        }""",
        query,
    )
    assert "errors" not in body, body
    return body["data"]


async def documented_piece(page: Page) -> dict[str, Any]:
    """A piece of the contact's equipment checked by a revision that has documents."""
    data = await api(page, CHECKED)
    for edge in data["revisions"]["edges"]:
        revision = edge["node"]
        if revision["documents"]["totalCount"] and revision["items"]["edges"]:
            piece: dict[str, Any] = revision["items"]["edges"][0]["node"]["equipment"]
            return piece
    raise AssertionError("the demo contact has no revision with documents and items")


def heading(piece: dict[str, Any]) -> str:
    return " · ".join(part for part in (piece["kind"], piece["model"]) if part)


async def test_a_contact_sees_the_piece_its_revisions_and_documents(portal: Portal) -> None:
    page = await portal.login("contact of one client", lang="en")
    await settle(page)
    piece = await documented_piece(page)
    await go(page, f"/portal/equipment/{piece['id']}")
    await page.get_by_role("heading", name=heading(piece), level=1).wait_for()
    history = page.get_by_role("region", name=text("en", "equipment.revisions"))
    assert await history.locator("tbody tr").count() >= 1
    outcomes = {
        text("en", f"lists.enum.ItemOutcome.{value}")
        for value in ("COMPLIANT", "NON_COMPLIANT", "NOT_CHECKED")
    }
    shown = await history.locator(".badge").all_inner_texts()
    assert shown
    assert set(shown) <= outcomes
    documents = page.locator(".equipment-documents li")
    assert await documents.count() >= 1
    assert await documents.first.locator("a.doc-download").get_attribute("href")
    await check_accessibility(page)
    await screenshot(page, "equipment-page")


async def test_foreign_out_of_scope_and_unknown_ids_read_alike(
    portal: Portal, web_server: WebServer
) -> None:
    live = web_server.live
    foreign = await live.scalar(
        "SELECT e.id FROM equipment e JOIN organization o ON o.id = e.organization_id "
        "WHERE o.slug = 'ignis' LIMIT 1"
    )
    page = await portal.login("contact limited to one site", lang="it")
    await settle(page)
    seen = {
        edge["node"]["id"]
        for edge in (await api(page, "{ equipment(first: 100) { edges { node { id } } } }"))[
            "equipment"
        ]["edges"]
    }
    elsewhere = await live.scalar(
        "SELECT e.id FROM equipment e JOIN organization o ON o.id = e.organization_id "
        "WHERE o.slug = :o AND NOT e.id = ANY(:seen) LIMIT 1",
        o=HOME,
        seen=[ids.decode("Equipment", i) for i in seen],
    )
    unknown = text("it", "equipment.unknown")
    for gid in (ids.encode("Equipment", foreign), ids.encode("Equipment", elsewhere), "junk"):
        await go(page, f"/portal/equipment/{gid}")
        await page.get_by_role("heading", name=unknown, level=1).wait_for()
        assert await page.get_by_text(text("it", "equipment.unknownText")).is_visible()
    await screenshot(page, "equipment-unknown")


async def test_a_scanned_label_leads_through_the_login_back_to_the_piece(portal: Portal) -> None:
    viewer = await portal.login("contact of one client", lang="en")
    await settle(viewer)
    piece = await documented_piece(viewer)
    path = f"/portal/equipment/{piece['id']}?org={HOME}"

    page = await portal.open(path, lang="en")
    portal.watched(page).expect(r"status of 401|HTTP 401")
    await page.get_by_role("heading", name=text("en", "login.title")).wait_for()
    await page.locator("input[name=identifier]").fill(
        demo_identifier("contact of one client", HOME)
    )
    await page.locator("input[name=password]").fill(DEMO_PASSWORD)
    await page.locator("form button[type=submit]").click()
    await page.get_by_role("heading", name=heading(piece), level=1).wait_for()
    assert page.url.endswith(path)


async def test_the_equipment_table_links_each_piece_to_its_page(portal: Portal) -> None:
    page = await portal.login("contact of one client", lang="en")
    await settle(page)
    await go(page, "/portal/tables/equipment")
    first = page.locator(".pg-results tbody tr a[href^='/portal/equipment/']").first
    kind = await first.inner_text()
    await first.click()
    await page.wait_for_url("**/portal/equipment/**")
    # The page's heading is the piece's kind (and model) once its data came.
    await page.get_by_role("heading", level=1).filter(has_text=kind).wait_for()
