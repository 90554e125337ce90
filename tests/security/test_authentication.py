"""Authentication under attack: stealing or planting sessions, and poisoning emailed links.
Guessing passwords is in test_guessing.py, telling accounts apart by time in test_timing.py."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import httpx
import pytest

from mailer.worker import answer_reset_requests
from sportello.base.settings import Settings
from tests.security.conftest import HOME, RESET, Live, demo_identifier

VIEWER = "{ viewer { kind } }"


pytestmark = pytest.mark.usefixtures("fresh_throttle")


def session_cookie(answer: httpx.Response) -> tuple[str, dict[str, str], str]:
    """(value, attributes, raw header) of the session cookie the answer sets."""
    raw = answer.headers["set-cookie"]
    parsed: SimpleCookie = SimpleCookie()
    parsed.load(raw)
    morsel = parsed["sportello_session"]
    attributes = {k.lower(): str(v) for k, v in morsel.items() if v}
    return morsel.value, attributes, raw


async def test_the_session_cookie_cannot_be_read_by_scripts_or_sent_cross_site(
    live: Live,
) -> None:
    """HttpOnly (no script reads it), SameSite=Lax (no cross-site subrequest carries it),
    Path=/, host-only, and not Secure since the public URL is plain http."""
    answer = await live.login(demo_identifier("staff admin"))
    token = answer.json()["data"]["login"]["token"]
    value, attributes, raw = session_cookie(answer)
    print(raw)
    assert value == token
    assert attributes.get("httponly") == "True"
    assert attributes.get("samesite", "").lower() == "lax"
    assert attributes.get("path") == "/"
    assert "domain" not in attributes
    assert "secure" not in attributes
    assert 0 < int(attributes["max-age"]) <= 168 * 3600


async def test_a_planted_cookie_is_not_the_session_after_login(live: Live) -> None:
    """Session fixation: whatever cookie an attacker planted before the victim logs in
    (a made-up token, or the attacker's own session), login answers a new token, the planted
    one does not become the victim's session, and the attacker's stays the attacker's."""
    made_up = "sps_" + "A" * 43
    attackers = await live.fresh_token("contact of one client")
    for planted in (made_up, attackers):
        answer = await live.login(
            demo_identifier("staff admin"),
            headers={"cookie": f"sportello_session={planted}", "origin": live.origin},
        )
        value, _, _ = session_cookie(answer)
        assert value != planted
        assert answer.json()["data"]["login"]["token"] == value
        as_victim = await live.gql(VIEWER, token=value)
        assert as_victim.json()["data"]["viewer"]["kind"] == "STAFF"
    assert (await live.gql(VIEWER, token=made_up)).status_code == 401
    still_attacker = await live.gql(VIEWER, token=attackers)
    assert still_attacker.json()["data"]["viewer"]["kind"] == "CONTACT"


@pytest.mark.parametrize("ended_by", ["cookie", "bearer"])
async def test_logout_ends_the_token_everywhere(live: Live, ended_by: str) -> None:
    """After logout the token works neither as a bearer token nor as a cookie, and the
    browser is told to drop the cookie."""
    token = await live.fresh_token("staff admin")
    spare = await live.fresh_token("staff admin")
    if ended_by == "cookie":
        answer = await live.gql("mutation { logout }", cookie=token)
        cleared = answer.headers["set-cookie"]
        assert cleared.startswith('sportello_session=""') or "Max-Age=0" in cleared, cleared
    else:
        answer = await live.gql("mutation { logout }", token=token)
    assert answer.json() == {"data": {"logout": True}}
    by_bearer = await live.gql(VIEWER, token=token)
    by_cookie = await live.gql(VIEWER, cookie=token)
    assert by_bearer.status_code == 401
    assert by_cookie.status_code == 401
    assert "viewer" not in by_bearer.text + by_cookie.text
    # Only that session ended.
    assert (await live.gql(VIEWER, token=spare)).json() == {"data": {"viewer": {"kind": "STAFF"}}}


POISONED_HOST = {
    "host": "evil.example",
    "x-forwarded-host": "evil.example",
    "x-forwarded-proto": "https",
    "x-forwarded-server": "evil.example",
    "x-host": "evil.example",
    "x-original-url": "https://evil.example/",
    "forwarded": "host=evil.example;proto=https",
}


async def answer_resets(live: Live) -> None:
    """The mail worker's part of a reset (mailer/worker.py), configured as the server is."""
    settings = Settings(database_url=live.database_url, public_url=live.public_url)
    while await answer_reset_requests(live.engine, settings, batch_size=100) == 100:
        pass  # earlier tests of the module left requests waiting


async def outbox_text(live: Live, address: str) -> str:
    rows = await live.rows(
        "SELECT subject, body_text, coalesce(body_html, ''), payload::text FROM outbox_message "
        "WHERE to_address = :a ORDER BY created_at DESC LIMIT 1",
        a=address,
    )
    assert rows, f"no mail queued for {address}"
    return "\n".join(rows[0])


async def test_emailed_links_ignore_host_headers(live: Live) -> None:
    """A reset requested, an access created and its invitation sent again, each with Host and
    X-Forwarded-Host of another site: every link is built from the configured public URL."""
    victim = demo_identifier("staff admin")
    answer = await live.gql(RESET, {"org": HOME, "id": victim}, headers=POISONED_HOST)
    assert answer.json() == {"data": {"requestPasswordReset": True}}
    await answer_resets(live)
    reset_mail = await outbox_text(live, victim)

    staff = await live.token("staff admin")
    client_id = (await live.data("{ clients(first: 1) { edges { node { id } } } }", staff))[
        "clients"
    ]["edges"][0]["node"]["id"]
    created = await live.gql(
        "mutation($in: CreatePortalAccessInput!) { createPortalAccess(input: $in) { id } }",
        {
            "in": {
                "firstName": "Ida",
                "lastName": "Invitata",
                "email": "ida.invitata@cliente.example",
                "clientIds": [client_id],
            }
        },
        token=staff,
        headers=POISONED_HOST,
    )
    access = created.json()["data"]["createPortalAccess"]["id"]
    invitation_mail = await outbox_text(live, "ida.invitata@cliente.example")
    await live.execute(
        "UPDATE outbox_message SET created_at = created_at - interval '5 minutes' "
        "WHERE to_address = 'ida.invitata@cliente.example'"
    )
    again = await live.gql(
        "mutation($id: ID!) { resetPortalAccessCredentials(id: $id) { state } }",
        {"id": access},
        token=staff,
        headers=POISONED_HOST,
    )
    assert again.json()["data"]["resetPortalAccessCredentials"]["state"] == "INVITED"
    second_invitation = await outbox_text(live, "ida.invitata@cliente.example")

    for mail, page in (
        (reset_mail, "reset-password"),
        (invitation_mail, "invitation"),
        (second_invitation, "invitation"),
    ):
        links = re.findall(r"https?://[^\s\"'<>]+token=[^\s\"'<>]+", mail)
        assert links, mail
        assert f"{live.public_url}/{page}?org={HOME}#token=spl_" in mail
        assert "evil" not in mail
        for link in links:
            assert link.startswith(live.public_url), link
