"""Logging in, sessions, throttling and one-use links, over HTTP against the app."""

from __future__ import annotations

import asyncio
import dataclasses
import random
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from authz.identity import login as auth
from authz.principals import Caller
from db import models as m
from db.engine import create_engine
from db.queries import accounts
from mailer.worker import answer_reset_requests
from schema.kit import ids
from tests import factories
from tests.api import LOGIN, ORIGIN, VIEWER, Api, StatementCounter
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


async def answer_resets(world: World) -> int:
    """What the mail worker does with waiting reset requests (mailer/worker.py)."""
    state = world.client._transport.app.state.sportello  # type: ignore[attr-defined]
    return await answer_reset_requests(state.engine, state.settings, batch_size=20)


async def ask_reset(world: World, identifier: str) -> None:
    """Ask for a reset as a browser does, then let the mail worker answer it."""
    answer = await world.gql(REQUEST_RESET, org="acme", id=identifier)
    assert answer.json() == {"data": {"requestPasswordReset": True}}
    await answer_resets(world)


async def test_reset_answers_the_same_for_known_and_unknown_accounts(world: World) -> None:
    known = await world.gql(REQUEST_RESET, org="acme", id="carla@client.example")
    unknown = await world.gql(REQUEST_RESET, org="acme", id="ghost@client.example")
    no_org = await world.gql(REQUEST_RESET, org="ghosts", id="carla@client.example")
    assert known.status_code == unknown.status_code == no_org.status_code == 200
    assert (
        known.json() == unknown.json() == no_org.json() == {"data": {"requestPasswordReset": True}}
    )
    assert await answer_resets(world) == 2  # the unknown organization's asked for nothing


async def test_asking_for_a_reset_does_the_same_work_for_any_account(world: World) -> None:
    """The request's statements are the same, in the same order, for an active staff user, a
    contact by username, an invited contact, a disabled one, an unknown identifier and an
    unknown organization: the account is looked up later, by the mail worker, so the
    request's time cannot depend on it."""
    asked = [
        ("acme", "boss@acme.example"),
        ("acme", "carla"),
        ("acme", "new@client.example"),
        ("acme", "off@client.example"),
        ("acme", "ghost@client.example"),
        ("ghosts", "carla@client.example"),
    ]
    seen = set()
    with StatementCounter(world.app_engine) as counter:
        for org, identifier in asked:
            counter.reset()
            answer = await world.gql(REQUEST_RESET, org=org, id=identifier)
            assert answer.json() == {"data": {"requestPasswordReset": True}}
            # Admission counts anonymous requests per address (sportello/admission.py), and
            # now and then forgets old minutes: the same for any account, left out here.
            seen.add(tuple(s for s in counter.statements if "address_usage" not in s))
    assert len(seen) == 1, seen
    assert any("password_reset_request" in statement for statement in seen.pop())
    assert await world.scalar("SELECT count(*) FROM outbox_message") == 0
    assert await world.scalar("SELECT count(*) FROM account_token") == 0


async def test_the_worker_answers_each_request_once(world: World) -> None:
    """Three workers at once on requests for accounts that exist, do not, may not reset, and
    the same account twice: one link mail per account that may reset, no request left, and a
    second pass finds nothing to do."""
    for identifier in (
        "carla@client.example",
        "CARLA",
        "new@client.example",
        "off@client.example",
        "ghost@client.example",
        "+39 02 1234 5678",
    ):
        await world.gql(REQUEST_RESET, org="acme", id=identifier)
    state = world.client._transport.app.state.sportello  # type: ignore[attr-defined]
    workers = [create_engine(state.settings.database_url, pool_size=1) for _ in range(3)]
    try:
        taken = await asyncio.gather(
            *(answer_reset_requests(w, state.settings, batch_size=20) for w in workers)
        )
    finally:
        for worker in workers:
            await worker.dispose()
    assert sum(taken) == 6
    mails = await world.scalar(
        "SELECT array_agg(to_address ORDER BY to_address) FROM outbox_message "
        "WHERE kind = 'password_reset'"
    )
    assert mails == ["boss@acme.example", "carla@client.example", "new@client.example"]
    assert await world.scalar("SELECT count(*) FROM password_reset_request") == 0
    assert await answer_resets(world) == 0


