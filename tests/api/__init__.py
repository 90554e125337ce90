"""Whole-stack tests of the GraphQL API, one folder per domain (tickets/, billing/, ...): each
sends real requests through the Starlette app on a copy of the demo data.

This module is their kit: :class:`Api` talks to the app as a client does (GraphQL over HTTP,
plus direct SQL for checks), :class:`Demo` logs in as the demo accounts, and
:class:`StatementCounter` counts the SQL statements a request runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import metadata
from db.seed import DEMO_PASSWORD, demo_logins
from schema.kit import ids
from tests import factories

LOGIN = """mutation($org: String!, $id: String!, $pw: String!) {
  login(organization: $org, identifier: $id, password: $pw) { token expiresAt accountKind }
}"""
VIEWER = "{ viewer { kind firstName organizationName } }"
ORIGIN = {"origin": "http://127.0.0.1:8000"}


def global_ids(type_name: str, rows: Sequence[Any] | None) -> list[str]:
    """The global ids of the database ids ``rows`` of ``type_name`` (none for None)."""
    return [ids.encode(type_name, row) for row in rows or ()]


class Api:
    def __init__(self, engine: AsyncEngine, client: httpx.AsyncClient) -> None:
        self.engine = engine
        self.client = client

    @property
    def app_engine(self) -> AsyncEngine:
        """The engine of the app under test: the one its requests' statements run on."""
        engine: AsyncEngine = self.client._transport.app.state.sportello.engine  # type: ignore[attr-defined]
        return engine

    async def gql(
        self,
        query: str,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
        **named: Any,
    ) -> httpx.Response:
        variables = (variables or {}) | named
        sent = ORIGIN | dict(headers or {})
        if token is not None:
            sent["authorization"] = f"Bearer {token}"
        body: dict[str, Any] = {"query": query, "variables": variables}
        if operation_name is not None:
            body["operationName"] = operation_name
        return await self.client.post("/graphql", json=body, headers=sent)

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

    async def busiest(
        self,
        table: str,
        column: str,
        count: int = 1,
        *,
        org: str = "brillanti",
        required: Sequence[str] = (),
        **equal: Any,
    ) -> list[Any]:
        """The ``count`` values of ``column`` (sites, clients, technicians) with the most rows
        of ``table`` in the organization ``org``, busiest first, ties in value order: what a
        test lists to see many rows. Only rows with a value in each ``required`` column and
        the ``equal`` values count."""
        rows = metadata.tables[table]
        key = rows.c[column]
        organization = metadata.tables["organization"]
        statement = (
            sa.select(key)
            .join(organization, organization.c.id == rows.c.organization_id)
            .where(
                organization.c.slug == org,
                key.is_not(None),
                *(rows.c[name].is_not(None) for name in required),
                *(rows.c[name] == value for name, value in equal.items()),
            )
            .group_by(key)
            .order_by(sa.func.count().desc(), key)
            .limit(count)
        )
        async with self.engine.connect() as connection:
            return list(await connection.scalars(statement))


class StatementCounter:
    """Counts the SQL statements an engine runs (exact, unlike timings)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.statements: list[str] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._record)

    def _record(self, *args: Any) -> None:
        self.statements.append(str(args[2]))

    def reset(self) -> None:
        self.statements.clear()

    def close(self) -> None:
        event.remove(self.engine.sync_engine, "before_cursor_execute", self._record)

    def __enter__(self) -> StatementCounter:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Demo(Api):
    """The app on a copy of the demo data, logged in as the demo accounts on demand."""

    def __init__(self, engine: AsyncEngine, client: httpx.AsyncClient) -> None:
        super().__init__(engine, client)
        self.tokens: dict[str, str] = {}

    def login_of(self, role: str, org: str = "brillanti") -> str:
        return next(
            login.identifier
            for login in demo_logins()
            if login.role == role and login.organization == org
        )

    async def as_(self, role: str, org: str = "brillanti") -> str:
        key = f"{org}/{role}"
        if key not in self.tokens:
            response = await self.login(self.login_of(role, org), DEMO_PASSWORD, org=org)
            self.tokens[key] = response.json()["data"]["login"]["token"]
        return self.tokens[key]

    async def staff(self, role: str, org: str = "brillanti") -> str:
        """A session of the first active staff member of ``org`` with ``role`` who has a
        password (the demo has more staff than demo logins: OFFICE and TECHNICIAN too)."""
        email = await self.scalar(
            "SELECT s.email FROM staff_user s JOIN organization o ON o.id = s.organization_id "
            "WHERE o.slug = :o AND s.role = :r AND s.active AND s.password_hash IS NOT NULL "
            "ORDER BY s.email LIMIT 1",
            o=org,
            r=role,
        )
        response = await self.login(email, DEMO_PASSWORD, org=org)
        token: str = response.json()["data"]["login"]["token"]
        return token

    async def data(self, query: str, token: str, **variables: Any) -> Any:
        response = await self.gql(query, token=token, variables=variables)
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    async def statements_per_page(
        self, query: str, field: str, token: str, sizes: Sequence[int], **variables: Any
    ) -> tuple[list[int], Any]:
        """How many SQL statements the app runs for ``query`` asked with ``n`` = each of
        ``sizes`` (the connection ``field`` filling each page), and the last answer's data."""
        counts: list[int] = []
        data: Any = None
        with StatementCounter(self.app_engine) as counter:
            for size in sizes:
                counter.reset()
                data = await self.data(query, token, n=size, **variables)
                assert len(data[field]["edges"]) == size, (field, size)
                counts.append(len(counter.statements))
        return counts, data

    async def every_page(
        self, query: str, path: str, token: str, **variables: Any
    ) -> list[dict[str, Any]]:
        """Every page of the connection at ``path`` (a field, or fields joined by dots:
        ``node.workingHours``) that ``query`` lists with an ``after`` variable, paging
        forwards from the start."""
        pages: list[dict[str, Any]] = []
        after = None
        while True:
            page = await self.data(query, token, after=after, **variables)
            for field in path.split("."):
                page = page[field]
            pages.append(page)
            if not page["pageInfo"]["hasNextPage"]:
                return pages
            after = page["pageInfo"]["endCursor"]

    async def every_node(
        self, query: str, field: str, token: str, page_size: int, **variables: Any
    ) -> list[dict[str, Any]]:
        """Every node of the connection ``field`` that ``query`` lists (with ``first`` and
        ``after`` variables), paging forwards ``page_size`` at a time."""
        pages = await self.every_page(query, field, token, first=page_size, **variables)
        return [edge["node"] for page in pages for edge in page["edges"]]

    async def every_id(
        self, query: str, field: str, token: str, page_size: int, **variables: Any
    ) -> list[str]:
        """The ids of :meth:`every_node`."""
        nodes = await self.every_node(query, field, token, page_size, **variables)
        return [node["id"] for node in nodes]
