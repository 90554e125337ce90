"""Tickets as a contact sees them (seed 003): statistics drawn as SVG, the list most urgent
first, and the open-ticket form, whose missing field is named at the field and corrected
without losing what was typed."""

from __future__ import annotations

import functools

import pytest
from playwright.async_api import Page

from tests.web.conftest import (
    LANGUAGES,
    Portal,
    WebServer,
    check_accessibility,
    screenshot,
    text,
)
from tests.web.pages_support import open_as, redrawn

URGENCY_ORDER = ("CRITICAL", "HIGH", "NORMAL", "LOW")


async def bar_values(page: Page, figure: int) -> list[int]:
    values: list[str] = await (
        page.locator(".pg-figure").nth(figure).locator(".pg-chart-value").all_text_contents()
    )
    return [int(value) for value in values]


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_statistics_and_list_in_each_language(portal: Portal, lang: str) -> None:
    page = await open_as(portal, "contact of one client", lang=lang, path="/portal/tickets")
    await page.get_by_role("heading", name=text(lang, "tickets.statistics")).wait_for()
    total = int((await page.locator(".pg-total").inner_text()).split()[0])
    assert total > 0
    # Every ticket is counted once by status and once by urgency; the charts say the same.
    assert sum(await bar_values(page, 0)) == total
    assert sum(await bar_values(page, 1)) == total
    assert await page.locator(".pg-figure svg[role=img] title").count() >= 2
    labels = await page.locator(".pg-figure").nth(1).locator(".pg-chart-label").all_text_contents()
    assert labels == [text(lang, f"lists.enum.TicketUrgency.{u}") for u in URGENCY_ORDER]
    # The list: most urgent first (then oldest first, the API's order).
    names = {text(lang, f"lists.enum.TicketUrgency.{u}"): i for i, u in enumerate(URGENCY_ORDER)}
    shown = await page.locator(".pg-results tbody tr td:nth-child(2)").all_inner_texts()
    ranks = [names[value.strip()] for value in shown]
    assert ranks == sorted(ranks)
    await page.locator("main").get_by_role("link", name=text(lang, "tickets.open")).wait_for()
    await check_accessibility(page)
    await screenshot(page, f"tickets-{lang}")


async def test_a_missing_field_is_corrected_and_the_ticket_opened(
    portal: Portal, web_server: WebServer
) -> None:
    page = await open_as(
        portal, "contact limited to one site", lang="en", path="/portal/tickets/new"
    )
    form = page.locator("form.pg-form")
    # The contact's one site is chosen already; its equipment is offered as assets.
    site = page.get_by_label(text("en", "ticketNew.site") + " *")
    assert await site.input_value()
    asset = page.get_by_label(text("en", "ticketNew.asset"))
    await asset.locator("option").nth(1).wait_for(state="attached")
    asset_id = await asset.locator("option").nth(1).get_attribute("value")
    assert asset_id
    await asset.select_option(asset_id)
    reference = page.get_by_label(text("en", "ticketNew.reference") + " *")
    await reference.fill("Davide Greco (front desk)")
    await page.get_by_label(text("en", "ticketNew.phone")).fill("+39 02 1234 5678")
    await page.get_by_label(text("en", "ticketNew.urgency")).select_option("HIGH")
    department = page.get_by_label(text("en", "ticketNew.department") + " *")
    await department.select_option(index=1)
    # Notes left empty: the API refuses the field, the page says so next to it.
    async with page.expect_response("**/graphql") as answered:
        await form.get_by_role("button", name=text("en", "ticketNew.submit")).click()
    body = await (await answered.value).json()
    refused = body["errors"][0]["extensions"]
    assert (refused["code"], refused["field"]) == ("BAD_USER_INPUT", "notes")
    notes = page.get_by_label(text("en", "ticketNew.notes") + " *")
    await page.locator(".field.invalid").filter(has=notes).wait_for()
    error_id = (await notes.get_attribute("aria-describedby") or "").split()[-1]
    assert await page.locator(f"#{error_id}").inner_text() == text("en", "lists.error.required")
    assert await notes.get_attribute("aria-invalid") == "true"
    assert await notes.evaluate("element => element === document.activeElement")
    # Nothing typed was lost.
    assert await reference.input_value() == "Davide Greco (front desk)"
    assert (
        await page.get_by_label(text("en", "ticketNew.phone")).input_value() == "+39 02 1234 5678"
    )
    assert await asset.input_value() == asset_id
    assert await page.get_by_label(text("en", "ticketNew.urgency")).input_value() == "HIGH"
    await check_accessibility(page)
    await screenshot(page, "ticket-new-error")

    await notes.fill("The boiler room door does not close.")
    await form.get_by_role("button", name=text("en", "ticketNew.submit")).click()
    success = page.locator(".pg-success")
    await success.wait_for()
    number = int("".join(ch for ch in await success.inner_text() if ch.isdigit()))
    stored = await web_server.live.rows(
        "SELECT notes, reference_person, phone, urgency, equipment_id IS NOT NULL AS asset"
        " FROM ticket WHERE number = :n AND organization_id ="
        " (SELECT id FROM organization WHERE slug = 'brillanti')",
        n=number,
    )
    assert [tuple(row) for row in stored] == [
        (
            "The boiler room door does not close.",
            "Davide Greco (front desk)",
            "+39 02 1234 5678",
            "HIGH",
            True,
        )
    ]
    await screenshot(page, "ticket-new-opened")


async def test_the_asset_list_follows_the_site(portal: Portal) -> None:
    page = await open_as(portal, "contact of one client", lang="it", path="/portal/tickets/new")
    site = page.get_by_label(text("it", "ticketNew.site") + " *")
    asset = page.get_by_label(text("it", "ticketNew.asset"))
    options = site.locator("option")
    seen: list[set[str]] = []
    for index in (1, 2):
        choice = await options.nth(index).get_attribute("value")
        assert choice
        await redrawn(page, functools.partial(site.select_option, choice))
        values = await asset.locator("option").evaluate_all("os => os.map(o => o.value)")
        seen.append(set(values) - {""})
    assert seen[0]
    assert seen[1]
    assert not seen[0] & seen[1]


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_ticket_form_in_each_language(portal: Portal, lang: str) -> None:
    page = await open_as(portal, "contact of one client", lang=lang, path="/portal/tickets/new")
    await page.get_by_role("heading", level=1, name=text(lang, "ticketNew.title")).wait_for()
    # Every input has its label; required ones say so.
    for key in ("department", "site", "reference", "notes"):
        await page.get_by_label(text(lang, f"ticketNew.{key}") + " *").wait_for()
    for key in ("asset", "phone", "urgency"):
        await page.get_by_label(text(lang, f"ticketNew.{key}")).wait_for()
    await check_accessibility(page)
    await screenshot(page, f"ticket-new-{lang}")
