"""Sending what an attacker sends at the edges of input: JSON bodies whose strings are not
Unicode text (lone UTF-16 surrogates, which JSON's \\u escapes can spell), shared by
test_input_edges.py and test_properties.py."""

from __future__ import annotations

import json
from typing import Any

import httpx

from authz.identity.authenticate import COOKIE
from tests.security.conftest import Live


def json_body(value: Any) -> bytes:
    """JSON in UTF-8, or with every non-ASCII character escaped when it holds a lone
    surrogate, which travels as ``\\ud800`` (httpx's own encoder writes UTF-8, which
    cannot hold one)."""
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True).encode("ascii")


def graphql_headers(live: Live, token: str | None, cookie: str | None = None) -> dict[str, str]:
    headers = {"content-type": "application/json", "origin": live.origin}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    if cookie is not None:
        headers["cookie"] = f"{COOKIE}={cookie}"
    return headers


async def post(
    live: Live,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    operation_name: str | None = None,
) -> httpx.Response:
    """POST /graphql like ``Live.gql``, any string allowed."""
    body: dict[str, Any] = {"query": query, "variables": variables or {}}
    if operation_name is not None:
        body["operationName"] = operation_name
    return await live.request(
        "POST", "/graphql", content=json_body(body), headers=graphql_headers(live, token)
    )
