"""Authentication under attack: guessing passwords in bulk, hiding behind forged addresses,
telling accounts apart, stealing or planting sessions, and poisoning emailed links."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Sequence
from http.cookies import SimpleCookie
from typing import Any

import httpx
import pytest

from db.seed import DEMO_PASSWORD
from mailer.worker import answer_reset_requests
from sportello.base.settings import Settings
from tests.security.conftest import HOME, OTHER, Live, demo_identifier, without_request_ids

VIEWER = "{ viewer { kind } }"
RESET = """mutation($org: String!, $id: String!) {
  requestPasswordReset(organization: $org, identifier: $id) }"""
# Timing comparisons: tries per side and round, the factor by which the medians of the two
# sides may differ (below 1.3 so that a 1.3x difference fails), and rounds at most.
TIMING_TRIES = 30
TIMING_FACTOR = 1.2
TIMING_ROUNDS = 2

pytestmark = pytest.mark.usefixtures("fresh_throttle")


def tokens_in(text: str) -> list[str]:
    return re.findall(r"sps_[A-Za-z0-9_-]{20,}", text)


def error_codes(answer: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in answer.json().get("errors", [])]


async def assert_throttled(live: Live, identifier: str, org: str = HOME) -> None:
    """Even the right password is turned away for now."""
    answer = await live.login(identifier, org=org)
    body = answer.json()
    assert body["data"] is None, body
    error = body["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED", body
    assert error["extensions"]["retryAfter"] >= 1
    assert tokens_in(answer.text) == []


def aliased_logins(target: str, guesses: Sequence[str]) -> str:
    fields = " ".join(
        f'a{n}: login(organization: "{HOME}", identifier: "{target}", password: "{guess}") '
        "{ token }"
        for n, guess in enumerate(guesses)
    )
    return f"mutation {{ {fields} }}"


async def account_failures(live: Live, identifier: str) -> int:
    """Failures counted against the account the identifier names (keyed by the account)."""
    failures = await live.scalar(
        "SELECT coalesce(sum(t.failures), 0) FROM login_throttle t WHERE t.key IN ("
        "SELECT 'account:STAFF:' || s.id FROM staff_user s JOIN organization o "
        "ON o.id = s.organization_id WHERE o.slug = :o AND lower(s.email) = lower(:i) "
        "UNION SELECT 'account:CONTACT:' || c.id FROM contact c JOIN organization o "
        "ON o.id = c.organization_id WHERE o.slug = :o AND lower(c.email) = lower(:i))",
        o=HOME,
        i=identifier,
    )
    return int(failures)


async def test_aliased_logins_in_one_request_gain_nothing(live: Live) -> None:
    """Eleven wrong guesses and the right password last, as aliases of one mutation (as
    many as an anonymous document may hold): no token and no cookie; every guess tried is
    counted against the account, the last one is not confirmed (the answer is the one twelve
    wrong guesses get), and repeating the request throttles the account like single guesses
    do. Twenty aliases are refused whole before anything runs, as any anonymous document
    over the bound is: 401 without detail, nothing counted."""
    target = demo_identifier("contact of several clients")
    wrong = [f"guess number {n}!" for n in range(20)]
    too_many = await live.gql(aliased_logins(target, [*wrong[:19], DEMO_PASSWORD]), origin=None)
    assert too_many.status_code == 401
    assert error_codes(too_many) == ["UNAUTHENTICATED"]
    assert tokens_in(too_many.text) == []
    assert await account_failures(live, target) == 0

    with_right = await live.gql(aliased_logins(target, [*wrong[:11], DEMO_PASSWORD]), origin=None)
    codes = error_codes(with_right)
    print(f"12 aliased logins: {with_right.status_code}, codes {codes}")
    assert tokens_in(with_right.text) == []
    assert "set-cookie" not in with_right.headers
    assert with_right.json().get("data") is None
    assert set(codes) <= {"UNAUTHENTICATED", "RATE_LIMITED", "QUERY_TOO_COMPLEX"}
    tried = codes.count("UNAUTHENTICATED")
    assert await account_failures(live, target) == tried
    all_wrong = await live.gql(aliased_logins(target, wrong[:12]), origin=None)
    assert without_request_ids(all_wrong.json()) == without_request_ids(with_right.json())
    for _ in range(5):
        await live.gql(aliased_logins(target, wrong[:12]), origin=None)
    await assert_throttled(live, target)


def forged(n: int) -> dict[str, str]:
    address = f"198.51.100.{n}"
    return {
        "x-forwarded-for": address,
        "x-real-ip": address,
        "forwarded": f"for={address}",
        "true-client-ip": address,
    }


async def test_a_rotating_forwarded_for_does_not_escape_the_account_throttle(live: Live) -> None:
    """No proxy is trusted: guesses claiming to come from ever new addresses still count
    against the account, and the audit trail records the real peer."""
    target = demo_identifier("contact limited to one site")
    for n in range(8):
        failed = await live.login(target, "not the password at all", headers=forged(n))
        assert error_codes(failed) in (["UNAUTHENTICATED"], ["RATE_LIMITED"])
    await assert_throttled(live, target)
    addresses = await live.scalar(
        "SELECT array_agg(DISTINCT ip) FROM audit_event WHERE action = 'login_failed'"
    )
    assert addresses == ["127.0.0.1"]


async def test_a_rotating_forwarded_for_does_not_escape_the_address_throttle(
    live: Live,
) -> None:
    """31 guesses at made-up accounts, each claiming another address: the real address is
    throttled, so a further guess at a real account is turned away too."""
    for n in range(31):
        await live.login(f"guess{n}@nowhere.example", "whatever it is", headers=forged(n))
    await assert_throttled(live, demo_identifier("staff admin"))


async def login_shapes(live: Live, attempts: Sequence[tuple[str, str, str]]) -> set[Any]:
    shapes = set()
    for org, identifier, password in attempts:
        await live.execute("DELETE FROM login_throttle")
        answer = await live.login(identifier, password, org=org)
        shapes.add(
            (
                answer.status_code,
                repr(without_request_ids(answer.json())),
                "set-cookie" in answer.headers,
            )
        )
    return shapes


async def identifiers(live: Live, sql: str) -> list[str]:
    return [row[0] for row in await live.rows(sql, org=HOME)]


async def test_login_failures_look_the_same_whatever_the_reason(live: Live) -> None:
    """Wrong password, unknown account, unknown organization, another organization's account,
    disabled and invited accounts: one status, one body, no cookie."""
    disabled = await identifiers(
        live,
        "SELECT k.email FROM contact k JOIN organization o ON o.id = k.organization_id "
        "WHERE o.slug = :org AND k.state = 'DISABLED' LIMIT 1",
    )
    invited = await identifiers(
        live,
        "SELECT k.email FROM contact k JOIN organization o ON o.id = k.organization_id "
        "WHERE o.slug = :org AND k.state = 'INVITED' LIMIT 1",
    )
    staff = demo_identifier("staff admin")
    attempts = [
        (HOME, staff, "not the password"),
        (HOME, "nobody@nowhere.example", DEMO_PASSWORD),
        ("no-such-company", staff, DEMO_PASSWORD),
        (HOME, demo_identifier("staff admin", OTHER), DEMO_PASSWORD),
        *((HOME, identifier, DEMO_PASSWORD) for identifier in disabled + invited),
    ]
    shapes = await login_shapes(live, attempts)
    assert len(shapes) == 1, shapes
    status, body, cookie = shapes.pop()
    assert status == 200
    assert not cookie
    assert "Wrong organization, identifier or password." in body


def medians_ratio(label: str, known: list[float], unknown: list[float]) -> float:
    """The slower side's median over the faster side's."""
    print(f"{label}, known accounts (ms):   {[round(t * 1000, 1) for t in known]}")
    print(f"{label}, unknown accounts (ms): {[round(t * 1000, 1) for t in unknown]}")
    fast, slow = sorted((statistics.median(known), statistics.median(unknown)))
    print(f"{label}: medians {fast * 1000:.2f} and {slow * 1000:.2f} ms, ratio {slow / fast:.3f}")
    return slow / fast


async def timed_attempts(
    live: Live, document: str, known: Sequence[str], unknown: Sequence[str], **fixed: str
) -> tuple[list[float], list[float], set[str]]:
    """Time each try, known and unknown accounts taking turns (which goes first alternates,
    so that neither side always follows the other); the failure counters and earlier reset
    links are deleted before each try so that every login reaches the password check and
    every reset is the account's first (an attacker spreads them out). Returns the times of
    each side and the distinct answers."""
    times: dict[bool, list[float]] = {True: [], False: []}
    bodies = set()
    for turn, pair in enumerate(zip(known, unknown, strict=True)):
        tries = list(zip((True, False), pair, strict=True))
        for is_known, identifier in tries if turn % 2 == 0 else reversed(tries):
            await live.execute("DELETE FROM login_throttle")
            await live.execute("DELETE FROM account_token WHERE purpose = 'PASSWORD_RESET'")
            variables = {"org": HOME, "id": identifier, **fixed}
            started = time.perf_counter()
            answer = await live.gql(document, variables, origin=None)
            times[is_known].append(time.perf_counter() - started)
            bodies.add(f"{answer.status_code} {without_request_ids(answer.json())}")
    return times[True], times[False], bodies


async def assert_timing_tells_nothing(
    live: Live, label: str, document: str, **fixed: str
) -> set[str]:
    """TIMING_TRIES tries of existing accounts and as many of made-up ones, interleaved, after
    a few untimed ones: the medians may differ by less than TIMING_FACTOR. A round over it is
    measured again and the test fails only when every round is over it: a busy shared
    machine rarely puts one side over twice, while a real difference of 1.3x (about 2x before
    the reset work left the request) is over it every time. Returns the distinct answers."""
    known = await known_accounts(live)
    known = [known[n % len(known)] for n in range(TIMING_TRIES)]
    unknown = [f"someone.{n}@nowhere.example" for n in range(TIMING_TRIES)]
    await timed_attempts(live, document, known[:3], unknown[:3], **fixed)
    ratios = []
    bodies: set[str] = set()
    for _ in range(TIMING_ROUNDS):
        known_times, unknown_times, answers = await timed_attempts(
            live, document, known, unknown, **fixed
        )
        bodies |= answers
        ratios.append(medians_ratio(label, known_times, unknown_times))
        if ratios[-1] < TIMING_FACTOR:
            break
    assert min(ratios) < TIMING_FACTOR, ratios
    return bodies


KNOWN_ACCOUNTS = (
    "SELECT email FROM ("
    " SELECT s.email FROM staff_user s JOIN organization o ON o.id = s.organization_id"
    " WHERE o.slug = :org AND s.active"
    " UNION SELECT k.email FROM contact k JOIN organization o ON o.id = k.organization_id"
    " WHERE o.slug = :org AND k.state = 'ACTIVE' AND k.portal_access AND k.deleted_at IS NULL"
    ") AS accounts WHERE email <> :spare ORDER BY email LIMIT 30"
)
LOGIN = """mutation($org: String!, $id: String!, $pw: String!) {
  login(organization: $org, identifier: $id, password: $pw) { token } }"""


async def known_accounts(live: Live) -> list[str]:
    rows = await live.rows(KNOWN_ACCOUNTS, org=HOME, spare=demo_identifier("staff admin"))
    assert len(rows) >= 15
    return [row[0] for row in rows]


async def test_login_timing_does_not_tell_known_accounts(live: Live) -> None:
    """Wrong passwords for existing accounts and for made-up ones: the same answer, and
    the same time (a dummy hash is verified when there is no account)."""
    bodies = await assert_timing_tells_nothing(live, "login", LOGIN, pw="a wrong password")
    assert len(bodies) == 1, bodies


async def test_password_reset_does_not_tell_known_accounts(live: Live) -> None:
    """Resets of existing accounts (each its first) and of made-up ones, and some of an
    organization that does not exist: the same answer, and the same time (the request only
    records what was asked; the mail worker looks the account up)."""
    bodies = await assert_timing_tells_nothing(live, "requestPasswordReset", RESET)
    unknown = [f"someone.{n}@nowhere.example" for n in range(6)]
    _, _, no_org_bodies = await timed_attempts(
        live, RESET, unknown[:3], unknown[3:], org="no-such-company"
    )
    assert bodies == no_org_bodies == {"200 {'data': {'requestPasswordReset': True}}"}


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


async def assert_locked_out(live: Live, identifier: str, org: str = HOME) -> None:
    """Even the right password gets no session for now: RATE_LIMITED by the identifier's or
    the address's counter, or, from the account's own counter, the answer of a wrong
    password (that counter exists only for real accounts, so it must not answer otherwise)."""
    answer = await live.login(identifier, org=org)
    body = answer.json()
    assert body["data"] is None, body
    assert error_codes(answer) in (["RATE_LIMITED"], ["UNAUTHENTICATED"]), body
    assert tokens_in(answer.text) == []
    assert "set-cookie" not in answer.headers


async def test_spellings_of_a_phone_number_do_not_escape_the_account_throttle(
    live: Live,
) -> None:
    """Accounts log in by email, username or phone, and a phone matches whatever separators
    surround its digits. Eight wrong guesses, each naming the staff admin by another spelling
    of the same phone number: the spellings share one counter (RATE_LIMITED, as for a number
    that names nobody), and they count against that one account, so that even the right
    password, by its email, gets no session."""
    target = demo_identifier("staff admin")
    phone = await live.scalar("SELECT phone FROM staff_user WHERE email = :e", e=target)
    digits = re.sub(r"[^0-9+]", "", phone)
    assert len(digits) >= 9
    spellings = [f"{digits[:n]} {digits[n:]}" for n in range(2, 10)]
    for spelling in spellings:
        failed = await live.login(spelling, "not the password at all")
        assert error_codes(failed) in (["UNAUTHENTICATED"], ["RATE_LIMITED"])
    await assert_throttled(live, f"{digits[:3]}-{digits[3:]}")
    await assert_locked_out(live, target)
    assert await account_failures(live, target) >= 6


async def test_the_throttle_does_not_tell_which_accounts_exist(live: Live) -> None:
    """The attacks of the second round: five wrong guesses with one spelling of a phone
    number, then two with another; five with an email, then two with its local part (the
    username). A contact that exists and one that does not get the same answers."""
    existing = await live.rows(
        "SELECT k.email, k.username, k.mobile FROM contact k JOIN organization o "
        "ON o.id = k.organization_id WHERE o.slug = :org AND k.state = 'ACTIVE' "
        "AND k.portal_access AND k.deleted_at IS NULL AND k.mobile IS NOT NULL "
        "AND lower(k.username) = lower(split_part(k.email, '@', 1)) ORDER BY k.email LIMIT 1",
        org=HOME,
    )
    assert existing, "a demo contact whose username is its email's local part"
    email, username, mobile = (str(value) for value in existing[0])
    digits = re.sub(r"[^0-9+]", "", mobile)
    unknown_digits = digits[:-4] + ("0000" if not digits.endswith("0000") else "1111")
    sides = {
        "existing": (email, username, digits),
        "unknown": ("nessuno.qui@nowhere.example", "nessuno.qui", unknown_digits),
    }
    answers: dict[str, list[list[str]]] = {"existing": [], "unknown": []}
    for side, (mail, user, number) in sides.items():
        for sequence in (
            [f"{number[:3]} {number[3:6]} {number[6:]}"] * 5 + [number.replace(" ", "-")] * 2,
            [f"{number[:3]} {number[3:]}"] * 5 + [f"{number[:3]}-{number[3:]}"] * 2,
            [mail] * 5 + [user] * 2,
            [mail] * 5 + [mail.upper()] * 2,
        ):
            await live.execute("DELETE FROM login_throttle")
            for identifier in sequence:
                failed = await live.login(identifier, "not the password at all")
                answers[side].append(error_codes(failed))
    print(answers)
    assert answers["existing"] == answers["unknown"]


async def test_guessing_the_current_password_through_a_session_is_throttled(
    live: Live,
) -> None:
    """Someone holding a stolen session tries to learn the password itself (to keep access
    after the session ends) through changePassword's currentPassword: after as many wrong
    guesses as login allows, even the right one is turned away."""
    token = await live.fresh_token("contact of one client")
    change = """mutation($current: String!, $new: String!) {
      changePassword(currentPassword: $current, newPassword: $new) { token } }"""
    for n in range(8):
        await live.gql(change, {"current": f"guess number {n}!", "new": DEMO_PASSWORD}, token=token)
    right = await live.gql(change, {"current": DEMO_PASSWORD, "new": DEMO_PASSWORD}, token=token)
    print(right.text)
    assert tokens_in(right.text) == []
    assert error_codes(right) == ["RATE_LIMITED"]
