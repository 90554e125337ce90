"""Telling accounts apart by time: logins and password resets of existing accounts take
as long as those of made-up ones."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence

import pytest

from tests.security.conftest import HOME, RESET, Live, demo_identifier, without_request_ids

# Timing comparisons: tries per side and round, the factor by which the medians of the two
# sides may differ (below 1.3 so that a 1.3x difference fails), and rounds at most.
TIMING_TRIES = 30
TIMING_FACTOR = 1.2
TIMING_ROUNDS = 2


pytestmark = pytest.mark.usefixtures("fresh_throttle")


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
