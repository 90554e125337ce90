"""Password reset: the request answers the same for every account, the mail worker answers
each request once, and a link works once, for its purpose, until a newer one."""

from __future__ import annotations

import asyncio

from authz.identity import login as auth
from authz.principals import Caller
from db.engine import create_engine
from db.queries import accounts
from mailer.worker import answer_reset_requests
from tests.api import VIEWER, Api, StatementCounter
from tests.identity.kit import mailed_link

REQUEST_RESET = """mutation($org: String!, $id: String!) {
  requestPasswordReset(organization: $org, identifier: $id) }"""
RESET = (
    """mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) { token } }"""
)


async def answer_resets(world: Api) -> int:
    """What the mail worker does with waiting reset requests (mailer/worker.py)."""
    state = world.client._transport.app.state.sportello  # type: ignore[attr-defined]
    return await answer_reset_requests(state.engine, state.settings, batch_size=20)


async def ask_reset(world: Api, identifier: str) -> None:
    """Ask for a reset as a browser does, then let the mail worker answer it."""
    answer = await world.gql(REQUEST_RESET, org="acme", id=identifier)
    assert answer.json() == {"data": {"requestPasswordReset": True}}
    await answer_resets(world)


async def test_reset_answers_the_same_for_known_and_unknown_accounts(world: Api) -> None:
    known = await world.gql(REQUEST_RESET, org="acme", id="carla@client.example")
    unknown = await world.gql(REQUEST_RESET, org="acme", id="ghost@client.example")
    no_org = await world.gql(REQUEST_RESET, org="ghosts", id="carla@client.example")
    assert known.status_code == unknown.status_code == no_org.status_code == 200
    assert (
        known.json() == unknown.json() == no_org.json() == {"data": {"requestPasswordReset": True}}
    )
    assert await answer_resets(world) == 2  # the unknown organization's asked for nothing


async def test_asking_for_a_reset_does_the_same_work_for_any_account(world: Api) -> None:
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


async def test_the_worker_answers_each_request_once(world: Api) -> None:
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
    world: Api,
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


async def test_a_reset_link_works_once(world: Api) -> None:
    old_session = await world.token("carla@client.example")
    await ask_reset(world, "carla@client.example")
    token = await mailed_link(world, "carla@client.example")
    assert token not in str(await world.scalar("SELECT array_agg(token_hash) FROM account_token"))
    done = await world.gql(RESET, t=token, p="brand new passphrase")
    assert done.json()["data"]["resetPassword"]["token"].startswith("sps_")
    assert (await world.gql(VIEWER, token=old_session)).status_code == 401
    again = await world.gql(RESET, t=token, p="another new passphrase")
    assert again.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "token"}
    assert (await world.login("carla@client.example", "brand new passphrase")).json()["data"]


async def test_reset_links_that_are_expired_tampered_or_stale_fail(world: Api) -> None:
    await ask_reset(world, "carla@client.example")
    first = await mailed_link(world, "carla@client.example")
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
    second = await mailed_link(world, "carla@client.example")
    assert second != first
    assert (await world.gql(RESET, t=first, p="brand new passphrase")).json()["errors"]
    assert (await world.gql(RESET, t=second, p="brand new passphrase")).json()["data"]


async def test_a_throttled_account_can_still_reset_its_password(world: Api) -> None:
    for _ in range(7):
        await world.login("carla@client.example", "not the password")
    blocked = await world.login("carla@client.example")
    assert blocked.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    await ask_reset(world, "carla@client.example")
    token = await mailed_link(world, "carla@client.example")
    assert (await world.gql(RESET, t=token, p="back in business 2026")).json()["data"]


async def test_an_invited_contact_can_make_its_first_access_through_a_reset(
    world: Api,
) -> None:
    await ask_reset(world, "new@client.example")
    token = await mailed_link(world, "new@client.example")
    assert (await world.gql(RESET, t=token, p="my first passphrase")).json()["data"]
    state = await world.scalar("SELECT state FROM contact WHERE email = 'new@client.example'")
    assert state == "ACTIVE"


async def test_a_link_works_only_for_its_purpose(world: Api) -> None:
    await ask_reset(world, "carla@client.example")
    token = await mailed_link(world, "carla@client.example")
    accept = (
        "mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { token } }"
    )
    refused = await world.gql(accept, t=token, p="brand new passphrase")
    assert refused.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "token"}
    assert (await world.gql(RESET, t=token, p="brand new passphrase")).json()["data"]


async def test_links_point_to_the_public_url_whatever_the_host_header(world: Api) -> None:
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
