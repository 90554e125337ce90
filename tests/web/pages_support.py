"""Helpers of the pages helper's browser tests (tables, tickets, interventions, booking,
invitations), on top of the shell's fixtures in tests/web/conftest.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from playwright.async_api import Page, Request

from tests.security.conftest import HOME
from tests.web.conftest import TIMEOUT_MS, Portal, WebServer

QUIET_SECONDS = 0.3
SPA_NAVIGATION = (
    "path => { history.pushState(null, '', path); dispatchEvent(new PopStateEvent('popstate')) }"
)
INVITE = """mutation Invite($input: CreatePortalAccessInput!) {
  createPortalAccess(input: $input) { id }
}"""


class InFlight:
    """The requests a page has started and not yet finished."""

    def __init__(self, page: Page) -> None:
        self.pending: set[Request] = set()
        page.on("request", self.started)
        page.on("requestfinished", self.ended)
        page.on("requestfailed", self.ended)

    def started(self, request: Request) -> None:
        self.pending.add(request)

    def ended(self, request: Request) -> None:
        self.pending.discard(request)

    async def quiet(self) -> None:
        """Waits until no request has been in flight for a moment (the page drawn)."""
        waited = 0.0
        calm = 0.0
        while calm < QUIET_SECONDS:
            await asyncio.sleep(0.05)
            waited += 0.05
            calm = 0.0 if self.pending else calm + 0.05
            assert waited * 1000 < TIMEOUT_MS, f"still loading: {[r.url for r in self.pending]}"


_watched: dict[int, InFlight] = {}


def in_flight(page: Page) -> InFlight:
    if id(page) not in _watched:
        _watched[id(page)] = InFlight(page)
    return _watched[id(page)]


async def go(page: Page, path: str) -> None:
    """Moves to ``path`` inside the portal as its links do (History API, no new document),
    then waits for its heading and for its data: leaving a page by loading a new document
    while one of its requests is in flight would abort it, a failed request."""
    tracker = in_flight(page)
    await page.evaluate(
        SPA_NAVIGATION,
        path,
    )
    await page.wait_for_url(f"**{path.split('?')[0]}*")
    await page.locator("main h1").first.wait_for()
    await tracker.quiet()


async def open_as(
    portal: Portal, role: str, org: str = HOME, *, lang: str | None = None, path: str
) -> Page:
    """A page logged in as a demo account through the login form, then at ``path``."""
    page = await portal.login(role, org, lang=lang)
    await go(page, path)
    return page


async def redrawn(page: Page, act: Callable[[], Awaitable[object]]) -> None:
    """Does ``act`` (a click that reloads part of the page) and waits until the new data is
    drawn: its GraphQL answer has come and no part of the page is still busy."""
    async with page.expect_response("**/graphql"):
        await act()
    await page.locator("[aria-busy=true]").wait_for(state="detached")
    await in_flight(page).quiet()


async def invitation_link(
    web_server: WebServer, email: str, first: str, last: str, **access: Any
) -> str:
    """The link mailed to ``email`` once the office gives that person a portal access with an
    invitation; ``access`` holds the input's grants and flags."""
    live = web_server.live
    person = {"firstName": first, "lastName": last, "email": email, "sendInvitation": True}
    await live.data(INVITE, await live.token("staff admin"), input=person | access)
    return await web_server.link_sent_to(email)
