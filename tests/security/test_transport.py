"""Transport and cross-site request forgery: what reaches /graphql other than one JSON
operation from an allowed page, and what an attacker's page can make a logged-in browser do."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.security.conftest import HOME, Live

# Changes an attacker would love to make with a victim's cookie: switch the portal off for the
# whole organization and end the victim's session.
HARMFUL = "mutation { setPortalEnabled(enabled: false) logout }"
VIEWER = "{ viewer { kind } }"


@pytest.fixture
async def victim(live: Live) -> AsyncIterator[str]:
    """A fresh staff admin session; after the test the organization must be as it was."""
    token = await live.fresh_token("staff admin")
    yield token
    assert await portal_enabled(live), "an attack switched the portal off"


async def portal_enabled(live: Live) -> bool:
    enabled = await live.scalar("SELECT portal_enabled FROM organization WHERE slug = :s", s=HOME)
    assert isinstance(enabled, bool)
    return enabled


async def still_logged_in(live: Live, token: str) -> bool:
    answer = await live.gql(VIEWER, token=token)
    return answer.status_code == 200 and answer.json()["data"]["viewer"]["kind"] == "STAFF"


def refused(response: httpx.Response, status: int, code: str) -> None:
    """One error with ``code``, nothing executed."""
    assert response.status_code == status, response.text
    body = response.json()
    assert "data" not in body or body["data"] is None, body
    assert len(body["errors"]) == 1, body
    assert body["errors"][0]["extensions"]["code"] == code, body


@pytest.mark.parametrize("operation", [VIEWER, HARMFUL])
@pytest.mark.parametrize("credential", ["cookie", "bearer"])
async def test_no_operation_runs_over_get(
    live: Live, victim: str, operation: str, credential: str
) -> None:
    """An <img src> or a link to /graphql?query=... gets 405 and changes nothing."""
    headers = {"origin": live.origin}
    if credential == "cookie":
        headers["cookie"] = f"sportello_session={victim}"
    else:
        headers["authorization"] = f"Bearer {victim}"
    answer = await live.request("GET", "/graphql", params={"query": operation}, headers=headers)
    refused(answer, 405, "METHOD_NOT_ALLOWED")
    assert answer.headers["allow"] == "POST"
    assert await still_logged_in(live, victim)


def form_request(encoding: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The request a cross-site <form> (or a fetch without preflight) can send: its body
    arguments and headers."""
    if encoding == "form":
        return {"data": {"query": HARMFUL}}, {}
    if encoding == "text":
        return {"content": json.dumps({"query": HARMFUL}).encode()}, {"content-type": "text/plain"}
    operations = json.dumps({"query": HARMFUL, "variables": {}})
    files = {"0": ("x.txt", b"x", "text/plain")}
    return {"data": {"operations": operations, "map": "{}"}, "files": files}, {}