async def test_a_request_rolled_back_asks_for_nothing_and_a_dead_worker_loses_nothing(
    world: World,
) -> None:
    """A reset asked in a transaction that rolls back leaves nothing to answer; a worker that
    takes a request and dies before committing leaves it to the next one."""
    caller = Caller("192.0.2.1", None)
    async with world.engine.connect() as db:
        transaction = await db.begin()
        await auth.request_password_reset(
            db, organization="acme", identifier="carla@client.example", caller=caller
        )
        await transaction.rollback()
    assert await answer_resets(world) == 0
    async with world.engine.connect() as db, db.begin():
        await auth.request_password_reset(
            db, organization="acme", identifier="carla@client.example", caller=caller
        )
    async with world.engine.connect() as dying:
        await dying.begin()
        assert await accounts.claim_reset_request(dying) is not None
        # The connection ends without a commit, as when the worker's process is killed.
    assert await answer_resets(world) == 1
    assert await world.scalar("SELECT count(*) FROM outbox_message") == 1
    assert (
        await world.scalar("SELECT ip FROM audit_event WHERE action = 'password_reset_requested'")
        == "192.0.2.1"
    )
    assert await world.scalar("SELECT count(*) FROM outbox_message") == 1


async def test_a_reset_link_works_once(world: World) -> None:
    old_session = await world.token("carla@client.example")
    await ask_reset(world, "carla@client.example")
    token = await reset_link(world, "carla@client.example")
    assert token not in str(await world.scalar("SELECT array_agg(token_hash) FROM account_token"))
    done = await world.gql(RESET, t=token, p="brand new passphrase")
    assert done.json()["data"]["resetPassword"]["token"].startswith("sps_")
    assert (await world.gql(VIEWER, token=old_session)).status_code == 401
    again = await world.gql(RESET, t=token, p="another new passphrase")
    assert again.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "token"}
    assert (await world.login("carla@client.example", "brand new passphrase")).json()["data"]


async def test_reset_links_that_are_expired_tampered_or_stale_fail(world: World) -> None:
    await ask_reset(world, "carla@client.example")
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
    await ask_reset(world, "carla@client.example")
    second = await reset_link(world, "carla@client.example")
    assert second != first
    assert (await world.gql(RESET, t=first, p="brand new passphrase")).json()["errors"]
    assert (await world.gql(RESET, t=second, p="brand new passphrase")).json()["data"]


async def test_a_throttled_account_can_still_reset_its_password(world: World) -> None:
    for _ in range(7):
        await world.login("carla@client.example", "not the password")
    blocked = await world.login("carla@client.example")
    assert blocked.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    await ask_reset(world, "carla@client.example")
    token = await reset_link(world, "carla@client.example")
    assert (await world.gql(RESET, t=token, p="back in business 2026")).json()["data"]


async def test_an_invited_contact_can_make_its_first_access_through_a_reset(
    world: World,
) -> None:
    await ask_reset(world, "new@client.example")
    token = await reset_link(world, "new@client.example")
    assert (await world.gql(RESET, t=token, p="my first passphrase")).json()["data"]
    state = await world.scalar("SELECT state FROM contact WHERE email = 'new@client.example'")
    assert state == "ACTIVE"


async def test_a_link_works_only_for_its_purpose(world: World) -> None:
    await ask_reset(world, "carla@client.example")
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
    await answer_resets(world)
    body = await world.scalar("SELECT body_text FROM outbox_message")
    assert "http://127.0.0.1:8000/reset-password?org=acme#token=spl_" in body
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


def without_request_id(body: dict[str, Any]) -> dict[str, Any]:
    for error in body.get("errors", []):
        error.get("extensions", {}).pop("requestId", None)
    return body


