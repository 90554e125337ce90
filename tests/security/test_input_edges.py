"""Input at the edges (issue 24, item 7): text that is not text, forged cursors, dates at the
ends of the calendar. Each example the attacker found answers BAD_USER_INPUT naming the
argument (GraphQL) or 400 with the JSON error shape and a request id (exports, files), never
a 5xx. tests/security/test_properties.py throws the same classes at every argument."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx
import pytest

from schema.kit import ids
from tests.security.conftest import Live
from tests.security.edges import post
from tests.security.sdl import INTERNALS

SURROGATE = "\ud800"
FAR_FUTURE = "9999-12-31T23:59:59-12:00"
FAR_PAST = "0001-01-01T00:00:00+14:00"


def assert_bad_input(answer: httpx.Response, field: str, *, request_id: bool = False) -> None:
    """One BAD_USER_INPUT error naming ``field``: refused before execution (400) or by the
    resolver (200, at the field's path); with ``request_id``, carrying the answer's."""
    print(answer.status_code, answer.headers.get("content-type"), answer.text[:400])
    assert answer.status_code in (200, 400), answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert INTERNALS.findall(answer.text) == []
    errors = answer.json()["errors"]
    # A document with two bad literals gets the first and "more errors" (schema/kit/limits.py).
    assert len(errors) == 1 or errors[1]["extensions"]["code"] != "INTERNAL_SERVER_ERROR", errors
    assert (answer.status_code == 200) == ("path" in errors[0]), errors
    extensions = errors[0]["extensions"]
    assert extensions["code"] == "BAD_USER_INPUT", errors
    assert extensions["field"] == field, errors
    if request_id:
        assert extensions["requestId"] == answer.headers["x-request-id"]


def cursor(text: str) -> str:
    """A cursor as the server encodes them (base64 of JSON), holding ``text``."""
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode().rstrip("=")


LOGIN = (
    'mutation($o: String!) { login(organization: $o, identifier: "a", password: "b") { token } }'
)
RESET = 'mutation($i: String!) { requestPasswordReset(organization: "brillanti", identifier: $i) }'
OPEN_TICKET = "mutation($in: OpenTicketInput!) { openTicket(input: $in) { id } }"
BOOK = "mutation($in: BookAppointmentInput!) { bookAppointment(input: $in) { id } }"
ANY_ID = ids.encode("Site", uuid.UUID(int=1))

# (who, document, variables, the field the error names)
TEXT_PROBES: list[tuple[str | None, str, dict[str, Any], str]] = [
    (None, LOGIN, {"o": "brillanti" + SURROGATE}, "organization"),
    (None, RESET, {"i": SURROGATE + "@example.com"}, "identifier"),
    (
        "staff admin",
        "query($s: String) { clients(search: $s) { totalCount } }",
        {"s": "a" + SURROGATE},
        "search",
    ),
    (
        "contact of several clients",
        OPEN_TICKET,
        {
            "in": {
                "siteId": ANY_ID,
                "departmentId": ANY_ID,
                "referencePerson": "Rossi",
                "notes": "perde " + SURROGATE,
            }
        },
        "notes",
    ),
    (
        "contact of several clients",
        BOOK,
        {
            "in": {
                "siteId": ANY_ID,
                "activityTypeId": ANY_ID,
                "startsAt": "2026-12-01T09:00:00+01:00",
                "idempotencyKey": "k" + SURROGATE,
            }
        },
        "idempotencyKey",
    ),
    (
        "staff admin",
        "query($s: [TicketStatus!]) { tickets(status: $s) { totalCount } }",
        {"s": ["OPEN" + SURROGATE]},
        "status",
    ),
    (
        "staff admin",
        'query { clients(search: "a' + SURROGATE + '") { totalCount } }',
        {},
        "search",
    ),
    ("staff admin", 'query { clients(search: "a\\u0000b") { totalCount } }', {}, "search"),
    (
        "staff admin",
        "query($in: OpenTicketInput!) { __typename }",
        {"in": {"notes": "a\u0000b"}},
        "notes",
    ),
]


@pytest.mark.parametrize("probe", range(len(TEXT_PROBES)), ids=lambda i: TEXT_PROBES[i][3])
async def test_text_that_postgresql_cannot_store_is_refused_naming_the_argument(
    live: Live, probe: int
) -> None:
    """A lone UTF-16 surrogate (valid in JSON's \\u escapes, not Unicode text: it cannot be
    encoded as UTF-8) or a NUL (which PostgreSQL refuses in text), in a variable, deep in an
    input object, in an enum list or inline in the document."""
    who, document, variables, field = TEXT_PROBES[probe]
    token = await live.token(who) if who else None
    assert_bad_input(await post(live, document, variables, token=token), field, request_id=True)


async def test_an_operation_name_that_is_not_text_is_refused(live: Live) -> None:
    staff = await live.token("staff admin")
    answer = await post(live, "query Q { __typename }", token=staff, operation_name=SURROGATE)
    assert_bad_input(answer, "operationName", request_id=True)


FORGED_CURSORS = {
    "1,000 nested arrays": cursor("[" * 1000 + "]" * 1000),
    "20,000 nested arrays": cursor("[" * 20_000 + "]" * 20_000),
    "a NUL inside": cursor(json.dumps(["a\u0000b", "00000000-0000-0000-0000-000000000001"])),
    "a surrogate inside": cursor('["a\\ud800b", "00000000-0000-0000-0000-000000000001"]'),
    "a surrogate in the id": cursor('["a", "\\ud800"]'),
    "a number for the name": cursor('[1e999, "00000000-0000-0000-0000-000000000001"]'),
    "nested values": cursor('[["a"], {"b": 1}]'),
    "not base64": "%%%" + SURROGATE,
}


@pytest.mark.parametrize("forged", list(FORGED_CURSORS))
@pytest.mark.parametrize("argument", ["after", "before"])
async def test_a_forged_cursor_is_bad_input_naming_its_argument(
    live: Live, forged: str, argument: str
) -> None:
    staff = await live.token("staff admin")
    document = f"query($c: String) {{ clients({argument}: $c) {{ totalCount }} }}"
    assert_bad_input(
        await post(live, document, {"c": FORGED_CURSORS[forged]}, token=staff), argument
    )


async def test_a_forged_cursor_of_a_nested_list_is_bad_input(live: Live) -> None:
    staff = await live.token("staff admin")
    document = (
        "query($c: String) { clients(first: 1) { edges { node { sites(after: $c) "
        "{ totalCount } } } } }"
    )
    answer = await post(live, document, {"c": FORGED_CURSORS["a NUL inside"]}, token=staff)
    print(answer.status_code, answer.text[:400])
    assert answer.status_code < 500
    codes = {e["extensions"]["code"] for e in answer.json()["errors"]}
    assert codes == {"BAD_USER_INPUT"}
    assert answer.json()["errors"][0]["extensions"]["field"] == "after"


# (who, document, the field named)
CALENDAR_PROBES: list[tuple[str, str, str]] = [
    ("contact", f'{{ appointments(from: "{FAR_FUTURE}") {{ totalCount }} }}', "from"),
    ("contact", f'{{ appointments(from: "{FAR_PAST}") {{ totalCount }} }}', "from"),
    ("staff", f'{{ appointments(to: "{FAR_PAST}") {{ totalCount }} }}', "to"),
    ("staff", f'{{ calendar(from: "{FAR_PAST}", to: "{FAR_FUTURE}") {{ id }} }}', "from"),
    ("staff", f'{{ timesheetEntries(from: "{FAR_FUTURE}") {{ totalCount }} }}', "from"),
    ("staff", '{ workSheets(from: "9999-12-31") { totalCount } }', "from"),
    ("staff", '{ revisions(to: "0001-01-01") { totalCount } }', "to"),
    ("staff", '{ portalBill(month: "9999-12") { accessCount } }', "month"),
    ("staff", '{ portalBill(month: "0001-01") { accessCount } }', "month"),
    (
        "partner",
        '{ interventionReport(from: "9999-12-01", to: "9999-12-31") { rows { totalCount } } }',
        "from",
    ),
    (
        "partner",
        '{ hoursReport(from: "9999-01-01", to: "9999-12-31", period: MONTH) { totals { hours } } }',
        "from",
    ),
    (
        "partner",
        '{ ticketReport(from: "9999-12-31", to: "9999-12-31") { totals { opened } } }',
        "from",
    ),
]


async def credential(live: Live, who: str) -> str:
    if who == "partner":
        return await live.partner_token()
    return await live.token("staff admin" if who == "staff" else "contact of several clients")


@pytest.mark.parametrize("probe", range(len(CALENDAR_PROBES)), ids=lambda i: CALENDAR_PROBES[i][1])
async def test_dates_at_the_ends_of_the_calendar_are_bad_input(live: Live, probe: int) -> None:
    """Inline, and the same values through variables."""
    who, document, field = CALENDAR_PROBES[probe]
    token = await credential(live, who)
    assert_bad_input(await post(live, document, token=token), field)


async def test_a_far_date_in_a_variable_is_bad_input_naming_the_argument(live: Live) -> None:
    contact = await live.token("contact of several clients")
    document = "query($f: DateTime) { appointments(from: $f) { totalCount } }"
    for value in (FAR_FUTURE, FAR_PAST):
        assert_bad_input(await post(live, document, {"f": value}, token=contact), "from")
    booking = await post(
        live,
        BOOK,
        {"in": {"siteId": ANY_ID, "activityTypeId": ANY_ID, "startsAt": FAR_FUTURE}},
        token=contact,
    )
    assert_bad_input(booking, "startsAt")


async def export(live: Live, token: str, path: str, **params: str) -> httpx.Response:
    return await live.request(
        "GET", path, params=params, headers={"authorization": f"Bearer {token}"}
    )


# (who, path, parameters, the parameter named)
EXPORT_PROBES: list[tuple[str, str, dict[str, str], str]] = [
    (
        "partner",
        "/export/interventionReport.csv",
        {"from": "9999-12-01", "to": "9999-12-31"},
        "from",
    ),
    ("partner", "/export/hoursReport.csv", {"from": "0001-01-01", "to": "0001-12-31"}, "from"),
    ("staff", "/export/appointments.csv", {"from": FAR_FUTURE}, "from"),
    ("staff", "/export/timesheetEntries.csv", {"to": FAR_PAST}, "to"),
    ("staff", "/export/contracts.csv", {"expiringBefore": "9999-12-31"}, "expiringBefore"),
    ("staff", "/export/clients.csv", {"search": "\u0000"}, "search"),
    ("staff", "/export/equipment.csv", {"kind": "a\u0000"}, "kind"),
    ("staff", "/export/tickets.csv", {"status": "OPEN\u0000"}, "status"),
    ("staff", "/export/sites.csv", {"clientId": "\u0000"}, "clientId"),
]


@pytest.mark.parametrize("probe", range(len(EXPORT_PROBES)), ids=lambda i: str(EXPORT_PROBES[i][2]))
async def test_exports_refuse_the_same_input_with_a_request_id(live: Live, probe: int) -> None:
    """`interventionReport.csv` in year 9999 answered an unmasked 500 text/plain, a NUL in
    `clients.csv?search=` a masked 500 (GraphQL said BAD_USER_INPUT)."""
    who, path, params, field = EXPORT_PROBES[probe]
    token = await credential(live, who)
    assert_bad_input(await export(live, token, path, **params), field, request_id=True)


async def test_a_download_link_with_odd_digits_is_the_one_not_found(live: Live) -> None:
    """`expires=²` passes str.isdigit() but not int(); it was an unmasked 500."""
    staff = await live.token("staff admin")
    document = ids.encode("Document", uuid.UUID(int=1))
    for expires in ("²", "\u0000", "9" * 5000):
        answer = await export(live, staff, f"/files/{document}", expires=expires, sig="x")
        print(expires[:5], answer.status_code, answer.text[:200])
        assert answer.status_code == 404
        assert answer.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


BIG_TEXT = ["a" * 65_536, "é" * 32_768, "\U0001f600" * 16_384]


@pytest.mark.parametrize("argument", ["organization", "identifier", "password"])
@pytest.mark.parametrize("big", range(len(BIG_TEXT)))
async def test_64_kb_of_text_in_a_public_mutation_is_no_server_error(
    live: Live, argument: str, big: int
) -> None:
    """64 KB in each argument of login and requestPasswordReset (anonymous): refused or
    answered like any failed attempt, never a database error."""
    values = {"organization": "brillanti", "identifier": "nobody", "password": "x"}
    values[argument] = BIG_TEXT[big]
    await live.execute("DELETE FROM login_throttle")
    documents = [
        "mutation($o: String!, $i: String!, $p: String!) "
        "{ login(organization: $o, identifier: $i, password: $p) { token } }",
        "mutation($o: String!, $i: String!) "
        "{ requestPasswordReset(organization: $o, identifier: $i) }",
    ]
    for document in documents:
        variables = {"o": values["organization"], "i": values["identifier"]}
        if "$p" in document:
            variables["p"] = values["password"]
        answer = await post(live, document, variables)
        print(argument, answer.status_code, answer.text[:300])
        assert answer.status_code < 500
        codes = {e["extensions"]["code"] for e in answer.json().get("errors", [])}
        assert "INTERNAL_SERVER_ERROR" not in codes, answer.text
