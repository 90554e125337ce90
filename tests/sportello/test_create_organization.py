"""``sportello create-organization``: the first step of a new company, from an empty database."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import sqlalchemy as sa

from db.engine import create_engine
from tests.conftest import MakeClient
from tests.sportello.test_cli import assert_one_line_error, sportello

ACCEPT = """mutation($token: String!, $pw: String!) {
  acceptInvitation(token: $token, password: $pw) { token accountKind } }"""
VIEWER = "{ viewer { kind firstName organizationName timeZone } }"
SETTINGS = "{ organizationSettings { slug name locale timeZone notificationEmail } }"
PASSWORD = "a long first password 2026"

OPTIONS = (
    "--slug",
    "Vigili-Nord",
    "--name",
    "Vigili del Nord Srl",
    "--admin-email",
    "anna.ferri@vigilinord.example",
    "--admin-first-name",
    "Anna",
    "--admin-last-name",
    "Ferri",
    "--locale",
    "it",
    "--time-zone",
    "Europe/Rome",
)


async def counts(database_url: str) -> tuple[int, int, int]:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as db:
            row = (
                await db.execute(
                    sa.text(
                        "SELECT (SELECT count(*) FROM organization), "
                        "(SELECT count(*) FROM staff_user), (SELECT count(*) FROM account_token)"
                    )
                )
            ).one()
    finally:
        await engine.dispose()
    return row[0], row[1], row[2]


async def test_a_new_organization_and_its_administrator_from_an_empty_database(
    tmp_path: Path, database_url: str, make_client: MakeClient
) -> None:
    result = sportello("create-organization", *OPTIONS, cwd=tmp_path, DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    assert "organization vigili-nord created" in result.stdout
    found = re.search(r"(http\S+/invitation\?org=vigili-nord#token=\S+)", result.stdout)
    assert found, result.stdout
    link = urlsplit(found.group(1))
    assert parse_qs(link.query) == {"org": ["vigili-nord"]}
    token = unquote(link.fragment.removeprefix("token="))

    client = await make_client(database_url)
    origin = {"origin": "http://127.0.0.1:8000"}
    accepted = await client.post(
        "/graphql",
        json={"query": ACCEPT, "variables": {"token": token, "pw": PASSWORD}},
        headers=origin,
    )
    session = accepted.json()["data"]["acceptInvitation"]
    assert session["accountKind"] == "STAFF"
    bearer = origin | {"authorization": f"Bearer {session['token']}"}
    viewer = (await client.post("/graphql", json={"query": VIEWER}, headers=bearer)).json()
    assert viewer["data"]["viewer"] == {
        "kind": "STAFF",
        "firstName": "Anna",
        "organizationName": "Vigili del Nord Srl",
        "timeZone": "Europe/Rome",
    }
    settings = (await client.post("/graphql", json={"query": SETTINGS}, headers=bearer)).json()
    assert settings["data"]["organizationSettings"] == {
        "slug": "vigili-nord",
        "name": "Vigili del Nord Srl",
        "locale": "it",
        "timeZone": "Europe/Rome",
        "notificationEmail": "anna.ferri@vigilinord.example",
    }
    # The link works once.
    again = await client.post(
        "/graphql",
        json={"query": ACCEPT, "variables": {"token": token, "pw": PASSWORD}},
        headers=origin,
    )
    assert again.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as db:
            action = await db.scalar(
                sa.text("SELECT action FROM audit_event WHERE action = 'organization_created'")
            )
    finally:
        await engine.dispose()
    assert action == "organization_created"


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("--slug", "9lives", "--slug"),
        ("--admin-email", "not-an-address", "--admin-email"),
        ("--time-zone", "Mars/Olympus", "--time-zone"),
        ("--locale", "fr", "--locale"),
    ],
)
async def test_a_bad_option_is_named_and_nothing_is_written(
    tmp_path: Path, database_url: str, option: str, value: str, named: str
) -> None:
    options = list(OPTIONS)
    options[options.index(option) + 1] = value
    result = sportello("create-organization", *options, cwd=tmp_path, DATABASE_URL=database_url)
    assert_one_line_error(result, named)
    assert await counts(database_url) == (0, 0, 0)


async def test_a_taken_name_is_refused_without_touching_the_first(
    tmp_path: Path, database_url: str
) -> None:
    first = sportello("create-organization", *OPTIONS, cwd=tmp_path, DATABASE_URL=database_url)
    assert first.returncode == 0, first.stderr
    second = sportello("create-organization", *OPTIONS, cwd=tmp_path, DATABASE_URL=database_url)
    assert_one_line_error(second, "--slug", "exists")
    assert await counts(database_url) == (1, 1, 1)
