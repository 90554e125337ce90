"""The tables of every site (seed 004's left menu) as a contact uses them: filters, paging, a
CSV download that holds the rows of the table as filtered, lists offered only where the
contact's flags allow them, every table in each language."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page

from tests.web.conftest import (
    LANGUAGES,
    Portal,
    check_accessibility,
    screenshot,
    text,
)
from tests.web.pages_support import go, open_as, redrawn

LISTS = (
    "worksheets",
    "timesheets",
    "contracts",
    "revisions",
    "equipment",
    "invoices",
    "quotes",
    "tickets",
    "documents",
)
EXPORT_NAMES = {"worksheets": "workSheets", "timesheets": "timesheetEntries"}
# The demo organization's zone: the filters' days and the times on screen are its own.
ROME = ZoneInfo("Europe/Rome")


async def shown_ids(page: Page) -> list[str]:
    ids: list[str] = await page.locator(".pg-results tbody tr[data-id]").evaluate_all(
        "rows => rows.map(row => row.dataset.id)"
    )
    return ids


async def shown_total(page: Page) -> int:
    words = (await page.locator(".pg-count").inner_text()).split()
    return int(words[0])


async def apply_filters(page: Page) -> None:
    await redrawn(page, page.locator(".pg-filters button[type=submit]").click)


async def download_csv(page: Page, lang: str) -> tuple[str, list[dict[str, str]]]:
    async with page.expect_download() as started:
        await page.get_by_role("button", name=text(lang, "tables.csv")).click()
    download = await started.value
    path = await download.path()
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    return download.suggested_filename, rows


@pytest.mark.parametrize(
    ("name", "period"),
    [("worksheets", ("2026-01-01", "2026-11-30")), ("timesheets", ("2026-09-01", "2026-11-15"))],
)
async def test_the_csv_holds_the_rows_of_the_table_as_filtered(
    portal: Portal, name: str, period: tuple[str, str]
) -> None:
    page = await open_as(portal, "contact of one client", lang="en", path=f"/portal/tables/{name}")
    everything = await shown_total(page)
    site = page.get_by_label(text("en", "tables.filter.site"), exact=True)
    site_id = await site.locator("option").nth(2).get_attribute("value")
    assert site_id
    await site.select_option(site_id)
    await page.get_by_label(text("en", "tables.filter.from"), exact=True).fill(period[0])
    await page.get_by_label(text("en", "tables.filter.to"), exact=True).fill(period[1])
    await apply_filters(page)
    total = await shown_total(page)
    assert 0 < total < everything
    # The filters are kept in the address: a reload shows the same table.
    assert f"site={site_id}" in page.url
    assert f"from={period[0]}" in page.url

    filename, rows = await download_csv(page, "en")
    assert filename == f"{EXPORT_NAMES[name]}.csv"
    assert len(rows) == total
    assert {row["site_id"] for row in rows} == {site_id}
    ids = [row["id"] for row in rows]
    first_page = await shown_ids(page)
    if name == "timesheets":
        # Newest first on screen; the export keeps the list's order (oldest first).
        assert first_page == list(reversed(ids))[: len(first_page)]
        # The CSV holds the API's DateTime, with its UTC offset; the period's days and the
        # times on screen are Rome's (the browser runs in another zone).
        clock_ins = {row["id"]: dt.datetime.fromisoformat(row["clock_in"]) for row in rows}
        assert all(when.utcoffset() is not None for when in clock_ins.values())
        days = [when.astimezone(ROME).date().isoformat() for when in clock_ins.values()]
        column = page.locator(f"tbody td[data-label='{text('en', 'tables.col.clockIn')}']")
        shown = [" ".join(cell.split()) for cell in await column.all_inner_texts()]
        expected = [
            clock_ins[row_id].astimezone(ROME).strftime("%I:%M %p").lstrip("0")
            for row_id in first_page
        ]
        assert shown == expected
    else:
        assert first_page == ids[: len(first_page)]
        days = [row["date"] for row in rows]
    assert all(period[0] <= day <= period[1] for day in days)
    # Every page of the table together is the file.
    seen = list(first_page)
    following = page.get_by_role("button", name=text("en", "common.next"))
    while await following.is_enabled():
        await redrawn(page, following.click)
        seen.extend(await shown_ids(page))
    assert sorted(seen) == sorted(ids)
    await check_accessibility(page)


async def test_paging_goes_forward_and_back(portal: Portal) -> None:
    page = await open_as(
        portal, "contact of one client", lang="it", path="/portal/tables/worksheets"
    )
    first = await shown_ids(page)
    assert len(first) == 25
    assert await shown_total(page) > 25
    previous = page.get_by_role("button", name=text("it", "common.previous"))
    assert await previous.is_disabled()
    await redrawn(page, page.get_by_role("button", name=text("it", "common.next")).click)
    second = await shown_ids(page)
    assert second
    assert not set(second) & set(first)
    await redrawn(page, previous.click)
    assert await shown_ids(page) == first


async def test_lists_the_contact_may_not_see_are_not_offered(portal: Portal) -> None:
    # The site-limited demo contact has neither can_view_contracts nor can_view_invoices.
    page = await open_as(
        portal, "contact limited to one site", lang="en", path="/portal/tables/quotes"
    )
    menu = page.locator("#menu")
    assert await menu.get_by_role("link", name=text("en", "menu.quotes")).count() == 1
    assert await menu.get_by_role("link", name=text("en", "menu.invoices")).count() == 0
    assert await menu.get_by_role("link", name=text("en", "menu.contracts")).count() == 0
    # Typed by hand, the address says the list is not there, and asks nothing of the API.
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.post_data or ""))
    await go(page, "/portal/tables/invoices")
    await page.get_by_text(text("en", "tables.unavailable")).wait_for()
    assert not any("invoices(" in body for body in asked)
    await check_accessibility(page)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_every_table_in_each_language(portal: Portal, lang: str) -> None:
    page = await open_as(
        portal, "contact of one client", lang=lang, path="/portal/tables/worksheets"
    )
    for name in LISTS:
        await go(page, f"/portal/tables/{name}")
        title = text(lang, f"tables.{name}.title")
        await page.get_by_role("heading", level=1, name=title).wait_for()
        assert await shown_total(page) > 0, name
        header = await page.locator(".pg-results thead").inner_text()
        first_column = "tables.col.fileName" if name == "documents" else "tables.col.site"
        assert text(lang, first_column) in header
        await check_accessibility(page)
        await screenshot(page, f"tables-{name}-{lang}")
