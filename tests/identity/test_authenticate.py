"""Who is asking: sessions that end (logout, a password change, idleness, a disabled
account), cookies only from our own origin, bearer tokens, and the preview header."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from schema.kit import ids
from tests.api import ORIGIN, VIEWER, Api


async def test_logout_ends_the_session(world: Api) -> None:
    token = await world.token("carla@client.example")
    assert (await world.gql("mutation { logout }", token=token)).json() == {
        "data": {"logout": True}
    }
    refused = await world.gql(VIEWER, token=token)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_password_change_ends_every_other_session(world: Api) -> None:
    old = await world.token("carla@client.example")
    other = await world.token("carla@client.example")
    changed = await world.gql(
        'mutation { changePassword(currentPassword: "correct horse battery staple", '
        'newPassword: "a much better passphrase") { token } }',
        token=old,
    )
    new = changed.json()["data"]["changePassword"]["token"]
    assert (await world.gql(VIEWER, token=old)).status_code == 401
    assert (await world.gql(VIEWER, token=other)).status_code == 401
    assert (await world.gql(VIEWER, token=new)).status_code == 200
    assert (await world.login("carla@client.example", "a much better passphrase")).json()["data"]


@pytest.mark.parametrize("column", ["last_seen_at", "expires_at"])
async def test_sessions_expire_when_idle_or_too_old(world: Api, column: str) -> None:
    token = await world.token("boss@acme.example")
    assert (await world.gql(VIEWER, token=token)).status_code == 200
    shift = "interval '9 hours'" if column == "last_seen_at" else "interval '8 days'"
    await world.execute(f"UPDATE session SET {column} = {column} - {shift}")  # noqa: S608
    assert (await world.gql(VIEWER, token=token)).status_code == 401


async def test_disabling_an_account_ends_its_sessions(world: Api) -> None:
    token = await world.token("carla@client.example")
    await world.execute(
        "UPDATE contact SET state = 'DISABLED' WHERE email = 'carla@client.example'"
    )
    assert (await world.gql(VIEWER, token=token)).status_code == 401


async def test_a_weak_new_password_is_refused_with_the_field(world: Api) -> None:
    token = await world.token("carla@client.example")
    for weak in ("short", "password123", "qwertyuiop"):
        answer = await world.gql(
            "mutation($n: String!) { changePassword(currentPassword: "
            '"correct horse battery staple", newPassword: $n) { token } }',
            token=token,
            n=weak,
        )
        error = answer.json()["errors"][0]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "newPassword"}


async def test_a_cookie_from_another_origin_is_refused(world: Api) -> None:
    token = await world.token("boss@acme.example")
    world.client.cookies.clear()
    world.client.cookies.set("sportello_session", token)
    own = await world.client.post("/graphql", json={"query": VIEWER}, headers=ORIGIN)
    assert own.status_code == 200
    assert own.json()["data"]["viewer"]["kind"] == "STAFF"
    referer = await world.client.post(
        "/graphql", json={"query": VIEWER}, headers={"referer": "http://127.0.0.1:8000/app"}
    )
    assert referer.status_code == 200
    foreign = await world.client.post(
        "/graphql", json={"query": VIEWER}, headers={"origin": "https://evil.example"}
    )
    missing = await world.client.post("/graphql", json={"query": VIEWER})
    assert foreign.status_code == missing.status_code == 403
    assert foreign.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_bad_bearer_token_is_refused(world: Api) -> None:
    for token in ("sps_" + "x" * 43, "garbage", "spp_" + uuid.uuid4().hex):
        assert (await world.gql(VIEWER, token=token)).status_code == 401


def without_request_id(body: dict[str, Any]) -> dict[str, Any]:
    for error in body.get("errors", []):
        error.get("extensions", {}).pop("requestId", None)
    return body


@pytest.mark.parametrize("target", ["a contact", "nonsense"])
@pytest.mark.parametrize("cookie", ["none", "expired"])
async def test_a_preview_header_without_credentials_gets_the_anonymous_401(
    world: Api, target: str, cookie: str
) -> None:
    """X-View-As-Contact (a privileged header) on a request without valid credentials: the
    same 401 without detail as the same anonymous request without it, on /graphql, /export
    and /files, so it tells nothing about previews or the contact named."""
    carla = await world.scalar("SELECT id FROM contact WHERE email = 'carla@client.example'")
    preview = {
        "x-view-as-contact": ids.encode("PortalAccess", carla) if target == "a contact" else "x"
    }
    sent = dict(ORIGIN)
    if cookie == "expired":
        expired = await world.token("carla@client.example")
        await world.execute("UPDATE session SET expires_at = now() - interval '1 minute'")
        sent["cookie"] = f"sportello_session={expired}"
    world.client.cookies.clear()

    async def answers(extra: dict[str, str]) -> list[tuple[int, dict[str, Any]]]:
        headers = sent | extra
        found = [
            await world.client.post("/graphql", json={"query": VIEWER}, headers=headers),
            await world.client.get("/export/clients.csv", headers=headers),
            await world.client.post(
                "/files",
                files={"file": ("a.pdf", b"%PDF-1.4\n", "application/pdf")},
                data={"ownerId": "x", "kind": "CHECKLIST"},
                headers=headers,
            ),
        ]
        return [(a.status_code, without_request_id(a.json())) for a in found]

    plain = await answers({})
    asked = await answers(preview)
    assert [status for status, _ in plain] == [401, 401, 401]
    assert asked == plain
