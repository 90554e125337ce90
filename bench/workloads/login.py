"""Logging in as a staff user: argon2id verification, a new session, the audit event."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from typing import Any

import argon2
import asyncpg  # type: ignore[import-untyped]

from bench.workloads import Caller, Workload, iso

# Sportello's parameters (authz/passwords.py): the stored hashes use them, so no rehash.
HASHER = argon2.PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
SESSION_HOURS = 168

FIND_STAFF = """
SELECT st.id, st.organization_id, st.password_hash, st.active
FROM staff_user st JOIN organization o ON o.id = st.organization_id
WHERE st.organization_id = $1 AND lower(st.email) = lower($2)
LIMIT 1
"""
INSERT_SESSION = """
INSERT INTO session (id, created_at, organization_id, token_hash, staff_user_id, last_seen_at,
  expires_at, ip)
VALUES ($1, $2, $3, $4, $5, $2, $6, $7)
"""
INSERT_AUDIT = """
INSERT INTO audit_event (id, created_at, organization_id, actor_type, actor_id, action, ip,
  details)
VALUES ($1, $2, $3, 'STAFF', $4, 'login', $5, $6)
"""


class LoginFailed(Exception):
    """The floor answers only the successful login it is benchmarked with."""


async def floor(
    db: asyncpg.Connection, _: Caller | None, variables: dict[str, Any], ip: str | None
) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    organization, identifier = variables["org"].strip().lower(), variables["id"].strip()
    account_key = f"account:{organization}:{identifier.lower()}"
    blocked = await db.fetchval(
        "SELECT max(blocked_until) FROM login_throttle WHERE key = ANY($1::text[])",
        [account_key, f"address:{ip or 'unknown'}"],
    )
    if blocked is not None and blocked > now:
        raise LoginFailed("rate limited")
    organization_id = await db.fetchval("SELECT id FROM organization WHERE slug = $1", organization)
    staff = await db.fetchrow(FIND_STAFF, organization_id, identifier)
    if staff is None or not staff["active"]:
        raise LoginFailed("unknown account")
    try:
        HASHER.verify(staff["password_hash"], variables["pw"])
    except argon2.exceptions.VerificationError:
        raise LoginFailed("wrong password") from None
    await db.execute("DELETE FROM login_throttle WHERE key = $1", account_key)
    token = "sps_" + secrets.token_urlsafe(32)
    expires_at = now + dt.timedelta(hours=SESSION_HOURS)
    await db.execute(
        INSERT_SESSION,
        uuid.uuid4(),
        now,
        staff["organization_id"],
        hashlib.sha256(token.encode()).digest(),
        staff["id"],
        expires_at,
        ip,
    )
    await db.execute("UPDATE staff_user SET last_login_at = $1 WHERE id = $2", now, staff["id"])
    await db.execute(
        INSERT_AUDIT, uuid.uuid4(), now, staff["organization_id"], staff["id"], ip, json.dumps({})
    )
    return {"login": {"token": token, "expiresAt": iso(expires_at), "accountKind": "STAFF"}}


WORKLOAD = Workload(
    name="login",
    title="Login (staff, argon2id)",
    principal=None,
    variables=lambda f: {"org": f.organization_slug, "id": f.staff_email, "pw": f.password},
    floor=floor,
    no_postgraphile=(
        "PostGraphile has no login of its own: it would need a SQL function that checks the "
        "password, and PostgreSQL (pgcrypto) has no argon2id to verify Sportello's hashes"
    ),
    changes_every_time=True,
)
