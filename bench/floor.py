"""The floor: a hand-written Starlette + asyncpg endpoint answering each workload's request body
with byte-for-byte Sportello's JSON, doing only what the answer needs.

Per request it authenticates the bearer token (one statement), binds the transaction to the
organization for row-level security as Sportello does (one statement), then runs the
workload's hand-written handler (bench/workloads/<name>.py), chosen by the operation name.
No GraphQL parsing, validation or execution: what is left is the least Python work the same
answer costs. Run: ``python -m bench.floor <database URI> <port>``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from collections.abc import AsyncIterator
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench import workloads
from bench.workloads import Caller, Workload

SESSION = """
SELECT s.organization_id, s.contact_id, c.can_view_contracts, c.can_view_invoices
FROM session s
JOIN organization o ON o.id = s.organization_id
LEFT JOIN staff_user st ON st.id = s.staff_user_id
LEFT JOIN contact c ON c.id = s.contact_id
WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
  AND s.last_seen_at > now() - interval '480 minutes'
  AND (st.active OR (c.state = 'ACTIVE' AND c.deleted_at IS NULL AND c.portal_access
    AND o.portal_enabled))
"""
PARTNER = """
SELECT t.organization_id,
  ARRAY(SELECT client_id FROM partner_token_client WHERE partner_token_id = t.id) AS clients
FROM partner_token t
WHERE t.token_hash = $1 AND t.revoked_at IS NULL
  AND (t.expires_at IS NULL OR t.expires_at > now()) AND 'reports:read' = ANY(t.scopes)
"""
BIND = (
    "SELECT set_config('role', 'sportello_app', true), set_config('app.organization_id', $1, true)"
)


class Floor:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.by_operation: dict[str, Workload] = {w.operation_name: w for w in workloads.load()}
        self._pool: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        assert self._pool is not None, "the floor's pool opens with the application"
        return self._pool

    @contextlib.asynccontextmanager
    async def lifespan(self, _: Starlette) -> AsyncIterator[None]:
        # As many connections as Sportello keeps (SPORTELLO_DB_POOL_SIZE), same settings.
        self._pool = await asyncpg.create_pool(
            self.dsn,
            min_size=10,
            max_size=10,
            server_settings={"jit": "off", "statement_timeout": "5000", "timezone": "UTC"},
            # Every setting the floor makes is transaction-local: nothing to reset on release
            # (asyncpg's default reset is one more round trip per request).
            reset=_keep,
        )
        yield
        await self._pool.close()

    async def graphql(self, request: Request) -> Response:
        body = json.loads(await request.body())
        workload = self.by_operation[body["operationName"]]
        variables: dict[str, Any] = body.get("variables") or {}
        ip = request.client.host if request.client else None
        async with self.pool.acquire() as db, db.transaction():
            caller = None
            if workload.principal is not None:
                caller = await self.authenticate(db, request.headers.get("authorization", ""))
                if caller is None:
                    return JSONResponse({"errors": [{"message": "unauthenticated"}]}, 401)
                await db.execute(BIND, str(caller.organization_id))
            data = await workload.floor(db, caller, variables, ip)
        return JSONResponse({"data": data})

    async def authenticate(self, db: asyncpg.Connection, header: str) -> Caller | None:
        token = header.removeprefix("Bearer ").strip()
        digest = hashlib.sha256(token.encode()).digest()
        if token.startswith("spp_"):
            partner = await db.fetchrow(PARTNER, digest)
            if partner is None or partner["clients"]:
                return None  # the floor serves whole-organization tokens only
            return Caller(partner["organization_id"])
        row = await db.fetchrow(SESSION, digest)
        if row is None:
            return None
        flags = frozenset(name for name in ("can_view_contracts", "can_view_invoices") if row[name])
        return Caller(row["organization_id"], row["contact_id"], flags)


async def _keep(_: asyncpg.Connection) -> None:
    """Release a connection as it is."""


def create_app(dsn: str) -> Starlette:
    floor = Floor(dsn)
    return Starlette(
        routes=[Route("/graphql", floor.graphql, methods=["POST"])], lifespan=floor.lifespan
    )


def main() -> None:
    dsn, port = sys.argv[1], int(sys.argv[2])
    uvicorn.run(create_app(dsn), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
