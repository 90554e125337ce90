"""Schema exposure: what introspection, suggestions and error messages tell each caller about
the schema. A caller learns its own view and nothing else; an anonymous caller learns nothing."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLObjectType,
    build_client_schema,
    get_introspection_query,
)

from tests.security.conftest import Live, without_request_ids
from tests.security.sdl import BUILT_IN, audience_schema, type_names

ANONYMOUS_REFUSAL = {
    "errors": [{"message": "Authentication required.", "extensions": {"code": "UNAUTHENTICATED"}}]
}
CONTACTS = ("contact of one client", "contact of several clients", "contact limited to one site")


def circular_introspection(levels: int = 12) -> str:
    """``__schema { types { fields { type { fields { type ...`` deeper than any limit."""
    inner = "name"
    for _ in range(levels):
        inner = f"fields {{ type {{ {inner} }} }}"
    return f"{{ __schema {{ types {{ {inner} }} }} }}"


INTROSPECTIONS = {
    "__schema": "{ __schema { types { name } } }",
    "__type": '{ __type(name: "Client") { name fields { name } } }',
    "the playground's query": get_introspection_query(),
    "circular": circular_introspection(),
    "in a fragment": "fragment F on Query { __schema { queryType { name } } } { ...F }",
    "beside a public mutation": 'mutation M { login(organization: "x", identifier: "y", '
    'password: "z") { token } } query Q { __schema { types { name } } }',
}


async def principal_token(live: Live, who: str) -> str:
    if who == "partner":
        return await live.partner_token()
    return await live.token(who)


@pytest.mark.parametrize("name", list(INTROSPECTIONS))
async def test_anonymous_introspection_gets_401_without_detail(live: Live, name: str) -> None:
    """Anonymous callers cannot introspect in any form and learn nothing from the refusal."""
    for operation in (None, "M", "Q"):
        if operation is not None and name != "beside a public mutation":
            continue
        answer = await live.gql(INTROSPECTIONS[name], operation_name=operation)
        assert answer.status_code == 401, answer.text
        assert without_request_ids(answer.json()) == ANONYMOUS_REFUSAL


async def introspect(live: Live, token: str) -> Any:
    answer = await live.gql(get_introspection_query(), token=token)
    assert answer.status_code == 200, answer.text
    return build_client_schema(answer.json()["data"])


@pytest.mark.parametrize(
    ("who", "audience"),
    [("staff admin", "staff"), *((c, "portal") for c in CONTACTS), ("partner", "partner")],
)
async def test_introspection_shows_only_the_callers_own_view(
    live: Live, who: str, audience: str
) -> None:
    """Every type and field a caller can introspect is in its audience's committed SDL; for
    contacts and partners no staff-only type is there at all."""
    seen = await introspect(live, await principal_token(live, who))
    allowed = audience_schema(audience)
    extra_types = type_names(seen) - type_names(allowed) - BUILT_IN
    assert extra_types == set()
    extra_fields = []
    for name, type_ in seen.type_map.items():
        mine = allowed.type_map.get(name)
        if isinstance(type_, GraphQLObjectType) and isinstance(mine, GraphQLObjectType):
            extra_fields += [f"{name}.{f}" for f in set(type_.fields) - set(mine.fields)]
    assert extra_fields == []
    if audience != "staff":
        staff_only = type_names(audience_schema("staff")) - type_names(allowed)
        assert staff_only, "the staff view should hold types no other audience has"
        assert type_names(seen) & staff_only == set()


@pytest.mark.parametrize("who", [*CONTACTS, "partner"])
async def test_type_by_name_does_not_reveal_staff_types(live: Live, who: str) -> None:
    """``__type(name:)`` with the name of a staff-only type answers null, as for a made-up
    name."""
    token = await principal_token(live, who)
    audience = "partner" if who == "partner" else "portal"
    staff_only = type_names(audience_schema("staff")) - type_names(audience_schema(audience))
    hidden = [*sorted(staff_only), "NoSuchTypeAnywhere"]
    for start in range(0, len(hidden), 25):
        names = hidden[start : start + 25]
        query = (
            "{ "
            + " ".join(
                f't{n}: __type(name: "{name}") {{ name fields {{ name }} }}'
                for n, name in enumerate(names)
            )
            + " }"
        )
        data = await live.data(query, token)
        assert set(data.values()) == {None}, data


@pytest.mark.parametrize("who", ["staff admin", *CONTACTS, "partner"])
async def test_circular_introspection_is_refused_with_one_error(live: Live, who: str) -> None:
    answer = await live.gql(circular_introspection(), token=await principal_token(live, who))
    assert answer.status_code == 400, answer.text
    errors = answer.json()["errors"]
    assert len(errors) == 1
    assert errors[0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


# Near-miss names: (document, variables, the real name a suggestion would give away).
# Each real name is chosen so that it is not part of the near miss itself.
NEAR_MISSES_FOR_EVERYONE: list[tuple[str, dict[str, Any], str]] = [
    ("{ clints { totalCount } }", {}, "clients"),
    ("{ viewer { knid } }", {}, "kind"),
    ("{ clients(frist: 1) { totalCount } }", {}, "first"),
    ("query($n: Itn) { clients(first: $n) { totalCount } }", {}, "Int"),
    ("query($n: Intt) { clients(first: $n) { totalCount } }", {"n": 1}, "'Int'"),
    ('{ node(id: "x") { ... on Clinet { id } } }', {}, "Client"),
    ("{ apiVersion @inclde(if: true) }", {}, "include"),
    ("{ clients(first: 1) { edges { nod { id } } } }", {}, "node"),
    ('{ __type(name: "Clinet") { name } }', {}, "Client"),
]
NEAR_MISSES_WITH_TICKETS: list[tuple[str, dict[str, Any], str]] = [
    ("{ tickets(status: [OPNE]) { totalCount } }", {}, "OPEN"),
    ("{ tickets(urgency: [HIHG]) { totalCount } }", {}, "HIGH"),
    (
        "query($s: [TicketStatus!]) { tickets(status: $s) { totalCount } }",
        {"s": ["OPNE"]},
        "OPEN",
    ),
    (
        "query($s: [TickedStatus!]) { tickets(status: $s) { totalCount } }",
        {"s": ["OPEN"]},
        "TicketStatus",
    ),
]
NEAR_MISSES_FOR_STAFF: list[tuple[str, dict[str, Any], str]] = [
    (
        'mutation { createPortalAccess(input: {firstName: "a", lastName: "b", '
        'email: "a@b.example", clientIdz: []}) { id } }',
        {},
        "clientIds",
    ),
    (
        "mutation($in: CreatePortalAccessInput!) { createPortalAccess(input: $in) { id } }",
        {"in": {"firstName": "a", "lastName": "b", "email": "a@b.example", "clientIdz": []}},
        "clientIds",
    ),
    ('{ portalAccesses(serach: "x") { email } }', {}, "search"),
    ("{ staffUsers(role: [ADMNI]) { totalCount } }", {}, "ADMIN"),
]
NEAR_MISSES_FOR_CONTACTS: list[tuple[str, dict[str, Any], str]] = [
    (
        "mutation($in: OpenTicketInput!) { openTicket(input: $in) { id } }",
        {
            "in": {
                "siteId": "x",
                "departmentId": "y",
                "referencePerson": "a",
                "notes": "b",
                "urgnecy": "LOW",
            }
        },
        "urgency",
    ),
]


def assert_no_suggestion(answer: httpx.Response, real_name: str) -> None:
    body = answer.json()
    assert body.get("errors"), body
    assert body.get("data") is None, body
    text = answer.text
    assert not re.search(r"did you mean", text, re.IGNORECASE), text
    messages = " ".join(e["message"] for e in body["errors"])
    assert real_name not in messages, messages


@pytest.mark.parametrize("who", ["staff admin", "contact of one client", "partner"])
async def test_no_error_suggests_a_name(live: Live, who: str) -> None:
    """Fields, arguments, enum values, variable types, input fields, fragment types and
    directives spelt nearly right are refused without a "Did you mean" that would spell out
    the schema to whoever guesses."""
    token = await principal_token(live, who)
    cases = NEAR_MISSES_FOR_EVERYONE + NEAR_MISSES_WITH_TICKETS
    if who == "staff admin":
        cases += NEAR_MISSES_FOR_STAFF
    elif who != "partner":
        cases += NEAR_MISSES_FOR_CONTACTS
    for document, variables, real_name in cases:
        answer = await live.gql(document, variables, token=token)
        if document.startswith("{ __type"):
            assert answer.json() == {"data": {"__type": None}}
            continue
        assert answer.status_code == 400, (document, answer.text)
        assert_no_suggestion(answer, real_name)


ANONYMOUS_PROBES: list[tuple[str, dict[str, Any]]] = [
    ("{ clints { totalCount } }", {}),
    ('{ client(id: "x") { name } }', {}),
    ('{ __type(name: "Client") { name } }', {}),
    ("{ clients ", {}),
    ("{ apiVersion viewer { kind } }", {}),
    ('mutation { login(organization: 1, identifier: "a", password: "b") { token } }', {}),
    ('mutation { login(organization: "a", identifier: "a", password: "b") { tokn } }', {}),
    (
        'mutation { login(organization: "a", identifier: "a", password: "b") '
        "{ ... on Client { name } } }",
        {},
    ),
    (
        'mutation($c: ClientInput) { login(organization: "a", identifier: "a", password: "b") '
        "{ token } }",
        {},
    ),
    (
        'mutation { login(organization: "a", identifier: "a", password: "b") { token } '
        "setPortalEnabled(enabled: false) }",
        {},
    ),
    ("mutation { logout }", {}),
    (
        'mutation($o: String!) { login(organization: $o, identifier: "a", password: "b") '
        "{ token } }",
        {"o": 5},
    ),
    ('mutation($t: String!) { resetPassword(token: $t, password: "x") { token } }', {"t": "x"}),
    (
        "mutation($in: CreatePortalAccessInput!) { createPortalAccess(input: $in) { id } }",
        {"in": {}},
    ),
]


async def test_anonymous_errors_name_no_hidden_type(live: Live) -> None:
    """Whatever an anonymous caller sends, no answer names a type outside the public view
    (nor suggests anything)."""
    hidden = type_names(audience_schema("staff")) - type_names(audience_schema("public"))
    word = re.compile(r"\b(" + "|".join(sorted(hidden, key=len, reverse=True)) + r")\b")
    for document, variables in ANONYMOUS_PROBES:
        answer = await live.gql(document, variables)
        assert answer.status_code in (200, 400, 401), answer.text
        assert "errors" in answer.json(), (document, answer.text)
        leaked = word.findall(answer.text)
        assert leaked == [], (document, answer.text)
        assert "did you mean" not in answer.text.lower()
