"""Talking to the app as a client does: GraphQL over HTTP, plus direct SQL for checks."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests import factories

LOGIN = """mutation($org: String!, $id: String!, $pw: String!) {
  login(organization: $org, identifier: $id, password: $pw) { token expiresAt accountKind }
}"""
VIEWER = "{ viewer { kind firstName organizationName } }"
ORIGIN = {"origin": "http://127.0.0.1:8000"}


class Api:
    def __init__(self, engine: AsyncEngine, client: httpx.AsyncClient) -> None:
        self.engine = engine
        self.client = client

    async def gql(
        self,
        query: str,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        variables: dict[str, Any] | None = None,
        **named: Any,
    ) -> httpx.Response:
        variables = (variables or {}) | named
        sent = ORIGIN | dict(headers or {})
        if token is not None:
            sent["authorization"] = f"Bearer {token}"
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=sent
        )

    async def login(
        self, identifier: str, password: str = factories.PASSWORD, org: str = "acme", **kw: Any
    ) -> httpx.Response:
        return await self.gql(LOGIN, org=org, id=identifier, pw=password, **kw)

    async def token(self, identifier: str, password: str = factories.PASSWORD) -> str:
        response = await self.login(identifier, password)
        token: str = response.json()["data"]["login"]["token"]
        return token

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.engine.connect() as connection:
            return await connection.scalar(sa.text(sql), params)

    async def execute(self, sql: str, **params: Any) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(sa.text(sql), params)
