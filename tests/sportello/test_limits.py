"""Documents that would cost too much are refused before anything runs, with one error."""

from __future__ import annotations

import pytest

from schema.kit.limits import MAX_ALIASES, MAX_COST, MAX_DEPTH, MAX_DIRECTIVES, MAX_TOKENS
from tests.api import Api
from tests.conftest import MakeAcme


@pytest.fixture
async def api(make_acme: MakeAcme) -> Api:
    built, _ = await make_acme()
    built.admin = await built.token("admin@acme.example")  # type: ignore[attr-defined]
    return built


async def refused_code(api: Api, query: str) -> str:
    answer = await api.gql(query, token=api.admin)  # type: ignore[attr-defined]
    assert answer.status_code == 400, answer.text
    errors = answer.json()["errors"]
    assert len(errors) == 1
    code: str = errors[0]["extensions"]["code"]
    return code


def nested_types(levels: int) -> str:
    """``__schema { types { fields { type { fields { type ...`` ``levels`` deep."""
    names = ["__schema", "types"] + ["fields", "type"] * levels
    inner = "name"
    for name in reversed(names[:levels]):
        inner = f"{name} {{ {inner} }}"
    return f"{{ {inner} }}"


async def test_circular_introspection_past_the_depth_limit_is_refused(api: Api) -> None:
    assert await refused_code(api, nested_types(MAX_DEPTH + 1)) == "QUERY_TOO_COMPLEX"


async def test_the_introspection_query_of_a_playground_still_works(api: Api) -> None:
    from graphql import get_introspection_query

    answer = await api.gql(get_introspection_query(), token=api.admin)  # type: ignore[attr-defined]
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_too_many_aliases_are_refused(api: Api) -> None:
    query = "{ " + " ".join(f"a{n}: apiVersion" for n in range(MAX_ALIASES + 71)) + " }"
    assert await refused_code(api, query) == "QUERY_TOO_COMPLEX"


async def test_too_many_directives_are_refused(api: Api) -> None:
    query = "{ apiVersion " + "@include(if: true) " * (MAX_DIRECTIVES * 50) + "}"
    assert await refused_code(api, query) == "GRAPHQL_PARSE_FAILED"  # past the token limit first
    query = "{ apiVersion " + "@include(if: true) " * (MAX_DIRECTIVES + 1) + "}"
    assert await refused_code(api, query) == "QUERY_TOO_COMPLEX"


async def test_too_many_tokens_are_refused_while_parsing(api: Api) -> None:
    query = "{ " + "apiVersion " * MAX_TOKENS + "}"
    assert await refused_code(api, query) == "GRAPHQL_PARSE_FAILED"


async def test_a_page_size_multiplies_the_cost(api: Api) -> None:
    under = "{ portalAccesses(first: 200) { grants { name } } }"
    answer = await api.gql(under, token=api.admin)  # type: ignore[attr-defined]
    assert answer.status_code == 200
    over = (
        "query($n: Int!) { a: portalAccesses(first: $n) { grants { name } flags { portalAccess } } "
        "b: portalAccesses(first: $n) { grants { name } flags { portalAccess } } }"
    )
    answer = await api.gql(over, token=api.admin, n=MAX_COST)  # type: ignore[attr-defined]
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
