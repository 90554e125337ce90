"""The evidence pack button of the site dashboard: a period, a click, a ZIP for the auditor."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from urllib.parse import parse_qs, urlsplit

from schema.kit import ids
from tests.security.conftest import demo_identifier
from tests.web.conftest import Portal, WebServer, check_accessibility, screenshot, settle, text

README_START = {"it": "Pacchetto di evidenze", "es": "Paquete de evidencias", "en": "Evidence pack"}


async def test_a_contact_downloads_the_evidence_pack_of_the_site(
    portal: Portal, web_server: WebServer
) -> None:
    page = await portal.login("contact of one client", lang="en")
    button = page.get_by_role("button", name=text("en", "dashboard.evidenceDownload"))
    await button.wait_for()
    await settle(page)
    start = page.get_by_label(text("en", "dashboard.evidenceFrom"), exact=True)
    end = page.get_by_label(text("en", "dashboard.evidenceTo"), exact=True)
    # The last 12 months unless changed.
    assert (await start.input_value())[:4] == str(int((await end.input_value())[:4]) - 1)
    more = await page.locator(".box-more a[href*='/tables/equipment']").get_attribute("href")
    assert more is not None
    site = ids.decode("Site", parse_qs(urlsplit(more).query)["site"][0])
    assert site is not None
    days = await web_server.live.rows(
        "SELECT to_char(created_at, 'YYYY-MM-DD') AS day FROM document "
        "WHERE site_id = :s AND portal_visible ORDER BY created_at LIMIT 20",
        s=site,
    )
    assert days
    await start.fill(days[0].day)
    await end.fill(days[-1].day)

    # A period that ends before it starts: the error shows next to its field, nothing downloads.
    portal.watched(page).expect(r"to=2000-01-01")
    await end.fill("2000-01-01")
    await button.click()
    await page.locator(".field.invalid").get_by_text("end on or after").wait_for()
    await end.fill(days[-1].day)

    async with page.expect_download() as started:
        await button.click()
    download = await started.value
    path = await download.path()
    archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["site"] == ids.encode("Site", site)
    assert manifest["documents"]
    assert manifest["missing"] == []
    for document in manifest["documents"]:
        assert hashlib.sha256(archive.read(document["path"])).hexdigest() == document["sha256"]
    # In the contact's language (their account's, as their mail), whatever the page shows.
    locale = await web_server.live.scalar(
        "SELECT coalesce(c.locale, o.locale) FROM contact c JOIN organization o "
        "ON o.id = c.organization_id WHERE c.email = :e",
        e=demo_identifier("contact of one client"),
    )
    assert archive.read("README.txt").decode().startswith(README_START[locale])
    assert await page.locator(".field.invalid").count() == 0
    evidence = page.locator("form.evidence")
    await evidence.scroll_into_view_if_needed()
    await check_accessibility(page)
    await screenshot(page, "dashboard-evidence")
