"""Every kind of caller of the back-office mutations, what the API answers each, and the
records those tests look at (sites, audit events)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tests.api import Demo
from tests.partners import partner_token

# Every kind of caller, and what the API answers each of them for a staff-only mutation:
# allowed, refused at run time (FORBIDDEN), absent from its view (a validation error), or
# not signed in (401).
ALLOWED, FORBIDDEN, ABSENT, UNSIGNED = "allowed", "FORBIDDEN", "absent", "unsigned"
CALLERS = {
    "ADMIN": ALLOWED,
    "OFFICE": ALLOWED,
    "TECHNICIAN": FORBIDDEN,
    "contact of one client": ABSENT,
    "contact limited to one site": ABSENT,
    "partner lists:read": ABSENT,
    "partner reports:read": ABSENT,
    "anonymous": UNSIGNED,
}


async def token_of(demo: Demo, caller: str, org: str = "brillanti") -> str | None:
    """A bearer token of ``caller`` (a key of CALLERS) in ``org``; None when anonymous."""
    if caller == "anonymous":
        return None
    if caller.startswith("partner "):
        return await partner_token(demo, org, (caller.split(" ", 1)[1],))
    if caller.startswith("contact"):
        return await demo.as_(caller, org)
    return await demo.staff(caller, org)


async def assert_answers_as(
    demo: Demo, caller: str, calls: Sequence[tuple[str, dict[str, Any]]]
) -> None:
    """Each (document, variables) of ``calls``, sent as ``caller`` (a key of CALLERS), is
    answered as CALLERS says."""
    token = await token_of(demo, caller)
    demo.client.cookies.clear()  # only the bearer token speaks for the caller
    for document, variables in calls:
        response = await demo.gql(document, token=token, variables=variables)
        assert outcome(response) == CALLERS[caller], (caller, response.text)


async def assert_only_staff_may_call(demo: Demo, query: str, variables: dict[str, Any]) -> None:
    """Every caller but ADMIN and OFFICE staff is refused ``query`` as CALLERS says: anonymous
    callers unsigned, contacts and partners by a view without it, technicians at run time."""
    for caller, answer in CALLERS.items():
        if answer != ALLOWED:
            await assert_answers_as(demo, caller, [(query, variables)])


def outcome(response: Any) -> str:
    """What the API answered: one of ALLOWED, FORBIDDEN, ABSENT, UNSIGNED (or the codes)."""
    if response.status_code == 401:
        return UNSIGNED
    body = response.json()
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
    if not codes:
        return ALLOWED
    if "GRAPHQL_VALIDATION_FAILED" in codes:
        return ABSENT
    return ",".join(sorted(str(c) for c in codes))


async def client_site(demo: Demo, org: str = "brillanti") -> tuple[str, str]:
    """Global ids of the first site the staff of ``org`` list, and of its client."""
    data = await demo.data(
        "{ sites(first: 1) { edges { node { id client { id } } } } }",
        await demo.as_("staff admin", org),
    )
    node = data["sites"]["edges"][0]["node"]
    return node["client"]["id"], node["id"]


async def other_site_of_org(demo: Demo, client: str) -> str:
    """A site of the same organization that belongs to another client than ``client``."""
    data = await demo.data(
        "{ sites(first: 50) { edges { node { id client { id } } } } }",
        await demo.as_("staff admin"),
    )
    found: str = next(
        edge["node"]["id"]
        for edge in data["sites"]["edges"]
        if edge["node"]["client"]["id"] != client
    )
    return found


async def audit_events(demo: Demo, action: str) -> list[Any]:
    """The details of every audit event ``action``, oldest first."""
    rows = await demo.scalar(
        "SELECT coalesce(json_agg(details ORDER BY created_at), '[]') FROM audit_event "
        "WHERE action = :a",
        a=action,
    )
    return list(rows)


def refusal(response: Any) -> Any:
    """The ``extensions`` of the first error, the answer's data being null."""
    body = response.json()
    assert body.get("data") is None, body
    return body["errors"][0]["extensions"]


async def refused(demo: Demo, token: str, query: str, **variables: Any) -> dict[str, Any]:
    """The first error of a call the API refused, its data being null."""
    body: dict[str, Any] = (await demo.gql(query, token=token, variables=variables)).json()
    assert body.get("data") is None, body
    error: dict[str, Any] = body["errors"][0]
    return error
