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
app get the same values (test_properties_routes.py). A new argument, input field, export
parameter or route is a new position: covered without a test.

Bounded: ``PROPERTY_EXAMPLES`` (default 2) values per position, drawn the same way every run
(derandomized); one request per value. Other arguments get placeholders (an id that names
nothing, "x", the first enum value, a day in 2026), so a position is reached past coercion.
Anonymous callers may be RATE_LIMITED (a secure answer too); each module's server has the
budgets raised so that the run explores instead.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any

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
)
from hypothesis import given
from hypothesis import strategies as st

from tests.security import strategies
from tests.security.answers import judge
from tests.security.conftest import Live
from tests.security.edges import graphql_headers, json_body
from tests.security.sdl import (
    AUDIENCES,
    Position,
    audience_schema,
    literal,
    placeholder,
    positions,
)
from tests.security.strategies import CURSORS, SCALARS, TEXT, hypothesis_settings

SERVER_ENVIRONMENT = strategies.SERVER_ENVIRONMENT
ROLES = {"staff": "staff admin", "portal": "contact of several clients"}


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