@pytest.mark.parametrize("encoding", ["form", "text", "multipart"])
@pytest.mark.parametrize("origin", ["https://evil.example", "own", None])
async def test_form_text_and_multipart_posts_carry_no_operation(
    live: Live, victim: str, encoding: str, origin: str | None
) -> None:
    """A hidden form posting the mutation with the victim's cookie: 415, nothing changes."""
    request, headers = form_request(encoding)
    headers["cookie"] = f"sportello_session={victim}"
    if origin is not None:
        headers["origin"] = live.origin if origin == "own" else origin
    answer = await live.request("POST", "/graphql", headers=headers, **request)
    refused(answer, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert await still_logged_in(live, victim)


def foreign_origins(live: Live) -> list[dict[str, str]]:
    """Origin (or Referer) headers of pages that are not the service's own."""
    own = urlsplit(live.origin)
    return [
        {"origin": "https://evil.example"},
        {"origin": "null"},  # sandboxed iframes and data: URLs
        {"origin": f"{live.origin}.evil.example"},
        {"origin": f"http://{own.hostname}:1"},
        {"origin": f"https://{own.netloc}"},
        {"origin": f"http://localhost:{own.port}"},
        {"referer": "https://evil.example/page"},
        {"referer": f"https://evil.example/{live.origin}/"},
        {},  # neither header
    ]


async def test_a_cookie_from_a_foreign_page_is_refused(live: Live, victim: str) -> None:
    """A cross-site fetch() with credentials: 403 before anything runs, from every origin
    that is not exactly the public URL's."""
    cookie = {"cookie": f"sportello_session={victim}"}
    own = await live.gql(VIEWER, headers=cookie)
    assert own.status_code == 200
    assert own.json() == {"data": {"viewer": {"kind": "STAFF"}}}
    for headers in foreign_origins(live):
        answer = await live.gql(HARMFUL, origin=None, headers=cookie | headers)
        refused(answer, 403, "FORBIDDEN")
        answer = await live.gql(VIEWER, origin=None, headers=cookie | headers)
        refused(answer, 403, "FORBIDDEN")
    assert await still_logged_in(live, victim)


async def test_foreign_pages_cannot_read_any_answer(live: Live, victim: str) -> None:
    """No CORS header invites another origin to read answers or to send a preflighted request."""
    evil = "https://evil.example"
    preflight = await live.request(
        "OPTIONS",
        "/graphql",
        headers={
            "origin": evil,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type, authorization",
        },
    )
    answers = [
        preflight,
        await live.gql(VIEWER, token=victim, origin=evil),
        await live.request(
            "GET",
            "/export/clients.csv",
            headers={"origin": evil, "cookie": f"sportello_session={victim}"},
        ),
    ]
    for answer in answers:
        exposed = {k for k in answer.headers if k.lower().startswith("access-control-")}
        assert exposed == set(), (answer.request.method, answer.request.url, exposed)


async def test_batches_are_refused_whole(live: Live, victim: str) -> None:
    """An array of operations runs none of them: one error, no data, no session."""
    batch = [{"query": HARMFUL}, {"query": VIEWER}]
    answer = await live.request(
        "POST", "/graphql", json=batch, headers={"authorization": f"Bearer {victim}"}
    )
    refused(answer, 400, "BAD_REQUEST")
    assert await still_logged_in(live, victim)
    login = {
        "query": 'mutation($p: String!) { login(organization: "brillanti", '
        'identifier: "giulia.ferri@brillanti.example", password: $p) { token } }',
        "variables": {"p": "Sportello-demo-2024!"},
    }
    answer = await live.request("POST", "/graphql", json=[login, login])
    refused(answer, 400, "BAD_REQUEST")
    assert "sps_" not in answer.text
    assert "set-cookie" not in answer.headers


async def test_bodies_over_the_limit_are_refused_with_413(live: Live, victim: str) -> None:
    """A 1 MB document and 10 MB of variables are refused as too large, whoever sends them."""
    bearer = {"authorization": f"Bearer {victim}"}
    megabyte_query = {"query": "{ apiVersion " + " " * 1_000_000 + "}"}
    ten_megabyte_variables = {
        "query": "query($v: String) { apiVersion }",
        "variables": {"v": "x" * 10_000_000},
    }
    for body in (megabyte_query, ten_megabyte_variables):
        for headers in (bearer, {}):
            started = time.perf_counter()
            answer = await live.request("POST", "/graphql", json=body, headers=headers)
            elapsed = time.perf_counter() - started
            print(f"{len(json.dumps(body)):>10} bytes: {answer.status_code} in {elapsed:.3f} s")
            refused(answer, 413, "PAYLOAD_TOO_LARGE")


async def raw_request(live: Live, head: bytes, body_parts: list[bytes]) -> bytes:
    """Send a request by hand and return what the server answers, without sending more of
    the body once an answer has arrived."""
    address = urlsplit(live.base_url)
    assert address.hostname is not None
    assert address.port is not None
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    try:
        writer.write(head)
        # The server may answer and close while parts are still being sent.
        with contextlib.suppress(ConnectionError):
            for part in body_parts:
                writer.write(part)
                await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
        length = re.search(rb"(?i)content-length: *(\d+)", head)
        size = int(length.group(1)) if length else 0
        return head + await asyncio.wait_for(reader.readexactly(size), timeout=10)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def test_a_declared_huge_body_is_refused_before_it_is_sent(live: Live) -> None:
    """Content-Length of 10 MB and only 1 KB sent: the 413 arrives without waiting for more,
    so the server never buffers (or parses) what it will refuse."""
    head = (
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n"
    )
    started = time.perf_counter()
    answer = await raw_request(live, head, [b'{"query": "' + b" " * 1000])
    print(f"declared 10 MB, sent 1 KB: answered in {time.perf_counter() - started:.3f} s")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"PAYLOAD_TOO_LARGE" in answer


async def test_a_chunked_body_is_cut_off_at_the_limit(live: Live) -> None:
    """No Content-Length, chunks of 10 KB: the server stops reading past its limit and answers
    413 while the sender still has more to send."""
    head = (
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b" " * 10_000
    parts = [b'2710\r\n{"query": "' + chunk[11:] + b"\r\n"]
    parts += [b"2710\r\n" + chunk + b"\r\n"] * 14  # 150 KB in all, never terminated
    answer = await raw_request(live, head, parts)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


@pytest.mark.parametrize("who", ["anonymous", "contact of one client", "staff admin"])
async def test_graphiql_is_not_served(live: Live, who: str) -> None:
    """A browser opening /graphql gets no playground outside development mode, not even staff."""
    headers = {"accept": "text/html,application/xhtml+xml", "origin": live.origin}
    if who != "anonymous":
        headers["cookie"] = f"sportello_session={await live.token(who)}"
    answer = await live.request("GET", "/graphql", headers=headers)
    refused(answer, 405, "METHOD_NOT_ALLOWED")
    assert answer.headers["content-type"].startswith("application/json")
    assert "<html" not in answer.text.lower()
    assert "graphiql" not in answer.text.lower()
