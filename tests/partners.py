"""Partner tokens for tests: inserted with SQL as an admin would create them, secret known."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from typing import Any, Protocol


class Executes(Protocol):
    """Anything that runs a statement on the test's database (tests.api.Api, the live server
    of tests/security)."""

    async def execute(self, sql: str, **params: Any) -> None: ...


async def partner_token(
    api: Executes,
    org: str = "brillanti",
    scopes: Sequence[str] = ("reports:read",),
    clients: Sequence[uuid.UUID] = (),
) -> str:
    """A fresh partner token of ``org`` with ``scopes``, restricted to ``clients`` if any."""
    secret = "spp_" + secrets.token_urlsafe(32)
    token_id = uuid.uuid4()
    await api.execute(
        "INSERT INTO partner_token (id, created_at, organization_id, name, token_hash, "
        "last_four, scopes) SELECT :id, now(), id, 'BI', :h, :four, :scopes "
        "FROM organization WHERE slug = :org",
        id=token_id,
        h=hashlib.sha256(secret.encode()).digest(),
        four=secret[-4:],
        scopes=list(scopes),
        org=org,
    )
    for client in clients:
        await api.execute(
            "INSERT INTO partner_token_client (id, created_at, organization_id, "
            "partner_token_id, client_id) SELECT gen_random_uuid(), now(), organization_id, "
            ":token, :client FROM partner_token WHERE id = :token",
            token=token_id,
            client=client,
        )
    return secret
