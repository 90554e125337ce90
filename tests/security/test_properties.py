"""Property-based tests of input at the edges (issue 24): at every position where a caller puts
a value, read from the committed SDLs (tests/security/sdl.py ``positions``: every argument of
every field a query reaches, nested lists included, every mutation argument, every input
field) and from the exports' own parameter lists, Hypothesis throws

- arbitrary Unicode: lone UTF-16 surrogates, NUL, right-to-left marks and isolates, BOM,
  noncharacters, 64 KB strings;
- days and times at the ends of the calendar (years 1 and 9999, offsets up to ±23:59, the
  bounds of schema/kit/periods.py and their neighbours), and Hypothesis's own dates and times;
- forged cursors: nested arrays, NUL and surrogates inside, numbers out of range, another
  list's shape;
- integers beyond 32 bits, floats, values of the wrong type,

and every answer must be secure (tests/security/answers.py ``judge``: no 5xx, known codes,
nothing internal shown, ``data`` within the schema) with no INTERNAL_SERVER_ERROR at all.
The exports' parameters, download links and the path parameters of every GET route of the
app get the same values. A new argument, input field, export parameter or route is a new
position: covered without a test.

Bounded: ``PROPERTY_EXAMPLES`` (default 2) values per position, drawn the same way every run
(derandomized); one request per value. Other arguments get placeholders (an id that names
nothing, "x", the first enum value, a day in 2026), so a position is reached past coercion.
Anonymous callers may be RATE_LIMITED (a secure answer too); the module's server has the
budgets raised so that the run explores instead.
"""

from __future__ import annotations

import base64
import collections
import datetime as dt
import json
import os
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
    is_composite_type,
    is_required_argument,
    is_required_input_field,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from starlette.routing import Route

from schema.kit import ids
from sportello.app import create_app
from sportello.base.settings import Settings
from sportello.exports import EXPORTS
from sportello.exports.reports import REPORTS
from tests.security.answers import judge
from tests.security.conftest import Live
from tests.security.edges import graphql_headers, json_body
from tests.security.sdl import AUDIENCES, INTERNALS, Position, audience_schema, positions

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "2"))
BUDGET = "1000000000"
# Budgets per minute raised (the limits are tested elsewhere); RATE_LIMITED still passes.
SERVER_ENVIRONMENT = {
    "SPORTELLO_PARTNER_REQUESTS_PER_MINUTE": BUDGET,
    "SPORTELLO_PARTNER_COST_PER_MINUTE": BUDGET,
    "SPORTELLO_SESSION_COST_PER_MINUTE": BUDGET,
    "SPORTELLO_ANONYMOUS_REQUESTS_PER_MINUTE": BUDGET,
}
ROLES = {"staff": "staff admin", "portal": "contact of several clients"}

# Characters that break naive text handling: NUL, lone surrogates (high, low), right-to-left
# override, mark and isolate, zero-width joiner, BOM, noncharacters, DEL, NEL, line separator.
ODD = (
    "\x00",
    "\ud800",
    "\udbff",
    "\udc00",
    "\udfff",
    "\u202e",
    "\u200f",
    "\u2067",
    "\u200d",
    "\ufeff",
    "\uffff",
    "\U0010ffff",
    "\x7f",
    "\x85",
    "\u2028",
)
CHARACTERS = st.one_of(st.characters(exclude_categories=()), st.sampled_from(ODD))
# 64 KB of UTF-8 each (1, 2, 3 and 4 bytes a character), and one ending in a surrogate.
BIG = (
    "a" * 65_536,
    "é" * 32_768,
    "\u202e" * 21_845,
    "\U0001f600" * 16_384,
    "a" * 65_530 + "\ud800",
)
# The first example of a derandomized run is each strategy's simplest, its first branch:
# there, text holding every odd class at once, the calendar's ends, a forged cursor.
TEXT = st.one_of(
    st.just("a\u202e\u200f\ufeff\x00\ud800"),
    st.lists(CHARACTERS, max_size=24).map("".join),
    st.sampled_from(BIG),
)

EDGE_DAYS = (
    "0001-01-01",
    "1899-12-31",
    "1900-01-01",
    "9000-12-31",
    "9001-01-01",
    "9999-12-31",
    "2024-02-29",
    "2026-02-29",
    "0000-01-01",
    "10000-01-01",
    "+2026-01-01",
)
DAYS = st.one_of(st.sampled_from(EDGE_DAYS), st.dates().map(str), TEXT)
EDGE_MOMENTS = (
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59.999999-23:59",
    "0001-01-01T00:00:00+23:59",
    "9000-12-31T23:59:59-14:00",
    "1900-01-01T00:00:00+14:00",
    "2026-11-23T08:00:00",
    "2026-11-23T24:00:00Z",
    "2026-11-23T08:00:00+24:00",
)
OFFSETS = st.integers(-1439, 1439).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
MOMENTS = st.one_of(
    st.sampled_from(EDGE_MOMENTS),
    st.builds(
        lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
        st.datetimes(),
        st.one_of(st.none(), OFFSETS),
    ),
    TEXT,
)
INTS = st.one_of(
    st.sampled_from([2**31, -(2**31) - 1, 2**53 + 1, 10**30]),
    st.integers(-(2**31), 2**31 - 1),
)
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), INTS, st.floats(allow_nan=False), TEXT),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=6,
)


