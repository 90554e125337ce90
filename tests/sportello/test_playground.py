"""GraphiQL only for staff sessions, only in development mode, and with nothing from the
internet: every file its pages load comes from this server."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx

from sportello import graphiql_assets
from tests.api import ORIGIN, Demo
from tests.conftest import MakeClient

HTML = {"accept": "text/html"}
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


class References(HTMLParser):
    """Every URL a page loads: scripts, stylesheets, images, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href"} and value is not None:
                self.urls.append(value)


def references(page: str) -> list[str]:
    parser = References()
    parser.feed(page)
    return parser.urls


async def assert_served_from_here(client: httpx.AsyncClient, page: httpx.Response) -> None:
    """The page loads only same-origin paths, each answers 200 with its content type, no
    inline script runs, and the policy names no other origin."""
    urls = [url for url in references(page.text) if url != "data:,"]  # the empty icon
    assert urls
    for url in urls:
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        suffix = url[url.rfind(".") :]
        assert asset.headers["content-type"] == CONTENT_TYPES[suffix], url
        assert asset.content
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), "an inline script"
    assert "<style" not in page.text
    assert " style=" not in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert not re.search(r"https?:|\*", policy), policy


async def test_graphiql_is_for_staff_in_development_mode(
    make_client: MakeClient, demo_database: str
) -> None:
    client = await make_client(demo_database, development=True)
    anonymous = await client.get("/graphql", headers=HTML)
    assert anonymous.status_code == 401
    assert "GraphiQL is for staff" in anonymous.text
    await assert_served_from_here(client, anonymous)
    demo = Demo(None, client)  # type: ignore[arg-type]
    staff = await demo.login(demo.login_of("staff admin"), "Sportello-demo-2024!", org="brillanti")
    assert staff.status_code == 200
    page = await client.get("/graphql", headers=HTML)
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    client.cookies.clear()
    await demo.login(
        demo.login_of("contact of one client"), "Sportello-demo-2024!", org="brillanti"
    )
    contact = await client.get("/graphql", headers=HTML)
    assert contact.status_code == 403
    assert "graphiql.min.js" not in contact.text.lower()


async def test_graphiql_loads_only_files_of_this_server(
    make_client: MakeClient, demo_database: str
) -> None:
    """No CDN: GraphiQL, React and the start script are files of this server, the real
    GraphiQL build installed from its npm package (make run / make test install it)."""
    assert graphiql_assets.installed(), "run .venv/bin/python -m sportello.graphiql_assets"
    client = await make_client(demo_database, development=True)
    demo = Demo(None, client)  # type: ignore[arg-type]
    await demo.login(demo.login_of("staff admin"), "Sportello-demo-2024!", org="brillanti")
    page = await client.get("/graphql", headers=HTML)
    assert page.status_code == 200
    await assert_served_from_here(client, page)
    urls = references(page.text)
    for name in (*graphiql_assets.SCRIPTS, graphiql_assets.STYLESHEET, "start.js"):
        assert f"/playground/{name}" in urls
    # The start script comes after GraphiQL and React, which it uses.
    assert urls[-1] == "/playground/start.js"
    graphiql = await client.get("/playground/graphiql.min.js")
    assert b"GraphiQL" in graphiql.content
    assert len(graphiql.content) > 500_000
    # Only the listed files: no path reaches anything else on disk.
    for other in ("../playground.py", "LICENSE.graphiql.txt", "%2e%2e%2fsettings.py", "x.js"):
        assert (await client.get(f"/playground/{other}")).status_code == 404, other


async def test_no_graphiql_outside_development_mode(
    make_client: MakeClient, demo_database: str
) -> None:
    client = await make_client(demo_database)
    demo = Demo(None, client)  # type: ignore[arg-type]
    await demo.login(demo.login_of("staff admin"), "Sportello-demo-2024!", org="brillanti")
    page = await client.get("/graphql", headers=HTML | ORIGIN)
    assert page.status_code == 405
    assert (await client.get("/playground/graphiql.min.js")).status_code == 404
