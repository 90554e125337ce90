"""The client portal's web pages: ``web/`` served by Sportello itself (SPEC §9).

- ``GET /static/<file>``: the portal's own scripts, stylesheet and images from ``web/`` (only
  those kinds of file: the folder's README and anything else stay unserved).
- ``GET /``, ``/invitation``, ``/reset-password``, ``/forgot-password``, ``/portal`` and every
  path below it: ``web/index.html``; the page's script picks what to draw from the path, so a
  link from an email or a reload lands on the right page.

Every answer carries a strict Content-Security-Policy: scripts, styles, images and requests
from this origin only (no inline script or style, no third-party origin, so the portal works
on a network without internet and an injected ``<script>`` does not run), no framing, and no
Referer (the tokens of invitation and reset links live in the URL's fragment; nothing of the
page's address leaves it).
"""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from sportello.base.errors import StartupError

WEB_DIR = Path(__file__).resolve().parent.parent / "web"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # data: and blob: for images drawn or downloaded by the page itself.
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    # Always revalidated (ETag / Last-Modified): a new release is picked up at the next load.
    "Cache-Control": "no-cache",
}
# What /static/ serves, by suffix; anything else in web/ (README.md) is a 404.
ASSET_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
# The paths that answer the page (the web client's router draws the rest).
PAGE_PATHS = ("/", "/invitation", "/reset-password", "/forgot-password", "/portal")


class MissingWebClient(StartupError):
    """The web/ folder is not next to the sportello package (an install without it)."""


class WebAssets(StaticFiles):
    """web/ under /static/, only scripts, styles and images, with the security headers."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        suffix = Path(path).suffix
        if suffix not in ASSET_TYPES or any(part.startswith(".") for part in Path(path).parts):
            raise HTTPException(status_code=404)
        response = await super().get_response(path, scope)
        response.headers.update(SECURITY_HEADERS)
        if response.status_code == 200:
            response.headers["Content-Type"] = ASSET_TYPES[suffix]
        return response


def web_routes(web_dir: Path = WEB_DIR) -> list[BaseRoute]:
    """The routes of the web client in ``web_dir``; index.html is read once, here."""
    index = web_dir / "index.html"
    if not index.is_file():
        raise MissingWebClient(
            f"{index} is missing: run Sportello from its source tree, which holds web/."
        )
    page_bytes = index.read_bytes()

    async def page(_: Request) -> Response:
        """The one HTML page of the client; its script draws the page of the path."""
        return Response(page_bytes, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)

    pages: list[BaseRoute] = [Route(path, page, methods=["GET", "HEAD"]) for path in PAGE_PATHS]
    pages.append(Route("/portal/{rest:path}", page, methods=["GET", "HEAD"]))
    return [*pages, Mount("/static", WebAssets(directory=web_dir), name="static")]
