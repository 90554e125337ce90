"""The HTTP surface of the app: health, readiness and the rules of POST /graphql."""

from __future__ import annotations

import httpx

from schema.meta import API_VERSION
from tests.conftest import MakeClient


async def test_healthz_answers_while_the_process_is_up(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_on_a_migrated_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_readyz_is_unavailable_before_migrations(
    make_client: MakeClient, empty_database: str
) -> None:
    client = await make_client(empty_database)
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "migrations"}


async def test_readyz_is_unavailable_without_a_database(make_client: MakeClient) -> None:
    client = await make_client("postgresql://nobody:secret@127.0.0.1:9/nowhere")
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert "secret" not in response.text


async def test_graphql_answers_a_typename_and_the_api_version(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/graphql", json={"query": "{ __typename apiVersion }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query", "apiVersion": API_VERSION}}
    assert len(response.headers["x-request-id"]) == 32


async def test_graphql_refuses_get(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ __typename }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_graphql_refuses_form_and_text_bodies(client: httpx.AsyncClient) -> None:
    form = await client.post("/graphql", data={"query": "{ __typename }"})
    text = await client.post(
        "/graphql", content=b'{"query": "{ __typename }"}', headers={"content-type": "text/plain"}
    )
    assert form.status_code == text.status_code == 415


async def test_graphql_refuses_a_body_over_the_limit_before_reading_it(
    client: httpx.AsyncClient,
) -> None:
    padding = "x" * 200_000
    response = await client.post("/graphql", json={"query": "{ __typename }", "pad": padding})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_graphql_refuses_batches_and_bad_json(client: httpx.AsyncClient) -> None:
    batch = await client.post("/graphql", json=[{"query": "{ __typename }"}] * 2)
    broken = await client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert batch.status_code == broken.status_code == 400
    assert "one operation" in batch.json()["errors"][0]["message"]
    assert "not valid JSON" in broken.json()["errors"][0]["message"]


async def test_anonymous_callers_learn_nothing_from_a_refused_document(
    client: httpx.AsyncClient,
) -> None:
    answers = [
        await client.post("/graphql", json={"query": query})
        for query in (
            "{ __typename ",
            "{ apiVersio }",
            "{ viewer { kind } }",
            "{ __schema { types { name } } }",
        )
    ]
    assert {a.status_code for a in answers} == {401}
    bodies = [a.json()["errors"] for a in answers]
    assert all(
        b
        == [
            {
                "message": "Authentication required.",
                "extensions": {"code": "UNAUTHENTICATED", "requestId": a.headers["x-request-id"]},
            }
        ]
        for a, b in zip(answers, bodies, strict=True)
    )
