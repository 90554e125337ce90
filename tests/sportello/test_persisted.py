"""Persisted documents over HTTP (sportello/persisted.py): a registered document runs by its
hash alone, an unknown hash or a hash that is not the text's is refused, and an organization
that refuses unregistered documents refuses its contacts' other texts, never staff's."""

from __future__ import annotations

from typing import Any

import httpx

from sportello.persisted import registry, sha256
from tests.api import ORIGIN, Demo

# The portal shell's first request (web/app.js), registered through web/documents.json.
SHELL_VIEWER = next(text for text in registry().values() if text.startswith("query ShellViewer"))
UNREGISTERED = "{ viewer { firstName } }"
REFUSE = """mutation($on: Boolean!) {
  updateOrganizationSettings(input: {refuseUnregisteredDocuments: $on}) {
    refuseUnregisteredDocuments } }"""


async def post(demo: Demo, body: dict[str, Any], token: str) -> httpx.Response:
    headers = ORIGIN | {"authorization": f"Bearer {token}"}
    return await demo.client.post("/graphql", json=body, headers=headers)


def by_hash(digest: str, **body: Any) -> dict[str, Any]:
    return {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}, **body}


def refusal(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    return error["extensions"]["code"], error["message"]


async def test_a_registered_document_runs_by_its_hash_alone(demo: Demo) -> None:
    contact = await demo.as_("contact of one client")
    answer = await post(demo, by_hash(sha256(SHELL_VIEWER), variables={}), contact)
    assert answer.status_code == 200, answer.text
    expected = await post(demo, {"query": SHELL_VIEWER}, contact)
    assert answer.json() == expected.json()
    assert answer.json()["data"]["viewer"]["kind"] == "CONTACT"


async def test_an_unknown_hash_is_refused_and_a_text_sent_with_its_hash_is_not_registered(
    demo: Demo,
) -> None:
    contact = await demo.as_("contact of one client")
    digest = sha256(UNREGISTERED)
    code, message = refusal(await post(demo, by_hash(digest), contact))
    assert code == "PERSISTED_QUERY_NOT_FOUND"
    assert "send the document's text" in message
    # With its text the document runs, and its hash stays unknown: clients register nothing.
    ran = await post(demo, by_hash(digest, query=UNREGISTERED), contact)
    assert ran.status_code == 200, ran.text
    assert ran.json()["data"]["viewer"]["firstName"]
    assert refusal(await post(demo, by_hash(digest), contact))[0] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_hash_that_is_not_the_texts_is_refused_naming_both(demo: Demo) -> None:
    contact = await demo.as_("contact of one client")
    digest = sha256(SHELL_VIEWER)
    code, message = refusal(await post(demo, by_hash(digest, query=UNREGISTERED), contact))
    assert code == "BAD_REQUEST"
    assert digest in message
    assert sha256(UNREGISTERED) in message


async def test_a_malformed_persisted_query_is_refused(demo: Demo) -> None:
    contact = await demo.as_("contact of one client")
    digest = sha256(SHELL_VIEWER)
    malformed: list[dict[str, Any]] = [
        {"extensions": "persisted"},
        {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": digest}}},
        by_hash(digest[:-1]),
        by_hash(digest.replace(digest[0], "g")),
        {"extensions": {}},
    ]
    for body in malformed:
        assert refusal(await post(demo, body, contact))[0] == "BAD_REQUEST", body


async def test_an_organization_refusing_unregistered_documents_refuses_its_contacts_texts(
    demo: Demo,
) -> None:
    admin = await demo.as_("staff admin")
    contact = await demo.as_("contact of one client")
    # Off (the default): any valid text runs.
    assert (await post(demo, {"query": UNREGISTERED}, contact)).status_code == 200
    on = await demo.data(REFUSE, admin, on=True)
    assert on == {"updateOrganizationSettings": {"refuseUnregisteredDocuments": True}}

    logout = {"query": "mutation { logout }"}
    for text in (UNREGISTERED, logout["query"], "not even GraphQL"):
        code, message = refusal(await post(demo, {"query": text}, contact))
        assert code == "PERSISTED_QUERY_REQUIRED"
        assert "sha256Hash of a registered document" in message
    # Nothing ran: the refused logout left the session open.
    assert (await post(demo, by_hash(sha256(SHELL_VIEWER)), contact)).status_code == 200
    # A registered document runs by its hash, or as its text.
    assert (await post(demo, {"query": SHELL_VIEWER}, contact)).status_code == 200
    # Staff of the organization, and contacts of another one, are not refused.
    assert (await post(demo, {"query": UNREGISTERED}, admin)).status_code == 200
    other = await demo.as_("contact of one client", "ignis")
    assert (await post(demo, {"query": UNREGISTERED}, other)).status_code == 200

    await demo.data(REFUSE, admin, on=False)
    assert (await post(demo, {"query": UNREGISTERED}, contact)).status_code == 200
