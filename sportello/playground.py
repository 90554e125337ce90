"""GraphiQL for staff, in development mode only (``sportello run`` turns development on).

``GET /graphql`` from a browser: staff with a session cookie get GraphiQL (which then posts to
``/graphql`` with that cookie); anyone else gets a small login form that calls the ``login``
mutation and reloads. Outside development mode ``GET /graphql`` stays refused (405).

Every file the two pages load comes from this server, under ``/playground/``: GraphiQL and
React as installed from their npm packages at install time (sportello/graphiql_assets.py),
and our own script and stylesheet (sportello/playground_files/). So the playground works on a
network without internet, and the pages' Content-Security-Policy names no other origin and
allows no inline script.
"""

from __future__ import annotations

import html
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from authz.rules import allow, staff
from sportello import graphiql_assets
from sportello.errors import Refusal, problem
from sportello.opening import Gate, opened
from sportello.state import AppState

OWN_FILES = Path(__file__).resolve().parent / "playground_files"
PREFIX = "/playground/"
JAVASCRIPT = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"
# Name under /playground/ -> (file, content type, cache). GraphiQL's files never change at a
# version (its folder is named by it); ours change with the code, so browsers revalidate.
FILES: dict[str, tuple[Path, str, str]] = {
    **{
        name: (graphiql_assets.ASSET_DIR / name, JAVASCRIPT, "public, max-age=86400")
        for name in graphiql_assets.SCRIPTS
    },
    graphiql_assets.STYLESHEET: (
        graphiql_assets.ASSET_DIR / graphiql_assets.STYLESHEET,
        CSS,
        "public, max-age=86400",
    ),
    "start.js": (OWN_FILES / "start.js", JAVASCRIPT, "no-cache"),
    "login.js": (OWN_FILES / "login.js", JAVASCRIPT, "no-cache"),
    "playground.css": (OWN_FILES / "playground.css", CSS, "no-cache"),
}
# GraphiQL's stylesheet embeds its fonts and icons as data: URLs; React sets styles through
# the DOM (not inline markup), which the policy allows. The pages' icon is an empty data: URL,
# so browsers ask for no /favicon.ico.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self' data:; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
STAFF = Gate(allow(staff()), "GraphiQL is for staff.")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

LOGIN_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sportello: staff login</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><link rel="stylesheet" href="{PREFIX}playground.css"></head>
<body><main class="login"><h1>Sportello</h1><p>GraphiQL is for staff. Log in first.</p>
<form id="login">
<label>Organization <input name="organization" required autocomplete="organization"></label>
<label>Email or phone <input name="identifier" required autocomplete="username"></label>
<label>Password <input name="password" type="password" required
 autocomplete="current-password"></label>
<button type="submit">Log in</button><p id="error" class="error" role="alert"></p></form>
</main><script src="{PREFIX}login.js"></script></body></html>
"""

_SCRIPTS = "\n".join(
    f'<script src="{PREFIX}{name}"></script>' for name in (*graphiql_assets.SCRIPTS, "start.js")
)
GRAPHIQL_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sportello: GraphiQL</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="{PREFIX}{graphiql_assets.STYLESHEET}">
<link rel="stylesheet" href="{PREFIX}playground.css"></head>
<body><div id="graphiql">Loading...</div>
{_SCRIPTS}
</body></html>
"""

MISSING_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sportello: GraphiQL is not installed</title>
<link rel="stylesheet" href="{PREFIX}playground.css"></head>
<body><main class="login"><h1>GraphiQL is not installed</h1>
<p>Its files are installed once from their npm packages: run <code>make run</code>, or
<code>.venv/bin/python -m sportello.graphiql_assets</code>, then reload this page.</p>
<p>Missing: <code>{html.escape(str(graphiql_assets.ASSET_DIR))}</code></p></main></body></html>
"""


def page(text: str, status: int) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=HEADERS)


async def playground(request: Request) -> HTMLResponse:
    """GraphiQL for staff; the login form, with the status of the refusal, for anyone else."""
    try:
        async with opened(request, STAFF, check_origin=False) as opening:
            await opening.transaction.commit()
    except Refusal as refused:
        return page(LOGIN_PAGE, refused.status)
    if not graphiql_assets.installed():
        return page(MISSING_PAGE, 503)
    return page(GRAPHIQL_PAGE, 200)


async def playground_file(request: Request) -> Response:
    """A file of the playground's pages, in development mode only (like the pages)."""
    state: AppState = request.app.state.sportello
    known = FILES.get(request.path_params["name"])
    if not state.settings.development or known is None or not known[0].is_file():
        return problem(404, "NOT_FOUND", "No such file.")
    path, media_type, cache = known
    return FileResponse(
        path,
        media_type=media_type,
        headers={"Cache-Control": cache, "X-Content-Type-Options": "nosniff"},
    )
