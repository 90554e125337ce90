"""Admission (issue 24, items 1, 2 and 8): what a request must pass before the server works.

- An anonymous document that is not a public operation is refused before it is parsed or
  validated: by its length, or by the token bound of the public operations.
- Anonymous requests are counted per client address, in PostgreSQL: two processes share the
  count.
- A principal executes a share of the process's turns; its other requests wait in its own
  line (or are refused) while another principal's request goes first.
- Staff users and contacts spend a query-cost budget per minute, all sessions together.
- Ten unknown directives are one error and one generic error, not ten.

Nothing here asserts a time: order is made observable with a table lock held by the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from graphql import GraphQLError, OperationType, build_schema

from schema.kit.limits import ANONYMOUS_MAX_CHARS, ANONYMOUS_MAX_TOKENS
from sportello import admission, graphql_documents, graphql_route
from sportello.base.settings import Settings, SettingsError
from tests.api import Demo
from tests.conftest import Databases
from tests.security.conftest import (
    Dedicated,
    Live,
    demo_copy,
    demo_identifier,
    serving,
    without_request_ids,
)

PUBLIC_SDL = Path(__file__).resolve().parents[2] / "schema" / "sdl" / "public.graphql"
# The attack: about 2,000 tokens (within MAX_TOKENS), 22 KB, refused with 401 after
# about 110 ms of parsing and validation.
TYPENAMES = "{ " + "__typename " * 1990 + "}"
# Within the character bound of anonymous documents, but far past its token bound.
SHORT_BUT_MANY_TOKENS = "{" + " a" * ((ANONYMOUS_MAX_CHARS - 2) // 2) + "}"
API_VERSION = "{ apiVersion }"
VIEWER = "{ viewer { kind } }"
# 1 + 100 x (edges 1 + node 1) = 201 (schema/kit/limits.py).
SITES = "{ sites(first: 100) { edges { node { name } } } }"
SITES_COST = 201
TIMESHEETS = "{ timesheetEntries(first: 100) { edges { node { id } } } }"
# Queries held by the test's lock wait this long before the statement timeout would end them
# (and free their turns): longer than the test holds the lock.
HOLD_MS = "120000"
UNAUTHENTICATED = {
    "errors": [{"message": "Authentication required.", "extensions": {"code": "UNAUTHENTICATED"}}]
}


class Calls:
    """Counts calls of a function and lets them through unchanged (a spy, not a stand-in)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> None:
        self.original: Callable[..., Any] = getattr(owner, name)
        self.calls: list[tuple[Any, ...]] = []
        self.raised: list[BaseException] = []
        monkeypatch.setattr(owner, name, self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(args)
        try:
            return self.original(*args, **kwargs)
        except Exception as error:
            self.raised.append(error)
            raise


def rate_limited(answer: Any) -> int:
    """The retryAfter of a 429 RATE_LIMITED answer (checked against Retry-After)."""
    assert answer.status_code == 429, answer.text
    error = answer.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED", answer.text
    retry_after: int = error["extensions"]["retryAfter"]
    assert 1 <= retry_after <= 60
    assert answer.headers["retry-after"] == str(retry_after)
    return retry_after


async def within_one_minute(attempt: Callable[[], Awaitable[None]]) -> None:
    """Run ``attempt`` inside one clock minute (the budgets count per minute)."""
    now = dt.datetime.now(dt.UTC)
    if now.second >= 45:
        await asyncio.sleep(61 - now.second)
    await attempt()


async def test_an_anonymous_big_document_is_refused_before_it_is_parsed(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2,000 ``__typename``: refused on its length, without any parse or validation; a short
    text of 2,000 tokens: the only parse stops at the public operations' token bound."""
    staff = await demo.as_("staff admin")
    demo.client.cookies.clear()
    parses = Calls(monkeypatch, graphql_route, "parse_document")
    validations = Calls(monkeypatch, graphql_route, "validate_document")
    bounded = Calls(monkeypatch, admission, "parse")

    answer = await demo.gql(TYPENAMES)
    assert answer.status_code == 401
    assert without_request_ids(answer.json()) == UNAUTHENTICATED
    assert (parses.calls, validations.calls, bounded.calls) == ([], [], [])

    answer = await demo.gql(SHORT_BUT_MANY_TOKENS)
    assert answer.status_code == 401
    assert without_request_ids(answer.json()) == UNAUTHENTICATED
    assert (parses.calls, validations.calls) == ([], [])
    assert len(bounded.raised) == 1
    assert f"more than {ANONYMOUS_MAX_TOKENS} tokens" in str(bounded.raised[0])

    # A bearer token that opens nothing: refused before the document is parsed too.
    answer = await demo.gql(TYPENAMES, token="sps_" + "x" * 43)
    assert answer.status_code == 401
    assert (parses.calls, validations.calls) == ([], [])

    # The spies see what a logged-in caller's document costs: parsed and validated.
    answer = await demo.gql(TYPENAMES, token=staff)
    assert answer.status_code != 401, answer.text
    assert len(parses.calls) >= 1
    assert len(validations.calls) == 1


async def test_public_operations_are_those_of_the_public_view(demo: Demo) -> None:
    """Every root field of schema/sdl/public.graphql passes admission, nothing else does:
    a public field added to the view is admitted without a change to admission."""
    public = build_schema(PUBLIC_SDL.read_text(encoding="utf-8"))
    roots = {OperationType.QUERY: public.query_type, OperationType.MUTATION: public.mutation_type}
    admitted = 0
    for kind, root in roots.items():
        assert root is not None
        for name in root.fields:
            document = f"{kind.value} {{ {name} {{ __typename }} }}"
            expected = (
                admission.Verdict.PUBLIC_MUTATION
                if kind is OperationType.MUTATION
                else admission.Verdict.PUBLIC_QUERY
            )
            assert admission.verdict(document, None) is expected, document
            admitted += 1
    assert admitted >= 5
    for document in (
        "{ clients { totalCount } }",
        "{ viewer { kind } }",
        "{ __schema { types { name } } }",
        "mutation { logout }",
        "mutation { login { __typename } logout }",
        "{ apiVersion ...F } fragment F on Query { clients { totalCount } }",
        "query A { apiVersion } query B { clients { totalCount } }",  # which one runs?
        "{ apiVersion }" + " " * ANONYMOUS_MAX_CHARS,  # longer than any public operation
    ):
        assert admission.verdict(document, None) is admission.Verdict.NOT_PUBLIC, document
    assert admission.verdict("{ ... on Query { apiVersion } }", None) is (
        admission.Verdict.PUBLIC_QUERY
    )
    demo.client.cookies.clear()
    answer = await demo.gql(API_VERSION)
    assert answer.status_code == 200
    assert answer.json()["data"]["apiVersion"]
    assert (await demo.gql("{ clients { totalCount } }")).status_code == 401


@contextlib.asynccontextmanager
async def two_processes(
    databases: Databases, template: str, tmp_path_factory: pytest.TempPathFactory, **env: str
) -> AsyncIterator[tuple[Live, Live]]:
    """Two ``sportello serve`` processes on one copy of the demo data."""
    async with (
        demo_copy(databases, template) as url,
        serving(url, tmp_path_factory.mktemp("first"), **env) as first,
        serving(url, tmp_path_factory.mktemp("second"), **env) as second,
    ):
        yield first, second


async def test_anonymous_requests_are_limited_per_address_across_processes(
    databases: Databases, seeded_template: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Five anonymous requests a minute from 127.0.0.1, counted in PostgreSQL: the sixth is
    refused by either process, whatever it asks and whatever X-Forwarded-For says; a
    logged-in caller from the same address is not limited by it."""
    async with two_processes(
        databases,
        seeded_template,
        tmp_path_factory,
        SPORTELLO_ANONYMOUS_REQUESTS_PER_MINUTE="5",
    ) as (first, second):

        async def attempt() -> None:
            await first.execute("DELETE FROM address_usage")
            # A count of an hour ago limits nothing: the next anonymous request deletes it.
            await first.execute(
                "INSERT INTO address_usage VALUES ('198.51.100.7', now() - interval '1 hour', 5)"
            )
            token = await first.token("staff admin")  # a login: one anonymous request
            for server in (first, first, second, second):
                assert (await server.gql(API_VERSION)).status_code == 200
            for server in (first, second):
                rate_limited(await server.gql(API_VERSION))
                rate_limited(await server.gql(TYPENAMES))
                forged = {"x-forwarded-for": "203.0.113.9"}
                rate_limited(await server.gql(API_VERSION, headers=forged))
                assert (await server.gql(VIEWER, token=token)).status_code == 200
            counted = await first.scalar(
                "SELECT requests FROM address_usage WHERE address = '127.0.0.1'"
            )
            assert counted == 5  # refused requests are not counted
            assert await first.scalar("SELECT count(*) FROM address_usage") == 1

        await within_one_minute(attempt)


async def waiting_on_locks(live: Live) -> int:
    count = await live.scalar("SELECT count(*) FROM pg_locks WHERE NOT granted")
    return int(count)


@contextlib.asynccontextmanager
async def timesheets_held(
    live: Live, token: str, count: int
) -> AsyncIterator[list[asyncio.Task[httpx.Response]]]:
    """``count`` timesheet queries of ``token``, held by a lock on timesheets until the block
    ends; the block starts once two of them wait on the lock in the database, and after it
    every one of them is answered."""
    async with live.engine.connect() as locker:
        await locker.begin()
        await locker.execute(sa.text("LOCK TABLE timesheet_entry IN ACCESS EXCLUSIVE MODE"))
        held = [asyncio.create_task(live.gql(TIMESHEETS, token=token)) for _ in range(count)]
        while await waiting_on_locks(live) < 2:  # noqa: ASYNC110 - polls PostgreSQL
            await asyncio.sleep(0.01)
        yield held
        await locker.rollback()
    for answer in await asyncio.gather(*held):
        assert answer.status_code == 200, answer.text


async def done_within(task: asyncio.Task[httpx.Response], seconds: float = 20) -> bool:
    """Whether ``task`` is done within ``seconds``."""
    done, _ = await asyncio.wait({task}, timeout=seconds)
    return task in done


async def test_a_heavy_principal_waits_in_its_own_line(dedicated: Dedicated) -> None:
    """Four turns, two per principal: a contact's six list queries, held by a lock on
    timesheets, occupy two turns and wait in its own line; another principal's query is
    answered while all six still wait. With one line for everyone (before), the six held all
    four turns and the other principal waited behind them."""
    async with dedicated(
        SPORTELLO_CONCURRENT_REQUESTS="4",
        SPORTELLO_PRINCIPAL_CONCURRENT_REQUESTS="2",
        SPORTELLO_STATEMENT_TIMEOUT_MS=HOLD_MS,
    ) as live:
        heavy = await live.token("contact of one client")
        light = await live.token("contact of several clients")
        async with timesheets_held(live, heavy, 6) as held:
            answered = asyncio.create_task(live.gql(VIEWER, token=light))
            answered_while_held = await done_within(answered)
            blocked_in_the_database = await waiting_on_locks(live)
            still_waiting = sum(not task.done() for task in held)
        light_answer = await answered
    assert answered_while_held
    assert light_answer.json()["data"]["viewer"]["kind"] == "CONTACT"
    assert blocked_in_the_database == 2
    assert still_waiting == 6


async def test_a_principal_past_its_line_is_refused_at_once(dedicated: Dedicated) -> None:
    """Two at once and none waiting: a contact's third query, while two are held by a lock,
    is refused at once (RATE_LIMITED), and another principal is still answered."""
    async with dedicated(
        SPORTELLO_PRINCIPAL_CONCURRENT_REQUESTS="2",
        SPORTELLO_PRINCIPAL_WAITING_REQUESTS="0",
        SPORTELLO_STATEMENT_TIMEOUT_MS=HOLD_MS,
    ) as live:
        heavy = await live.token("contact of one client")
        light = await live.token("contact of several clients")
        async with timesheets_held(live, heavy, 2):
            third = asyncio.create_task(live.gql(TIMESHEETS, token=heavy))
            refused_while_held = await done_within(third)
            answered = await live.gql(VIEWER, token=light, seconds=20)
        refused = await third
    assert refused_while_held
    rate_limited(refused)
    assert "running or waiting" in refused.json()["errors"][0]["message"]
    assert answered.json()["data"]["viewer"]["kind"] == "CONTACT"


async def test_a_session_over_its_cost_budget_is_rate_limited(dedicated: Dedicated) -> None:
    """A budget of 1,000 a minute: four lists of 201 fit, a fifth does not, for any session
    of that contact; a cheaper query still fits, and other accounts are not affected."""
    async with dedicated(SPORTELLO_SESSION_COST_PER_MINUTE="1000") as live:
        contact = "contact of one client"
        first = await live.fresh_token(contact)
        other = await live.token("contact of several clients")

        async def attempt() -> None:
            await live.execute("DELETE FROM account_usage")
            for _ in range(4):
                assert (await live.gql(SITES, token=first)).status_code == 200
            rate_limited(await live.gql(SITES, token=first))
            # Logging in again buys no new budget: it is the account's.
            second = await live.fresh_token(contact)
            refused = await live.gql(SITES, token=second)
            rate_limited(refused)
            assert f"this request {SITES_COST}" in refused.json()["errors"][0]["message"]
            assert (await live.gql(VIEWER, token=second)).status_code == 200
            assert (await live.gql(SITES, token=other)).status_code == 200
            spent = await live.scalar(
                "SELECT u.cost FROM account_usage u JOIN contact c ON c.id = u.account_id "
                "WHERE c.email = :email",
                email=demo_identifier(contact),
            )
            assert spent == 4 * SITES_COST + 1

        await within_one_minute(attempt)


async def test_many_unknown_directives_get_one_error_and_one_more(live: Live) -> None:
    """Ten unknown directives: the first is named, the rest are one generic error."""
    names = [f"nope{n}" for n in range(10)]
    document = "{ apiVersion " + " ".join(f"@{name}" for name in names) + " }"
    token = await live.token("staff admin")
    answer = await live.gql(document, token=token)
    assert answer.status_code == 400, answer.text
    errors = answer.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["GRAPHQL_VALIDATION_FAILED"] * 2
    assert "@nope0" in errors[0]["message"]
    assert errors[1]["message"] == graphql_documents.MORE_ERRORS
    assert not any(f"@{name}" in answer.text for name in names[1:])
    anonymous = await live.gql(document)
    assert anonymous.status_code == 401
    assert without_request_ids(anonymous.json()) == UNAUTHENTICATED


def test_only_the_first_error_is_told() -> None:
    errors = [GraphQLError(f"problem {n}") for n in range(5)]
    told = graphql_documents.past_first(errors)
    assert [e.message for e in told] == ["problem 0", graphql_documents.MORE_ERRORS]
    assert graphql_documents.past_first(errors[:1]) == errors[:1]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PRINCIPAL_CONCURRENT_REQUESTS", "0"),
        ("PRINCIPAL_WAITING_REQUESTS", "-1"),
        ("ANONYMOUS_REQUESTS_PER_MINUTE", "0"),
        ("SESSION_COST_PER_MINUTE", str(2**31)),
    ],
)
def test_admission_settings_are_checked_at_start(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"SPORTELLO_{name}={value}"):
        Settings.from_env({f"SPORTELLO_{name}": value})


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        (None, "unknown"),
    ],
)
def test_addresses_are_counted_by_subscriber(address: str | None, key: str) -> None:
    """An IPv6 caller rotating through its /64 is still one address."""
    assert admission.address_key(address) == key
