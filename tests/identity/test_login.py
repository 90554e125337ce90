"""Logging in: by email, username or phone, a new session each time, the cookie it sets,
one answer for every failure, and the password hashes kept."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.api import LOGIN, VIEWER, Api
from tests.conftest import MakeAcme


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
async def test_login_by_email_username_or_phone(world: Api, identifier: str, kind: str) -> None:
    response = await world.login(identifier)
    assert response.status_code == 200, response.text
    login = response.json()["data"]["login"]
    assert login["accountKind"] == kind
    viewer = await world.gql(VIEWER, token=login["token"])
    assert viewer.json()["data"]["viewer"]["kind"] == kind
    assert viewer.json()["data"]["viewer"]["organizationName"] == "Acme"


async def test_every_login_gets_a_new_token_and_only_its_hash_is_stored(world: Api) -> None:
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


async def test_the_session_cookie_is_httponly_and_lax(world: Api) -> None:
    response = await world.login("boss@acme.example")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("sportello_session=sps_")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # the public URL is http here


async def test_the_cookie_is_secure_behind_https(make_acme: MakeAcme) -> None:
    api, _ = await make_acme(
        "boss@acme.example", settings={"public_url": "https://portal.acme.example"}
    )
    response = await api.client.post(
        "/graphql",
        json={
            "query": LOGIN,
            "variables": {"org": "acme", "id": "boss@acme.example", "pw": factories.PASSWORD},
        },
    )
    assert "Secure" in response.headers["set-cookie"]


async def test_failures_look_the_same_whatever_the_reason(world: Api) -> None:
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


async def test_stored_hashes_are_argon2id_at_the_owasp_minimum(world: Api) -> None:
    stored = await world.scalar(
        "SELECT password_hash FROM staff_user WHERE email = 'boss@acme.example'"
    )
    match = re.match(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$", stored)
    assert match is not None
    assert int(match.group(1)) >= 19456
    assert int(match.group(2)) >= 2


async def test_an_outdated_hash_is_upgraded_at_login(world: Api) -> None:
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


async def test_a_browser_logged_into_one_organization_can_log_into_another(
    world: Api,
) -> None:
    await world.login("boss@acme.example")  # leaves the acme session cookie in the client
    assert "sportello_session" in world.client.cookies
    other = await world.login("boss@other.example", org="other")
    assert other.json()["data"]["login"]["accountKind"] == "STAFF"
