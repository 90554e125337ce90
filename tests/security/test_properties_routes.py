"""Property-based tests of input at the edges, over HTTP outside GraphQL: every export
parameter, the slots of a download link, and the path parameters of every GET route get the
values of tests/security/strategies.py (test_properties.py says why and how many), and never
answer with a server error."""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

import httpx
from hypothesis import given
from hypothesis import strategies as st
from starlette.routing import Route

from schema.kit import ids
from sportello.app import create_app
from sportello.base.settings import Settings
from sportello.exports import EXPORTS
from sportello.exports.reports import REPORTS
from tests.security import strategies
from tests.security.conftest import Live
from tests.security.sdl import INTERNALS
from tests.security.strategies import CURSORS, DAYS, EXAMPLES, MOMENTS, TEXT, hypothesis_settings

SERVER_ENVIRONMENT = strategies.SERVER_ENVIRONMENT


def export_requests() -> list[tuple[str, str, dict[str, str]]]:
    """(export, parameter, the other parameters it needs) for every parameter of every
    export: the reports need a period."""
    found = []
    for name, export in EXPORTS.items():
        needed = {"from": "2026-11-01", "to": "2026-11-23"} if name in REPORTS else {}
        for parameter in sorted(export.parameters):
            found.append((name, parameter, {k: v for k, v in needed.items() if k != parameter}))
    return found


# Query strings carry what a URL can: any text (percent-encoded UTF-8, a surrogate as the
# three bytes of its UTF-8-like encoding), days, times, forged cursors and ids.
PARAMETER_VALUES = st.one_of(DAYS, MOMENTS, CURSORS, TEXT)


def percent(text: str) -> str:
    """``text`` percent-encoded as UTF-8, a lone surrogate as its three bytes (WTF-8)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def query_string(params: dict[str, str]) -> str:
    return "&".join(f"{percent(k)}={percent(v)}" for k, v in params.items())


def refused_as_json(answer: httpx.Response, problems: list[str], where: str) -> None:
    """A CSV, or an error answer in the JSON shape with a request id; never a 5xx."""
    shown = f"{where}: {answer.status_code} {answer.text[:300]}"
    if answer.status_code >= 500:
        problems.append(f"server error: {shown}")
        return
    if answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv"):
        return
    if 300 <= answer.status_code < 400:  # "/files/" redirected to "/files": nothing served
        return
    try:
        error = answer.json()["errors"][0]
    except (ValueError, KeyError, IndexError):
        problems.append(f"not the JSON error shape: {shown}")
        return
    if error["extensions"].get("requestId") != answer.headers.get("x-request-id"):
        problems.append(f"no request id: {shown}")
    if INTERNALS.search(error.get("message", "")):
        problems.append(f"message shows internals: {shown}")


def probe_export(
    client: httpx.Client,
    headers: dict[str, str],
    name: str,
    parameter: str,
    needed: dict[str, str],
    problems: list[str],
) -> None:
    @hypothesis_settings()
    @given(value=PARAMETER_VALUES)
    def run(value: str) -> None:
        # A URL carries far less than 64 KB (the server's limit of a request line).
        params = {**needed, parameter: value[:500]}
        answer = client.get(f"/export/{name}.csv?{query_string(params)}", headers=headers)
        refused_as_json(answer, problems, f"{name}.csv {parameter}")

    run()


async def test_every_export_parameter_takes_edge_input_without_a_server_error(
    live: Live,
) -> None:
    """Every parameter of every export (sportello/exports), as staff: a CSV or a refusal in
    the JSON error shape with a request id."""
    headers = {"authorization": f"Bearer {await live.token('staff admin')}"}
    problems: list[str] = []
    with httpx.Client(base_url=live.base_url, timeout=60) as client:
        for name, parameter, needed in export_requests():
            probe_export(client, headers, name, parameter, needed, problems)
    assert not problems, "\n".join(problems[:20])


async def test_download_links_take_edge_input_without_a_server_error(live: Live) -> None:
    """``/files/{id}?expires=&sig=``: every slot, anything: the one 404 for a bad link."""
    headers = {"authorization": f"Bearer {await live.token('staff admin')}"}
    problems: list[str] = []
    document = ids.encode("Document", uuid.UUID(int=1))
    with httpx.Client(base_url=live.base_url, timeout=60) as client:

        @hypothesis_settings(EXAMPLES * 10)
        @given(
            slot=st.sampled_from(["id", "expires", "sig"]),
            value=st.one_of(TEXT, CURSORS).map(lambda v: v[:500]),
        )
        def run(slot: str, value: str) -> None:
            parts = {"id": document, "expires": "99999999999", "sig": "x", slot: value}
            encoded = {k: percent(v) for k, v in parts.items()}
            url = f"/files/{encoded['id']}?expires={encoded['expires']}&sig={encoded['sig']}"
            answer = client.get(url, headers=headers)
            refused_as_json(answer, problems, f"/files {slot}")

        run()
    assert not problems, "\n".join(problems[:20])


async def get_routes(live: Live) -> list[str]:
    """The path templates of the app's GET routes with path parameters (the app built for
    its route table only: nothing is served or connected)."""
    app = create_app(Settings(database_url=live.database_url))
    await app.state.sportello.close()
    return sorted(
        route.path
        for route in app.routes
        if isinstance(route, Route) and "{" in route.path and "GET" in (route.methods or ())
    )


def probe_route(
    client: httpx.Client, staff: dict[str, str], template: str, problems: list[str]
) -> None:
    @hypothesis_settings(EXAMPLES * 5)
    @given(value=st.one_of(TEXT, DAYS, CURSORS).map(lambda v: v[:500]), as_staff=st.booleans())
    def run(value: str, as_staff: bool) -> None:
        path = re.sub(r"\{[^}]+\}", percent(value) or "x", template)
        answer = client.get(f"{path}?v={percent(value)}", headers=staff if as_staff else {})
        if answer.status_code >= 500:
            problems.append(f"{template}: {answer.status_code} {answer.text[:300]}")

    run()


async def test_every_get_route_takes_edge_path_parameters_without_a_server_error(
    live: Live,
) -> None:
    """Every GET route with path parameters (exports, downloads, logos, whatever is added),
    anonymous and as staff, any text in each parameter and in a query parameter: no 5xx."""
    staff = {"authorization": f"Bearer {await live.token('staff admin')}"}
    problems: list[str] = []
    with httpx.Client(base_url=live.base_url, timeout=60) as client:
        for template in await get_routes(live):
            probe_route(client, staff, template, problems)
    assert not problems, "\n".join(problems[:20])
