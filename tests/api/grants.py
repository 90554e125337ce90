"""What a contact may see, written as plain SQL independent of the application's row scope.

``VISIBLE`` is a condition on a record row aliased ``r`` (with ``client_id`` and a ``site_id``)
for the contact whose email is the parameter ``:email``: a site it sees through a grant (a client
grant covers every site of the client), or a client-level record of a client granted whole;
clients whose portal is off count for nothing. ``CONTACTS`` names the demo's contact logins.
"""

from __future__ import annotations

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


# The demo's contact logins: granted one client, several clients, a single site.
CONTACTS = ("contact of one client", "contact of several clients", "contact limited to one site")


async def org_id(demo: Demo, slug: str) -> Any:
    """The id of an organization of the demo data."""
    return await demo.scalar("SELECT id FROM organization WHERE slug = :s", s=slug)
