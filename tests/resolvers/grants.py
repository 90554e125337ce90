"""What a contact may see, written as plain SQL independent of the application's row scope.

``VISIBLE`` is a condition on a record row aliased ``r`` (with ``client_id`` and a ``site_id``)
for the contact whose email is the parameter ``:email``: a site it sees through a grant (a client
grant covers every site of the client), or a client-level record of a client granted whole;
clients whose portal is off count for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tests.api import Demo

VISIBLE = """(r.site_id IN (
    SELECT s.id FROM site s JOIN client c ON c.id = s.client_id
    JOIN portal_grant g ON g.client_id = s.client_id OR g.site_id = s.id
    JOIN contact k ON k.id = g.contact_id
    WHERE k.email = :email AND c.portal_enabled)
  OR (r.site_id IS NULL AND r.client_id IN (
    SELECT g.client_id FROM portal_grant g JOIN client c ON c.id = g.client_id
    JOIN contact k ON k.id = g.contact_id
    WHERE k.email = :email AND c.portal_enabled)))"""


async def org_id(demo: Demo, slug: str) -> Any:
    """The id of an organization of the demo data."""
    return await demo.scalar("SELECT id FROM organization WHERE slug = :s", s=slug)


PARTNER_TOKEN = """mutation($in: CreatePartnerTokenInput!) {
  createPartnerToken(input: $in) { secret } }"""


async def partner_token(demo: Demo, scopes: list[str], client_ids: Sequence[str]) -> str:
    """A new partner token of brillanti for some clients (global ids), made by its admin."""
    created = await demo.data(
        PARTNER_TOKEN,
        await demo.as_("staff admin"),
        **{"in": {"name": "BI", "scopes": scopes, "clientIds": list(client_ids)}},
    )
    secret: str = created["createPartnerToken"]["secret"]
    return secret
