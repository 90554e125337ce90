"""The interventions of a contact (seed 002): a month calendar with previous and next, and the
list of the month's visits with their activity's portal title and description as the API
fills them in. Moving a visit from this list is tested with booking (test_booking.py)."""

from __future__ import annotations

import pytest

from tests.web.conftest import LANGUAGES, Portal, WebServer, check_accessibility, screenshot, text
from tests.web.pages_support import open_as, redrawn

MONTH = "2026-11"  # the demo data's month (anchored on DEMO_DAY)
CALENDAR = """query($from: DateTime!, $to: DateTime!) {
  calendar(from: $from, to: $to) { id activityType { portalTitle portalDescription } }
}"""


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_month_in_each_language(portal: Portal, lang: str) -> None:
    page = await open_as(
        portal, "contact of one client", lang=lang, path=f"/portal/interventions?month={MONTH}"
    )
    await page.get_by_role("heading", level=1, name=text(lang, "interventions.title")).wait_for()
    calendar = page.locator("table.pg-calendar")
    # Thirty days in November, each a cell; visits inside their day.
    assert await calendar.locator("td.pg-day").count() == 30
    assert await calendar.locator("td.pg-busy").count() > 0
    cards = page.locator(".pg-cards > li")
    assert await cards.count() == await calendar.locator(".pg-day-items li").count()
    await check_accessibility(page)
    await screenshot(page, f"interventions-{lang}")
    # The next month is one click away, and back again.
    await redrawn(page, page.locator("a[rel=next]").click)
    await page.wait_for_url("**month=2026-12*")
    assert await page.locator("table.pg-calendar td.pg-day").count() == 31
    await redrawn(page, page.locator("a[rel=prev]").click)
    await page.wait_for_url(f"**month={MONTH}*")


async def test_visits_show_their_activitys_portal_texts(
    portal: Portal, web_server: WebServer
) -> None:
    token = await web_server.live.token("contact of one client")
    # November as the organization counts it (Europe/Rome, UTC+1 all month), as the page does.
    november = {"from": "2026-11-01T00:00:00+01:00", "to": "2026-12-01T00:00:00+01:00"}
    answer = await web_server.live.data(CALENDAR, token, **november)
    visits = {visit["id"]: visit["activityType"] for visit in answer["calendar"]}
    assert visits
    page = await open_as(
        portal, "contact of one client", lang="en", path=f"/portal/interventions?month={MONTH}"
    )
    cards = page.locator(".pg-cards > li")
    shown = await cards.evaluate_all(
        """cards => cards.map(card => ({
          id: card.dataset.id,
          title: card.querySelector("h3").textContent,
          description: card.querySelector(".pg-description")?.textContent ?? "",
        }))"""
    )
    assert {card["id"] for card in shown} == set(visits)
    for card in shown:
        expected = visits[card["id"]]
        assert card["title"] == expected["portalTitle"]
        assert card["description"] == expected["portalDescription"]
        # The substitution codes are filled in: no brace reaches the contact.
        assert "{" not in card["title"] + card["description"]
