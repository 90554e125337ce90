"""GraphiQL for staff, in development mode only (``sportello run`` turns development on).

``GET /graphql`` from a browser: staff with a session cookie get GraphiQL (which then posts to
``/graphql`` with that cookie); anyone else gets a small login form that calls the ``login``
mutation and reloads. Outside development mode ``GET /graphql`` stays refused (405).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse
from strawberry.http.ides import get_graphql_ide_html

from authz.authenticate import authenticate
from authz.login import now_utc
from authz.principals import StaffPrincipal
from schema.errors import ApiError
from sportello.state import AppState

LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sportello: staff login</title>
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto}
label{display:block;margin:.6rem 0}input{width:100%;padding:.4rem}
button{margin-top:1rem;padding:.5rem 1rem}#error{color:#b00020}</style></head>
<body><h1>Sportello</h1><p>GraphiQL is for staff. Log in first.</p>
<form id="login">
<label>Organization <input name="organization" required autocomplete="organization"></label>
<label>Email or phone <input name="identifier" required autocomplete="username"></label>
<label>Password <input name="password" type="password" required
 autocomplete="current-password"></label>
<button type="submit">Log in</button><p id="error" role="alert"></p></form>
<script>
document.getElementById("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const response = await fetch("/graphql", {
    method: "POST",
    headers: {"content-type": "application/json"},
    body: JSON.stringify({
      query: "mutation($o: String!, $i: String!, $p: String!) " +
        "{ login(organization: $o, identifier: $i, password: $p) { accountKind } }",
      variables: {o: form.get("organization"), i: form.get("identifier"),
                  p: form.get("password")},
    }),
  });
  const body = await response.json();
  if (body.errors) {
    document.getElementById("error").textContent = body.errors[0].message;
  } else {
    window.location.reload();
  }
});
</script></body></html>
"""


async def playground(request: Request) -> HTMLResponse:
    state: AppState = request.app.state.sportello
    async with state.engine.connect() as db, db.begin():
        try:
            identity = await authenticate(
                db, request, state.settings, now_utc(), check_origin=False
            )
        except ApiError:
            return HTMLResponse(LOGIN_PAGE, status_code=401)
    if isinstance(identity.principal, StaffPrincipal):
        return HTMLResponse(get_graphql_ide_html("graphiql"))
    return HTMLResponse(LOGIN_PAGE, status_code=401 if identity.scope is None else 403)
