"""Times are the organization's, not the browser's: the browser runs in New York
(``BROWSER_TIME_ZONE``) while the demo organization works in Rome, and the pages show Rome's
times and put each visit on Rome's calendar day (a visit at 23:30 UTC is on the next day)."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from schema.kit import ids
from tests.web.conftest import BROWSER_TIME_ZONE, Portal, WebServer, text
from tests.web.pages_support import open_as

ROME = ZoneInfo("Europe/Rome")
MONTH = "2026-11"  # the demo data's month (anchored on DEMO_DAY)
CALENDAR = """query($from: DateTime!, $to: DateTime!) {
  calendar(from: $from, to: $to) { id startsAt endsAt status }
}"""
EN_DASH = "\u2013"  # between a visit's start and end
TIMESHEETS = """{ timesheetEntries(last: 25) { edges { node { id clockIn } } } }"""


def shown_time(value: str) -> str:
    """What Italian pages show for an ISO date-time in Rome: "00:30"."""
    return dt.datetime.fromisoformat(value).astimezone(ROME).strftime("%H:%M")


def rome_day(value: str) -> str:
    return dt.datetime.fromisoformat(value).astimezone(ROME).date().isoformat()


async def month_of_visits(web_server: WebServer) -> list[dict[str, str]]:
    """The contact's visits of November as the API gives them (Rome's month, UTC offsets)."""
    token = await web_server.live.token("contact of one client")
    answer = await web_server.live.data(
        CALENDAR, token, **{"from": "2026-11-01T00:00:00+01:00", "to": "2026-12-01T00:00:00+01:00"}
    )
    visits: list[dict[str, str]] = answer["calendar"]
    return visits


async def test_visits_show_the_organizations_times_and_days(
    portal: Portal, web_server: WebServer
) -> None:
    live = web_server.live
    # One visit moved to 23:30 UTC: 00:30 the next day in Rome, 18:30 the same day in New York.
    visits = await month_of_visits(web_server)
    chosen = next(
        v
        for v in visits
        if v["status"] == "DONE" and "2026-11-02" <= v["startsAt"][:10] < "2026-11-28"
    )
    row_id = ids.decode("Appointment", chosen["id"])
    assert isinstance(row_id, uuid.UUID)
    starts = dt.datetime.fromisoformat(chosen["startsAt"])
    ends = dt.datetime.fromisoformat(chosen["endsAt"])
    late = dt.datetime.combine(starts.astimezone(dt.UTC).date(), dt.time(23, 30), dt.UTC)
    await live.execute(
        "UPDATE intervention SET starts_at = :s, ends_at = :e WHERE id = :id",
        s=late,
        e=late + (ends - starts),
        id=row_id,
    )
    try:
        visits = await month_of_visits(web_server)
        moved = next(v for v in visits if v["id"] == chosen["id"])
        assert shown_time(moved["startsAt"]) == "00:30"
        page = await open_as(
            portal, "contact of one client", lang="it", path=f"/portal/interventions?month={MONTH}"
        )
        zone = await page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
        assert zone == BROWSER_TIME_ZONE  # the browser's own clock is not Rome's
        new_york = dt.datetime.fromisoformat(moved["startsAt"]).astimezone(ZoneInfo(zone))
        assert new_york.date().isoformat() != rome_day(moved["startsAt"])

        # On the calendar, the moved visit is on Rome's next day, at Rome's time.
        cell = page.locator(f"td.pg-day[data-day='{rome_day(moved['startsAt'])}']")
        entry = cell.locator(f"a[href='#visit-{moved['id']}']")
        assert (await entry.inner_text()).startswith("00:30")
        previous = page.locator(f"td.pg-day[data-day='{new_york.date().isoformat()}']")
        assert await previous.locator(f"a[href='#visit-{moved['id']}']").count() == 0

        # Every card of the list says its visit's times in Rome.
        cards = page.locator(".pg-cards > li")
        assert await cards.count() == len(visits)
        for visit in visits:
            card = page.locator(f".pg-cards > li[data-id='{visit['id']}']")
            when = await card.locator(".pg-when").inner_text()
            expected = f"{shown_time(visit['startsAt'])}{EN_DASH}{shown_time(visit['endsAt'])}"
            assert when.endswith(expected), (when, expected)
            day = page.locator(f"td.pg-day[data-day='{rome_day(visit['startsAt'])}']")
            assert await day.locator(f"a[href='#visit-{visit['id']}']").count() == 1
    finally:
        await live.execute(
            "UPDATE intervention SET starts_at = :s, ends_at = :e WHERE id = :id",
            s=starts,
            e=ends,
            id=row_id,
        )


async def test_timesheets_show_the_organizations_clock(
    portal: Portal, web_server: WebServer
) -> None:
    token = await web_server.live.token("contact of one client")
    answer = await web_server.live.data(TIMESHEETS, token)
    newest = [edge["node"] for edge in reversed(answer["timesheetEntries"]["edges"])]
    assert newest
    page = await open_as(
        portal, "contact of one client", lang="it", path="/portal/tables/timesheets"
    )
    rows = page.locator(".pg-results tbody tr[data-id]")
    shown_ids = await rows.evaluate_all("rows => rows.map(row => row.dataset.id)")
    assert shown_ids == [entry["id"] for entry in newest]
    column = text("it", "tables.col.clockIn")
    shown = await page.locator(f".pg-results tbody td[data-label='{column}']").all_inner_texts()
    assert shown == [shown_time(entry["clockIn"]) for entry in newest]
