"""Admins manage partner tokens: shown once, listed by their last four characters,
revocable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from schema.kit import ids
from tests.api.portal_access.kit import Office

TOKEN = """mutation($in: CreatePartnerTokenInput!) { createPartnerToken(input: $in) {
  secret partnerToken { id lastFour scopes clientIds } } }"""


def token_input(**changes: Any) -> dict[str, Any]:
    """A CreatePartnerTokenInput: a reporting token named BI, with ``changes``."""
    return {"in": {"name": "BI", "scopes": ["reports:read"]} | changes}


async def test_partner_tokens_are_shown_once_listed_by_last_four_and_revocable(
    office: Office,
) -> None:
    created = await office.gql(
        TOKEN,
        token=office.admin,
        variables=token_input(clientIds=[ids.encode("Client", office.client_a)]),
    )
    made = created.json()["data"]["createPartnerToken"]
    secret = made["secret"]
    assert secret.startswith("spp_")
    assert made["partnerToken"]["lastFour"] == secret[-4:]
    listed = await office.gql("{ partnerTokens { lastFour scopes revokedAt } }", token=office.admin)
    assert listed.json()["data"]["partnerTokens"] == [
        {"lastFour": secret[-4:], "scopes": ["reports:read"], "revokedAt": None}
    ]
    assert secret not in listed.text
    partner = await office.gql("{ apiVersion }", token=secret)
    assert partner.status_code == 200
    assert partner.json()["data"]["apiVersion"]
    office.client.cookies.clear()
    in_query = await office.client.post(
        f"/graphql?access_token={secret}", json={"query": "{ viewer { kind } }"}
    )
    assert in_query.status_code == 401
    revoked = await office.gql(
        "mutation($id: ID!) { revokePartnerToken(id: $id) }",
        token=office.admin,
        id=made["partnerToken"]["id"],
    )
    assert revoked.json() == {"data": {"revokePartnerToken": True}}
    assert (await office.gql("{ apiVersion }", token=secret)).status_code == 401
    events = await office.scalar("SELECT array_agg(action ORDER BY created_at) FROM audit_event")
    assert "partner_token_created" in events
    assert "partner_token_revoked" in events


async def test_only_admins_manage_partner_tokens(office: Office) -> None:
    refused = await office.gql(TOKEN, token=office.clerk, variables=token_input())
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    expired = await office.gql(
        TOKEN,
        token=office.admin,
        variables=token_input(
            expiresAt=(dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
        ),
    )
    assert expired.json()["errors"][0]["extensions"]["field"] == "expiresAt"
    unknown = await office.gql(
        TOKEN, token=office.admin, variables=token_input(scopes=["admin:all"])
    )
    assert unknown.json()["errors"][0]["extensions"]["field"] == "scopes"