def _b64(text: str) -> str:
    raw = text.encode("utf-8", "surrogatepass")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Cursors as the server makes them (base64url of a JSON array), forged.
CURSORS = st.one_of(
    st.sampled_from(
        [
            _b64('["a\\u0000b", "00000000-0000-0000-0000-000000000001"]'),
            _b64('["a\\ud800b", "00000000-0000-0000-0000-000000000001"]'),
            _b64('["0001-01-01 00:00:00+14:00", "00000000-0000-0000-0000-000000000001"]'),
            _b64('["1E+999999", "00000000-0000-0000-0000-000000000001"]'),
        ]
    ),
    st.lists(JSON_VALUES, max_size=3).map(lambda v: _b64(json.dumps(v))),
    st.integers(1, 3000).map(lambda n: _b64("[" * n + "]" * n)),
    TEXT,
)
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "String": TEXT,
    "ID": TEXT,
    "Date": DAYS,
    "DateTime": MOMENTS,
    "Int": INTS,
    "Float": st.one_of(st.floats(allow_nan=False, allow_infinity=False), TEXT),
    "Boolean": st.one_of(TEXT, INTS),  # true and false are no edge: the wrong type is
    "Decimal": st.one_of(st.sampled_from(["NaN", "Infinity", "1E+999999", "-0"]), TEXT),
    "Time": st.one_of(st.sampled_from(["24:00:00", "23:59:60", "08:00:00+14:00"]), TEXT),
    "UUID": TEXT,
    "JSON": JSON_VALUES,
}

NOWHERE = ids.encode("Site", uuid.UUID(int=1))
PLACEHOLDERS: dict[str, Any] = {
    "String": "x",
    "ID": NOWHERE,
    "Int": 1,
    "Float": 1.0,
    "Boolean": True,
    "Date": "2026-11-23",
    "DateTime": "2026-11-23T08:00:00+01:00",
    "Time": "08:00:00",
    "Decimal": "1",
    "UUID": str(uuid.UUID(int=1)),
    "JSON": {},
}


def edge_values(position: Position) -> st.SearchStrategy[Any]:
    """What to throw at ``position``, by its type (and forged cursors at after/before)."""
    named = get_named_type(position.type)
    if position.argument[-1] in ("after", "before"):
        element = CURSORS
    elif isinstance(named, GraphQLEnumType):
        element = st.one_of(st.sampled_from(sorted(named.values)), TEXT)
    elif isinstance(named, GraphQLInputObjectType):
        # The fields are positions of their own: here, shapes that are not an object.
        element = st.one_of(TEXT, st.dictionaries(TEXT, TEXT, max_size=2))
    else:
        assert isinstance(named, GraphQLScalarType)
        element = SCALARS.get(named.name, TEXT)
    listed = isinstance(position.type, GraphQLList) or (
        isinstance(position.type, GraphQLNonNull) and isinstance(position.type.of_type, GraphQLList)
    )
    return st.one_of(element, st.lists(element, max_size=3)) if listed else element


