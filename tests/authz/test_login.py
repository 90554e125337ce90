"""Logging in, sessions, throttling and one-use links, over HTTP against the app."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from db import models as m
from db.engine import create_engine
from tests import factories
from tests.api import LOGIN, ORIGIN, VIEWER, Api
from tests.conftest import MakeClient

World = Api


@pytest.fixture
async def world(
    make_client: MakeClient, make_database: Callable[[], Awaitable[str]]
) -> AsyncIterator[World]:
    url = await make_database()
    engine = create_engine(url, pool_size=2)
    org = await factories.organization(engine, "acme")
    await factories.staff(engine, org, "boss@acme.example", phone="+39 02 1234 5678")
    client_id = await factories.client(engine, org, "C1")
    await factories.contact(
        engine, org, "carla@client.example", clients=(client_id,), mobile="333 123 4567"
    )
    await factories.contact(
        engine, org, "off@client.example", state=m.ContactState.DISABLED, clients=(client_id,)
    )
    await factories.contact(
        engine,
        org,
        "new@client.example",
        password=None,
        state=m.ContactState.INVITED,
        clients=(client_id,),
    )
    other = await factories.organization(engine, "other")
    await factories.staff(engine, other, "boss@other.example")
    built = World(engine, await make_client(url))
    yield built
    await engine.dispose()


@pytest.mark.parametrize(
    ("identifier", "kind"),
    [
        ("boss@acme.example", "STAFF"),
        ("BOSS@ACME.EXAMPLE", "STAFF"),
        ("+390212345678", "STAFF"),
        ("carla@client.example", "CONTACT"),
        ("carla", "CONTACT"),
        ("333-123-4567", "CONTACT"),
    ],
)
async def test_login_by_email_username_or_phone(world: World, identifier: str, kind: str) -> None:
    response = await world.login(identifier)
    assert response.status_code == 200, response.text
    login = response.json()["data"]["login"]
    assert login["accountKind"] == kind
    viewer = await world.gql(VIEWER, token=login["token"])
    assert viewer.json()["data"]["viewer"]["kind"] == kind
    assert viewer.json()["data"]["viewer"]["organizationName"] == "Acme"


async def test_every_login_gets_a_new_token_and_only_its_hash_is_stored(world: World) -> None:
    first = await world.token("boss@acme.example")
    second = await world.token("boss@acme.example")
    assert first != second
    assert first.startswith("sps_")
    assert len(first) >= 40
    stored = await world.scalar(
        "SELECT count(*) FROM session WHERE token_hash = :t", t=first.encode()
    )
    assert stored == 0
    assert await world.scalar("SELECT count(*) FROM session") == 2


async def test_the_session_cookie_is_httponly_and_lax(world: World) -> None:
    response = await world.login("boss@acme.example")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("sportello_session=sps_")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # the public URL is http here


async def test_the_cookie_is_secure_behind_https(
    make_client: MakeClient, make_database: Callable[[], Awaitable[str]]
) -> None:
    url = await make_database()
    engine = create_engine(url, pool_size=1)
    org = await factories.organization(engine, "acme")
    await factories.staff(engine, org, "boss@acme.example")
    await engine.dispose()
    client = await make_client(url, public_url="https://portal.acme.example")
    response = await client.post(
        "/graphql",
        json={
            "query": LOGIN,
            "variables": {"org": "acme", "id": "boss@acme.example", "pw": factories.PASSWORD},
        },
    )
    assert "Secure" in response.headers["set-cookie"]


async def test_failures_look_the_same_whatever_the_reason(world: World) -> None:
    attempts = [
        await world.login("boss@acme.example", "wrong password!"),
        await world.login("nobody@acme.example"),
        await world.login("boss@acme.example", org="nowhere"),
        await world.login("off@client.example"),
        await world.login("new@client.example"),
        await world.login("boss@other.example"),
    ]
    shapes = {
        (
            a.status_code,
            a.json()["errors"][0]["message"],
            a.json()["errors"][0]["extensions"]["code"],
        )
        for a in attempts
    }
    assert shapes == {(200, "Wrong organization, identifier or password.", "UNAUTHENTICATED")}
    assert all(a.json()["data"] is None for a in attempts)


async def test_stored_hashes_are_argon2id_at_the_owasp_minimum(world: World) -> None:
    stored = await world.scalar(
        "SELECT password_hash FROM staff_user WHERE email = 'boss@acme.example'"
    )
    match = re.match(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$", stored)
    assert match is not None
    assert int(match.group(1)) >= 19456
    assert int(match.group(2)) >= 2


async def test_an_outdated_hash_is_upgraded_at_login(world: World) -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(factories.PASSWORD)
    await world.execute(
        "UPDATE staff_user SET password_hash = :h WHERE email = 'boss@acme.example'", h=weak
    )
    assert (await world.login("boss@acme.example")).status_code == 200
    stored = await world.scalar(
        "SELECT password_hash FROM staff_user WHERE email = 'boss@acme.example'"
    )
    assert stored != weak
    assert ",t=2," in stored


async def test_logout_ends_the_session(world: World) -> None:
    token = await world.token("carla@client.example")
    assert (await world.gql("mutation { logout }", token=token)).json() == {
        "data": {"logout": True}
    }
    refused = await world.gql(VIEWER, token=token)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_password_change_ends_every_other_session(world: World) -> None:
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
async def test_sessions_expire_when_idle_or_too_old(world: World, column: str) -> None:
    token = await world.token("boss@acme.example")
    assert (await world.gql(VIEWER, token=token)).status_code == 200
    shift = "interval '9 hours'" if column == "last_seen_at" else "interval '8 days'"
    await world.execute(f"UPDATE session SET {column} = {column} - {shift}")  # noqa: S608
    assert (await world.gql(VIEWER, token=token)).status_code == 401


async def test_disabling_an_account_ends_its_sessions(world: World) -> None:
    token = await world.token("carla@client.example")
    await world.execute(
        "UPDATE contact SET state = 'DISABLED' WHERE email = 'carla@client.example'"
    )
    assert (await world.gql(VIEWER, token=token)).status_code == 401


async def test_repeated_failures_are_slowed_down_then_refused(world: World) -> None:
    for _ in range(5):
        failed = await world.login("boss@acme.example", "not the password")
        assert failed.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    sixth = await world.login("boss@acme.example", "not the password")
    assert sixth.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    blocked = await world.login("boss@acme.example")  # even the right password waits
    error = blocked.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] >= 1
    # Other accounts from another address are not affected.
    assert (await world.login("carla@client.example")).json()["data"]["login"]


async def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(world: World) -> None:
    await world.execute("UPDATE login_throttle SET failures = 0")
    for n in range(31):
        await world.login(f"guess{n}@acme.example", headers={"x-forwarded-for": f"10.0.0.{n}"})
    blocked = await world.login("carla@client.example", headers={"x-forwarded-for": "10.9.9.9"})
    assert blocked.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_weak_new_password_is_refused_with_the_field(world: World) -> None:
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


async def reset_link(world: World, email: str) -> str:
    body = await world.scalar(
        "SELECT body_text FROM outbox_message WHERE to_address = :e "
        "ORDER BY created_at DESC LIMIT 1",
        e=email,
    )
    match = re.search(r"#token=(spl_[A-Za-z0-9_-]+)", body)
    assert match is not None
    return match.group(1)


REQUEST_RESET = """mutation($org: String!, $id: String!) {
  requestPasswordReset(organization: $org, identifier: $id) }"""
RESET = (
    """mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) { token } }"""
)


async def test_reset_answers_the_same_for_known_and_unknown_accounts(world: World) -> None:
    known = await world.gql(REQUEST_RESET, org="acme", id="carla@client.example")
    unknown = await world.gql(REQUEST_RESET, org="acme", id="ghost@client.example")
    no_org = await world.gql(REQUEST_RESET, org="ghosts", id="carla@client.example")
    assert known.status_code == unknown.status_code == no_org.status_code == 200
    assert (
        known.json() == unknown.json() == no_org.json() == {"data": {"requestPasswordReset": True}}
    )
    assert await world.scalar("SELECT count(*) FROM outbox_message") == 1


async def test_a_reset_link_works_once(world: World) -> None:
    old_session = await world.token("carla@client.example")
    await world.gql(REQUEST_RESET, org="acme", id="carla@client.example")
    token = await reset_link(world, "carla@client.example")
    assert token not in str(await world.scalar("SELECT array_agg(token_hash) FROM account_token"))
    done = await world.gql(RESET, t=token, p="brand new passphrase")
    assert done.json()["data"]["resetPassword"]["token"].startswith("sps_")
    assert (await world.gql(VIEWER, token=old_session)).status_code == 401
    again = await world.gql(RESET, t=token, p="another new passphrase")
    assert again.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "token"}
    assert (await world.login("carla@client.example", "brand new passphrase")).json()["data"]


async def test_reset_links_that_are_expired_tampered_or_stale_fail(world: World) -> None:
    await world.gql(REQUEST_RESET, org="acme", id="carla@client.example")
    first = await reset_link(world, "carla@client.example")
    tampered = first[:-2] + ("AA" if not first.endswith("AA") else "BB")
    assert (await world.gql(RESET, t=tampered, p="brand new passphrase")).json()["errors"]
    await world.execute("UPDATE account_token SET expires_at = now() - interval '1 minute'")
    assert (await world.gql(RESET, t=first, p="brand new passphrase")).json()["errors"]
    # A newer link makes the older one useless.
    await world.execute(
        "UPDATE account_token SET expires_at = now() + interval '1 hour', "
        "created_at = now() - interval '1 hour'"
    )
    await world.gql(REQUEST_RESET, org="acme", id="carla@client.example")
    second = await reset_link(world, "carla@client.example")
    assert second != first
    assert (await world.gql(RESET, t=first, p="brand new passphrase")).json()["errors"]
    assert (await world.gql(RESET, t=second, p="brand new passphrase")).json()["data"]


async def test_a_throttled_account_can_still_reset_its_password(world: World) -> None:
    for _ in range(7):
        await world.login("carla@client.example", "not the password")
    blocked = await world.login("carla@client.example")
    assert blocked.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    await world.gql(REQUEST_RESET, org="acme", id="carla@client.example")
    token = await reset_link(world, "carla@client.example")
    assert (await world.gql(RESET, t=token, p="back in business 2026")).json()["data"]


async def test_an_invited_contact_can_make_its_first_access_through_a_reset(
    world: World,
) -> None:
    await world.gql(REQUEST_RESET, org="acme", id="new@client.example")
    token = await reset_link(world, "new@client.example")
    assert (await world.gql(RESET, t=token, p="my first passphrase")).json()["data"]
    state = await world.scalar("SELECT state FROM contact WHERE email = 'new@client.example'")
    assert state == "ACTIVE"


async def test_a_link_works_only_for_its_purpose(world: World) -> None:
    await world.gql(REQUEST_RESET, org="acme", id="carla@client.example")
    token = await reset_link(world, "carla@client.example")
    accept = (
        "mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { token } }"
    )
    refused = await world.gql(accept, t=token, p="brand new passphrase")
    assert refused.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "token"}
    assert (await world.gql(RESET, t=token, p="brand new passphrase")).json()["data"]


async def test_links_point_to_the_public_url_whatever_the_host_header(world: World) -> None:
    await world.gql(
        REQUEST_RESET,
        org="acme",
        id="carla@client.example",
        headers={"host": "evil.example", "x-forwarded-host": "evil.example"},
    )
    body = await world.scalar("SELECT body_text FROM outbox_message")
    assert "http://127.0.0.1:8000/reset-password#token=spl_" in body
    assert "evil" not in body


async def test_forwarded_for_names_the_client_behind_a_trusted_proxy(
    make_client: MakeClient, make_database: Callable[[], Awaitable[str]]
) -> None:
    url = await make_database()
    engine = create_engine(url, pool_size=1)
    org = await factories.organization(engine, "acme")
    await factories.staff(engine, org, "boss@acme.example")
    client = await make_client(url, trusted_proxies="127.0.0.1")
    behind_proxy = Api(engine, client)
    for n in range(31):
        await behind_proxy.login(
            f"guess{n}@acme.example", headers={"x-forwarded-for": f"203.0.113.{n}, 127.0.0.1"}
        )
    # Each guess came from its own address: no address is blocked, and the audit says who.
    answer = await behind_proxy.login(
        "boss@acme.example", headers={"x-forwarded-for": "198.51.100.7"}
    )
    assert answer.json()["data"]["login"]["accountKind"] == "STAFF"
    ips = await behind_proxy.scalar("SELECT array_agg(DISTINCT ip) FROM audit_event")
    assert "198.51.100.7" in ips
    assert "203.0.113.30" in ips
    await engine.dispose()


async def test_a_cookie_from_another_origin_is_refused(world: World) -> None:
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


async def test_a_bad_bearer_token_is_refused(world: World) -> None:
    for token in ("sps_" + "x" * 43, "garbage", "spp_" + uuid.uuid4().hex):
        assert (await world.gql(VIEWER, token=token)).status_code == 401


async def test_a_browser_logged_into_one_organization_can_log_into_another(
    world: World,
) -> None:
    await world.login("boss@acme.example")  # leaves the acme session cookie in the client
    assert "sportello_session" in world.client.cookies
    other = await world.login("boss@other.example", org="other")
    assert other.json()["data"]["login"]["accountKind"] == "STAFF"
