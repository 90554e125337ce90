"""The client portal in a real browser: Playwright drives Debian's Chromium against a live
``sportello serve`` on the demo data, which sends its mail to a real SMTP server.

- One server (and one SMTP server) for the whole run: starting one costs seconds, and the
  tests are written not to disturb each other (each changes only accounts of its own).
- One browser for the whole run, a fresh context (cookies, storage) per page.
- Every page a test opens is watched: console errors, uncaught exceptions, failed requests and
  answers of 400 or more fail the test when it ends, unless the test said it expects them
  (``Watched.expect``).
- ``check_accessibility(page)`` runs axe-core (shipped in the axe-playwright-python package,
  never fetched from the internet) and fails on serious or critical violations.
- ``screenshot(page, name)`` writes ``tests/web/screenshots/<name>-phone.png`` (390 x 844) and
  ``-desktop.png`` (1280 x 900); the folder is git-ignored.

``playwright install`` cannot download browsers on these machines: the tests use
``/usr/bin/chromium`` (``make test`` installs Debian's ``chromium`` when run as root). Without
it they are skipped, except in CI (``CI=true``), where a missing browser is a failure.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from email.message import EmailMessage
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    ViewportSize,
    async_playwright,
)

from db.seed import DEMO_PASSWORD, build
from tests.conftest import DEMO_DAY, Databases
from tests.mailer.smtp import HOST as SMTP_HOST
from tests.mailer.smtp import SmtpServer
from tests.security.conftest import HOME, Live, demo_copy, demo_identifier, serving

CHROMIUM = Path(os.environ.get("SPORTELLO_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=900)
# The browser's own zone, far from the demo organizations' (Europe/Rome, Europe/Madrid): the
# pages must show the organization's times and days whatever the browser says.
BROWSER_TIME_ZONE = "America/New_York"
# What the browser may wait for: a page, a request, an element.
TIMEOUT_MS = 15_000
SERIOUS = ("serious", "critical")
# The server of the browser tests: throttles loose enough for a test run from one address.
SERVER_ENVIRONMENT = {
    "SPORTELLO_ANONYMOUS_REQUESTS_PER_MINUTE": "100000",
    "SPORTELLO_SESSION_COST_PER_MINUTE": "100000000",
    "SPORTELLO_LOGIN_FREE_FAILURES_PER_ADDRESS": "1000",
}
LINK = re.compile(r"http://127\.0\.0\.1:\d+/[a-z-]+(?:\?[^\s\"<>#]*)?#token=[A-Za-z0-9_\-]+")


@dataclasses.dataclass
class WebServer:
    """The live server, the SMTP server it sends to, and how to make it send."""

    live: Live
    smtp: SmtpServer
    environment: dict[str, str]
    # Accounts a test changed (a password set or changed): other tests leave them alone.
    claimed: set[str] = dataclasses.field(default_factory=set)

    @property
    def base_url(self) -> str:
        return self.live.base_url

    def url(self, path: str) -> str:
        return self.live.base_url + path

    async def send_mail(self) -> None:
        """Runs ``sportello worker --once``: what the outbox holds goes to the SMTP server."""
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "sportello", "worker", "--once"],
            env=self.environment,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()

    def claim(self, email: str) -> str:
        """Marks an account as changed by the calling test; returns its email."""
        self.claimed.add(email.lower())
        return email

    def messages_to(self, address: str) -> list[EmailMessage]:
        return [
            message
            for message in self.smtp.recorder.messages
            if address.lower() in str(message["To"]).lower()
        ]

    async def link_sent_to(self, address: str) -> str:
        """The one-use link of the newest message to ``address`` (sending the outbox first)."""
        await self.send_mail()
        messages = self.messages_to(address)
        assert messages, f"no message to {address}"
        text = body_text(messages[-1])
        found = LINK.search(text)
        assert found, text
        return found.group(0)


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    assert part is not None
    content: str = part.get_content()
    return content


def write_demo_files(root: Path) -> None:
    for key, data in build(1, DEMO_DAY, keep_files=True).files:
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@pytest.fixture(scope="session")
async def web_server(
    databases: Databases, seeded_template: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[WebServer]:
    """``sportello serve`` on a copy of the demo data, mailing a real SMTP server."""
    smtp = SmtpServer()
    await smtp.start()
    environment = SERVER_ENVIRONMENT | {
        "SPORTELLO_SMTP_HOST": SMTP_HOST,
        "SPORTELLO_SMTP_PORT": str(smtp.port),
        "SPORTELLO_SMTP_SECURITY": "plain",
    }
    workdir = tmp_path_factory.mktemp("web")
    # The documents' files, as `sportello run` writes them beside the demo data: the same
    # deterministic build as the seeded template, so every storage key has its file.
    await asyncio.to_thread(write_demo_files, workdir / "data" / "files")
    try:
        async with (
            demo_copy(databases, seeded_template) as url,
            serving(url, workdir, **environment) as live,
        ):
            worker_env = {
                k: v
                for k, v in os.environ.items()
                if k != "DATABASE_URL" and not k.startswith("SPORTELLO_")
            }
            worker_env |= environment | {
                "DATABASE_URL": url,
                "SPORTELLO_PUBLIC_URL": live.public_url,
                "SPORTELLO_DATA_DIR": str(workdir / "data"),
            }
            yield WebServer(live, smtp, worker_env)
    finally:
        await smtp.stop()


def chromium_found() -> bool:
    return CHROMIUM.exists()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not chromium_found():
        message = (
            f"{CHROMIUM} is missing: run `make test` as root (it installs Debian's chromium) "
            "or `apt-get install chromium`"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        await launched.close()


@dataclasses.dataclass
class Watched:
    """What went wrong in a page: console errors, page errors, failed or refused requests."""

    problems: list[str] = dataclasses.field(default_factory=list)
    expected: list[re.Pattern[str]] = dataclasses.field(default_factory=list)

    def expect(self, pattern: str) -> None:
        """A problem the test causes on purpose (e.g. a 401 after logging out)."""
        self.expected.append(re.compile(pattern))

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(e.search(p) for e in self.expected)]


def watch(page: Page, watched: Watched) -> None:
    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watched.add(f"console: {message.text} ({message.location.get('url', '')})")

    def page_error(error: Exception) -> None:
        watched.add(f"page error: {error}")

    def failed(request: Request) -> None:
        # ERR_ABORTED is the browser dropping what it no longer needs because the test moved
        # to another page (a logo, a query still loading); the server did not fail it.
        if request.failure != "net::ERR_ABORTED":
            watched.add(f"request failed: {request.method} {request.url} {request.failure}")

    def response(answer: Response) -> None:
        if answer.status >= 400:
            watched.add(f"HTTP {answer.status}: {answer.request.method} {answer.url}")

    page.on("console", console)
    page.on("pageerror", page_error)
    page.on("requestfailed", failed)
    page.on("response", response)


OpenPage = Callable[..., Awaitable[Page]]


@dataclasses.dataclass
class Portal:
    """Opens pages in fresh browser contexts, watched, and logs them in."""

    server: WebServer
    browser: Browser
    contexts: list[tuple[BrowserContext, Watched]] = dataclasses.field(default_factory=list)

    async def open(self, path: str = "/", *, lang: str | None = None) -> Page:
        """A new browser (context) at ``path``, optionally with the language switcher set."""
        context = await self.browser.new_context(
            viewport=DESKTOP,
            base_url=self.server.base_url,
            locale="en-US",
            timezone_id=BROWSER_TIME_ZONE,
        )
        context.set_default_timeout(TIMEOUT_MS)
        watched = Watched()
        self.contexts.append((context, watched))
        page = await context.new_page()
        watch(page, watched)
        if lang is not None:
            # The switcher's remembered choice, set before the first script runs.
            await context.add_init_script(
                f"localStorage.getItem('sportello.lang') || "
                f"localStorage.setItem('sportello.lang', '{lang}')"
            )
        await page.goto(path)
        return page

    def watched(self, page: Page) -> Watched:
        return next(w for c, w in self.contexts if page in c.pages)

    async def login(
        self,
        role: str = "contact of one client",
        org: str = HOME,
        *,
        identifier: str | None = None,
        password: str = DEMO_PASSWORD,
        lang: str | None = None,
        then: str | None = None,
    ) -> Page:
        """A page logged in through the login form as a demo account (or ``identifier``),
        on the dashboard, or on ``then`` afterwards."""
        page = await self.open(f"/?org={org}", lang=lang)
        await page.locator("input[name=identifier]").fill(identifier or demo_identifier(role, org))
        await page.locator("input[name=password]").fill(password)
        await page.locator("form button[type=submit]").click()
        await page.wait_for_url("**/portal**")
        await page.locator("main h1").first.wait_for()
        if then is not None:
            # Leaving before the dashboard's requests end would abort them.
            await page.wait_for_load_state("networkidle")
            await page.goto(then)
            await page.locator("main h1").first.wait_for()
        return page

    async def close(self) -> list[str]:
        problems: list[str] = []
        for context, watched in self.contexts:
            await context.close()
            problems.extend(watched.unexpected())
        self.contexts.clear()
        return problems


@pytest.fixture
async def portal(web_server: WebServer, browser: Browser) -> AsyncIterator[Portal]:
    """Pages of the portal; the test fails if any showed a console error or a failed request."""
    opened = Portal(web_server, browser)
    yield opened
    problems = await opened.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def portal_page(portal: Portal) -> Callable[..., Awaitable[Page]]:
    """``await portal_page(login_as="contact of one client", org="brillanti", lang="it")``: a
    page logged in through the login form (the contract's fixture for the pages' tests)."""

    async def open_page(
        login_as: str = "contact of one client", org: str = HOME, lang: str | None = None
    ) -> Page:
        return await portal.login(login_as, org, lang=lang)

    return open_page


AXE_SCRIPT = files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


async def check_accessibility(page: Page) -> None:
    """axe-core on the page as it is: no serious or critical violation."""
    await page.evaluate(AXE_SCRIPT)
    results: dict[str, Any] = await page.evaluate(
        "axe.run(document, {resultTypes: ['violations']})"
    )
    serious = [v for v in results["violations"] if v.get("impact") in SERIOUS]
    report = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in serious
    ]
    assert not serious, "\n".join(report)


async def screenshot(page: Page, name: str) -> None:
    """The page at phone and desktop width, into tests/web/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    before = page.viewport_size or DESKTOP
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        await page.set_viewport_size(size)
        await page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
        # Readable at that width: nothing sticks out sideways (a table scrolls in its box).
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name}: {width} px wide at {label} width"
    await page.set_viewport_size(before)


async def settle(page: Page) -> None:
    """Waits until the page has no request in flight (its data drawn)."""
    await page.wait_for_load_state("networkidle")


I18N = Path(__file__).resolve().parents[2] / "web" / "i18n"
LANGUAGES = ("it", "es", "en")
ENTRY = re.compile(r'^\s*("(?:[^"\\]|\\.)*")\s*:\s*("(?:[^"\\]|\\.)*"),?\s*$', re.MULTILINE)


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """The texts of web/i18n/<lang>.js (each entry is a JSON string pair on its own line)."""
    source = (I18N / f"{lang}.js").read_text(encoding="utf-8")
    return {json.loads(key): json.loads(value) for key, value in ENTRY.findall(source)}


def text(lang: str, key: str, **values: object) -> str:
    """What the page shows for ``key`` in ``lang``, ``{name}`` filled from ``values``."""
    found = catalogue(lang)[key]
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), found)


async def organization_id(live: Live, slug: str = HOME) -> uuid.UUID:
    found: uuid.UUID = await live.scalar("SELECT id FROM organization WHERE slug = :s", s=slug)
    return found
