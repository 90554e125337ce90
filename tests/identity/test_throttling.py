"""Repeated wrong guesses are slowed down then refused, per account and per address (the
forwarded address counts only behind a trusted proxy), and no sequence of guesses tells an
existing account from an unknown one."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.api import LOGIN, ORIGIN, Api
from tests.conftest import MakeAcme


async def test_repeated_failures_are_slowed_down_then_refused(world: Api) -> None:
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


async def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(world: Api) -> None:
    await world.execute("UPDATE login_throttle SET failures = 0")
    for n in range(31):
        await world.login(f"guess{n}@acme.example", headers={"x-forwarded-for": f"10.0.0.{n}"})
    blocked = await world.login("carla@client.example", headers={"x-forwarded-for": "10.9.9.9"})
    assert blocked.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_forwarded_for_names_the_client_behind_a_trusted_proxy(make_acme: MakeAcme) -> None:
    behind_proxy, _ = await make_acme(
        "boss@acme.example", settings={"trusted_proxies": "127.0.0.1"}
    )
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
    world: Api, kind: str
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
