"""Denial of service: documents built to cost the server far more than they cost the sender.
Each is refused before it runs, with one error (not one per offending node), and quickly;
times are printed for the record, never asserted (shared machines)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from graphql import GraphQLObjectType, get_named_type, is_required_argument

from tests.security.conftest import Dedicated, Live, without_request_ids
from tests.security.sdl import audience_schema

SELECTION_LEVELS = 12


def deep_chain(levels: int) -> str:
    """clients > edges > node > sites > edges > node > client > sites > ... ``levels`` deep."""
    steps = ["clients", "edges", "node", "sites", "edges", "node", "client"]
    cycle = ["sites", "edges", "node", "client"]
    while len(steps) < levels:
        steps += cycle
    inner = "name"
    for step in reversed(steps[:levels]):
        inner = f"{step} {{ {inner} }}"
    return f"{{ {inner} }}"


def deep_through_fragments(levels: int) -> str:
    """The same depth, hidden in fragments that spread each other."""
    fragments = ["fragment L0 on Client { name }"]
    for n in range(1, levels):
        inner = f"client {{ ...L{n - 1} }}"
        fragments.append(
            f"fragment L{n} on Client {{ sites {{ edges {{ node {{ {inner} }} }} }} }}"
        )
    return f"{{ clients {{ edges {{ node {{ ...L{levels - 1} }} }} }} }}\n" + "\n".join(fragments)


def multiplying_fragments(levels: int) -> str:
    """F(n) spreads F(n-1) twice: 2^levels fields from a few hundred bytes ("billion laughs")."""
    fragments = ["fragment F0 on Query { apiVersion }"]
    fragments += [
        f"fragment F{n} on Query {{ ...F{n - 1} ...F{n - 1} }}" for n in range(1, levels + 1)
    ]
    return f"{{ ...F{levels} }}\n" + "\n".join(fragments)


ATTACKS: dict[str, tuple[str, dict[str, Any]]] = {
    "depth 11": (deep_chain(11), {}),
    "depth 30": (deep_chain(30), {}),
    "depth through fragments": (deep_through_fragments(4), {}),
    "101 aliases": ("{ " + " ".join(f"a{n}: apiVersion" for n in range(101)) + " }", {}),
    "101 aliases of a list": (
        "{ " + " ".join(f"a{n}: clients(first: 100) {{ totalCount }}" for n in range(101)) + " }",
        {},
    ),
    "2,000 directives": ("{ apiVersion " + "@include(if: true) " * 2000 + "}", {}),
    "31 directives": ("{ apiVersion " + "@skip(if: false) " * 31 + "}", {}),
    "5,000 tokens": ("{ " + "apiVersion " * 5000 + "}", {}),
    "a fragment spreading itself": ("fragment A on Query { apiVersion ...A } { ...A }", {}),
    "cyclic fragments": (
        "fragment A on Query { apiVersion ...B } fragment B on Query { ...C } "
        "fragment C on Query { ...A } { ...A }",
        {},
    ),
    "first: 100000 on a nested list": (
        "{ clients(first: 100000) { edges { node { sites(first: 100) { totalCount } } } } }",
        {},
    ),
    "first: 100000 in a variable": (
        "query($n: Int) { sites(first: $n) { edges { node { client { name } } } } }",
        {"n": 100_000},
    ),
    "first: 100000 on a report's rows": (
        '{ interventionReport(from: "2025-11-24", to: "2026-11-23", period: DAY) '
        "{ rows(first: 100000) { edges { node { total } } } } }",
        {},
    ),
    "aliases times pages": (
        "{ "
        + " ".join(
            f"a{n}: clients(first: 100) {{ edges {{ node {{ sites(first: 100) "
            "{ edges { node { name } } } } } } }"
            for n in range(20)
        )
        + " }",
        {},
    ),
}


async def timed(live: Live, document: str, variables: dict[str, Any], token: str | None) -> Any:
    started = time.perf_counter()
    answer = await live.gql(document, variables, token=token)
    return answer, time.perf_counter() - started


def one_error(answer: httpx.Response) -> str:
    """The single error's code; the answer must carry no data (a nullable root field, such as
    a flag-gated list of the portal view, answers null in place)."""
    body = answer.json()
    data = body.get("data")
    assert data is None or all(value is None for value in data.values()), body
    assert len(body["errors"]) == 1, body
    code: str = body["errors"][0]["extensions"]["code"]
    return code


@pytest.mark.parametrize("attack", list(ATTACKS))
@pytest.mark.parametrize("who", ["staff admin", "contact of one client", "partner", "anonymous"])
async def test_abusive_documents_are_refused_with_one_error(
    live: Live, attack: str, who: str
) -> None:
    document, variables = ATTACKS[attack]
    token = None
    if who == "partner":
        token = await live.partner_token()
    elif who != "anonymous":
        token = await live.token(who)
    answer, elapsed = await timed(live, document, variables, token)
    print(f"{attack} as {who}: {answer.status_code} in {elapsed * 1000:.1f} ms")
    if who == "anonymous":
        assert answer.status_code == 401, answer.text
        assert without_request_ids(answer.json()) == {
            "errors": [
                {"message": "Authentication required.", "extensions": {"code": "UNAUTHENTICATED"}}
            ]
        }
        return
    assert answer.status_code == 400, answer.text
    # Refused before running: by a limit, or because the caller may not use what it names.
    assert one_error(answer) in {
        "QUERY_TOO_COMPLEX",
        "GRAPHQL_PARSE_FAILED",
        "GRAPHQL_VALIDATION_FAILED",
        "FORBIDDEN",
    }


def paged_root_fields(audience: str) -> list[tuple[str, str]]:
    """(field, selection) for every root field taking ``first`` and nothing else required."""
    query = audience_schema(audience).query_type
    assert query is not None
    found = []
    for name, field in query.fields.items():
        if "first" not in field.args:
            continue
        if any(is_required_argument(a) for n, a in field.args.items() if n != "first"):
            continue
        named = get_named_type(field.type)
        assert isinstance(named, GraphQLObjectType)
        selection = "totalCount" if "totalCount" in named.fields else "__typename"
        found.append((name, selection))
    return found


@pytest.mark.parametrize(
    ("who", "audience"),
    [("staff admin", "staff"), ("contact of one client", "portal"), ("partner", "partner")],
)
async def test_no_list_serves_a_hundred_thousand_rows(live: Live, who: str, audience: str) -> None:
    """``first: 100000`` on every paged root field of the caller's view: one error, no rows
    (a page limit or the cost limit stops it; partners' larger pages included)."""
    token = await live.partner_token() if who == "partner" else await live.token(who)
    fields = paged_root_fields(audience)
    assert len(fields) >= 3
    for field, selection in fields:
        document = f"{{ {field}(first: 100000) {{ {selection} }} }}"
        answer, elapsed = await timed(live, document, {}, token)
        print(f"{field}(first: 100000) as {who}: {answer.status_code} in {elapsed * 1000:.1f} ms")
        assert answer.status_code in (200, 400), answer.text
        assert one_error(answer) in {"BAD_USER_INPUT", "QUERY_TOO_COMPLEX"}, answer.text


@pytest.mark.parametrize("who", ["anonymous", "staff admin"])
async def test_multiplying_fragments_are_refused_quickly(dedicated: Dedicated, who: str) -> None:
    """40 levels of fragments spreading the previous one twice (2^40 fields once expanded,
    1.6 KB to send): refused at once with one error (anonymous: the usual 401), and the
    server keeps answering others meanwhile."""
    async with dedicated() as live:
        token = None if who == "anonymous" else await live.token(who)
        for levels in (10, 14, 16):
            answer, elapsed = await timed(live, multiplying_fragments(levels), {}, token)
            print(f"{levels} levels: {answer.status_code} in {elapsed * 1000:.1f} ms")
        attack = asyncio.create_task(live.gql(multiplying_fragments(40), token=token, seconds=8))
        await asyncio.sleep(0.5)
        try:
            health = await live.client.get("/healthz", timeout=3)
            print(f"healthz during the attack: {health.status_code}")
        except httpx.TimeoutException:
            health = None
            print("healthz during the attack: no answer within 3 s")
        try:
            answer = await attack
        except httpx.TimeoutException:
            pytest.fail("the 40-level document got no answer within 8 s")
        assert health is not None
        assert health.status_code == 200
        if who == "anonymous":
            assert answer.status_code == 401, answer.text
            return
        assert answer.status_code == 400, answer.text
        assert one_error(answer) == "QUERY_TOO_COMPLEX"
