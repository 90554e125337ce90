"""Guessing passwords in bulk: aliased logins, forged addresses, spellings of one phone
number and a stolen session all meet the throttle, and neither the failures nor the throttle
tell which accounts exist."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from db.seed import DEMO_PASSWORD
from tests.security.conftest import HOME, OTHER, Live, demo_identifier, without_request_ids

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