@pytest.mark.parametrize("target", ["a contact", "nonsense"])
@pytest.mark.parametrize("cookie", ["none", "expired"])
async def test_a_preview_header_without_credentials_gets_the_anonymous_401(
    world: World, target: str, cookie: str
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


@dataclasses.dataclass(frozen=True)
class Names:
    """An account's identifiers, or the same shapes naming nobody."""

    email: str
    username: str
    phone: str


# The spellings an attacker can rotate through, from one account's identifiers.
SPELLINGS: dict[str, Callable[[Names], str]] = {
    "email": lambda n: n.email,
    "EMAIL": lambda n: n.email.upper(),
    "Email padded": lambda n: f"  {n.email[0].upper()}{n.email[1:]} ",
    "username": lambda n: n.username,
    "USERNAME": lambda n: n.username.upper(),
    "phone spaced": lambda n: n.phone,
    "phone dashed": lambda n: n.phone.replace(" ", "-"),
    "phone bare": lambda n: n.phone.replace(" ", ""),
    "phone dotted": lambda n: n.phone.replace(" ", "."),
    "phone bracketed": lambda n: "(" + n.phone.replace(" ", ") ", 1),
}
PAUSE = "pause"  # every block runs out before the next step
HANDWRITTEN = [
    ["phone spaced"] * 5 + ["phone dashed"] * 2,
    ["email"] * 5 + ["username"] * 2,
    ["email"] * 5 + ["EMAIL", "Email padded"],
    ["username"] * 5 + ["USERNAME", "phone bare"],
    ["phone spaced", "phone dashed", "phone bare", "phone dotted", "phone bracketed"] * 2,
    ["email", "username", "phone spaced"] * 4,
    ["email"] * 6 + [PAUSE, "username", "email", PAUSE, "phone dashed", "email"],
]


def random_sequences(count: int, seed: int) -> list[list[str]]:
    drawn = random.Random(seed)  # the same sequences every run
    names = [*SPELLINGS, PAUSE]
    return [drawn.choices(names, k=drawn.randint(6, 16)) for _ in range(count)]


EXISTING = {
    "contact": Names("carla@client.example", "carla", "333 123 4567"),
    "staff": Names("boss@acme.example", "boss", "+39 02 1234 5678"),
}
UNKNOWN = {
    "contact": Names("ghost@client.example", "ghost", "333 765 4321"),
    "staff": Names("nobody@acme.example", "nobody", "+39 02 8765 4321"),
}


async def attempt(client: httpx.AsyncClient, identifier: str) -> tuple[Any, ...]:
    """What an attacker observes of one wrong guess: status, code, message, retry hint."""
    answer = await client.post(
        "/graphql",
        json={
            "query": LOGIN,
            "variables": {"org": "acme", "id": identifier, "pw": "surely not the password"},
        },
        headers=ORIGIN,
    )
    body = answer.json()
    error = body["errors"][0]
    return (
        answer.status_code,
        body["data"],
        error["extensions"]["code"],
        error["message"],
        error["extensions"].get("retryAfter"),
    )


@pytest.mark.parametrize("kind", ["contact", "staff"])
async def test_no_sequence_of_identifiers_tells_an_existing_account_from_an_unknown_one(
    world: World, kind: str
) -> None:
    """Wrong guesses through many sequences of spellings (phone numbers with any separators,
    an email and its local part as username, upper and lower case, pauses that let blocks run
    out): an existing account and one that does not exist get the very same answers, step by
    step. Each side sends from its own address; blocks are held for an hour after each step so
    that the time between the two sides' tries decides nothing."""
    app = world.client._transport.app  # type: ignore[attr-defined]

    def from_address(address: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(address, 40000)),
            base_url="http://127.0.0.1:8000",
        )

    names = {"existing": EXISTING[kind], "unknown": UNKNOWN[kind]}
    differences = []
    clients: list[httpx.AsyncClient] = []
    try:
        for number, sequence in enumerate(HANDWRITTEN + random_sequences(5, seed=24)):
            # Fresh addresses for each sequence (and side): anonymous requests are also
            # admitted per address and minute (sportello/admission.py).
            sides = {
                side: from_address(f"192.0.2.{2 * number + offset}")
                for offset, side in enumerate(("existing", "unknown"))
            }
            clients.extend(sides.values())
            await world.execute("DELETE FROM login_throttle")
            seen: dict[str, list[tuple[Any, ...]]] = {"existing": [], "unknown": []}
            for step in sequence:
                if step == PAUSE:
                    await world.execute(
                        "UPDATE login_throttle SET blocked_until = now() - interval '1 second' "
                        "WHERE blocked_until IS NOT NULL"
                    )
                    continue
                for side, client in sides.items():
                    seen[side].append(await attempt(client, SPELLINGS[step](names[side])))
                await world.execute(
                    "UPDATE login_throttle SET blocked_until = now() + interval '1 hour' "
                    "WHERE blocked_until > now()"
                )
            if seen["existing"] != seen["unknown"]:
                differences.append((number, sequence, seen["existing"], seen["unknown"]))
    finally:
        for client in clients:
            await client.aclose()
    assert differences == []