def placeholder(type_: GraphQLInputType) -> Any:
    """A value of ``type_`` that passes coercion: required input fields filled."""
    if isinstance(type_, GraphQLNonNull):
        return placeholder(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [placeholder(type_.of_type)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: placeholder(field.type)
            for name, field in type_.fields.items()
            if is_required_input_field(field)
        }
    return PLACEHOLDERS.get(type_.name, "x")


def literal(value: Any, type_: GraphQLInputType) -> str:
    """``value`` of ``type_`` written in the document."""
    if isinstance(type_, GraphQLNonNull):
        return literal(value, type_.of_type)
    if isinstance(type_, GraphQLList):
        return "[" + ", ".join(literal(v, type_.of_type) for v in value) + "]"
    if isinstance(type_, GraphQLEnumType):
        return str(value)
    if isinstance(type_, GraphQLInputObjectType):
        fields = ", ".join(f"{k}: {literal(v, type_.fields[k].type)}" for k, v in value.items())
        return "{" + fields + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def put(value: Any, type_: GraphQLInputType, path: tuple[str, ...], edge: Any) -> Any:
    """``value`` with ``edge`` at the input field ``path`` (through lists: their first item)."""
    if not path:
        return edge
    if isinstance(type_, GraphQLNonNull):
        return put(value, type_.of_type, path, edge)
    if isinstance(type_, GraphQLList):
        return [put(value[0], type_.of_type, path, edge)]
    assert isinstance(type_, GraphQLInputObjectType)
    field = type_.fields[path[0]]
    inner = value.get(path[0], placeholder(field.type))
    return {**value, path[0]: put(inner, field.type, path[1:], edge)}


def request_for(schema: GraphQLSchema, position: Position) -> tuple[str, Callable[[Any], Any]]:
    """The document reaching ``position`` through its variable ``$v``, and what makes the
    variable's value from an edge value."""
    root = schema.query_type if position.operation == "query" else schema.mutation_type
    assert root is not None
    owner: Any = root
    calls = []
    for depth, name in enumerate(position.path):
        field = owner.fields[name]
        last = depth == len(position.path) - 1
        arguments = []
        for argument_name, argument in field.args.items():
            if last and argument_name == position.argument[0]:
                arguments.append(f"{argument_name}: $v")
            elif is_required_argument(argument):
                value = placeholder(argument.type)
                arguments.append(f"{argument_name}: {literal(value, argument.type)}")
            elif argument_name == "first" and not last:
                arguments.append("first: 1")
        calls.append(name + (f"({', '.join(arguments)})" if arguments else ""))
        owner = get_named_type(field.type)
    selection = " { __typename }" if is_composite_type(owner) else ""
    body = " { ".join(calls) + selection + " }" * (len(calls) - 1)
    argument = owner_argument(root, position)
    document = f"{position.operation}($v: {argument.type}) {{ {body} }}"
    start = placeholder(argument.type)
    return document, lambda edge: put(start, argument.type, position.argument[1:], edge)


def owner_argument(root: GraphQLObjectType, position: Position) -> Any:
    owner: Any = root
    for name in position.path[:-1]:
        owner = get_named_type(owner.fields[name].type)
    return owner.fields[position.path[-1]].args[position.argument[0]]


def secure(
    schema: GraphQLSchema | None, query: str, answer: httpx.Response, problems: list[str]
) -> None:
    """Adds what is wrong with ``answer`` to ``problems``: insecure, or an internal error."""
    codes: collections.Counter[str] = collections.Counter()
    if schema is not None:
        problems += judge(schema, query, answer, codes)
    elif answer.status_code >= 500:
        problems.append(f"server error: {answer.status_code} {answer.text[:300]}")
    if any(code.startswith("INTERNAL_SERVER_ERROR") for code in codes):
        problems.append(f"internal error: {answer.text[:300]}")


async def credential(live: Live, audience: str) -> str | None:
    if audience == "public":
        return None
    if audience == "partner":
        return await live.partner_token()
    return await live.token(ROLES[audience])


def hypothesis_settings(examples: int = EXAMPLES) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )


@pytest.mark.parametrize("audience", AUDIENCES)
async def test_every_argument_takes_edge_input_without_a_server_error(
    live: Live, audience: str
) -> None:
    """Every position of the audience's view, with its own credential (anonymous: none)."""
    schema = audience_schema(audience)
    token = await credential(live, audience)
    headers = graphql_headers(live, token)
    problems: list[str] = []
    by_field: dict[tuple[str, tuple[str, ...]], list[Position]] = collections.defaultdict(list)
    for position in positions(schema):
        by_field[(position.operation, position.path)].append(position)
    with httpx.Client(base_url=live.base_url, timeout=60) as client:
        for field_positions in by_field.values():
            probe_field(client, headers, schema, field_positions, problems)
    print(f"{audience}: {len(by_field)} fields, {sum(map(len, by_field.values()))} positions")
    assert not problems, "\n".join(problems[:20])


def probe_field(
    client: httpx.Client,
    headers: dict[str, str],
    schema: GraphQLSchema,
    field_positions: list[Position],
    problems: list[str],
) -> None:
    """Each example draws a value for every position of one field: one request each."""
    requests = [request_for(schema, p) for p in field_positions]

    @hypothesis_settings()
    @given(values=st.tuples(*(edge_values(p) for p in field_positions)))
    def run(values: tuple[Any, ...]) -> None:
        for (document, variable), value, position in zip(
            requests, values, field_positions, strict=True
        ):
            body = {"query": document, "variables": {"v": variable(value)}}
            answer = client.post("/graphql", content=json_body(body), headers=headers)
            client.cookies.clear()
            before = len(problems)
            secure(schema, document, answer, problems)
            shown = repr(value)[:80]
            problems[before:] = [f"{position} = {shown}: {p}" for p in problems[before:]]

    run()


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
    await app.state.sportello.engine.dispose()
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
