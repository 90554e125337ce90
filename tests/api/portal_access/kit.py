"""The portal access mutations, the office that runs them (an admin, a clerk and a
technician of acme, two clients) and the invitation links they mail
(tests.identity.kit.mailed_link reads them)."""

from __future__ import annotations

from typing import Any

from schema.kit import ids
from tests.api import Api

CREATE = """mutation($input: CreatePortalAccessInput!) {
  createPortalAccess(input: $input) {
    id username email state flags { portalAccess canOpenTickets canViewInvoices }
    grants { clientId siteId name }
  }
}"""
ACCEPT = (
    """mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { token } }"""
)


class Office(Api):
    org: Any
    client_a: Any
    client_b: Any
    site_b1: Any
    foreign_client: Any
    admin: str
    clerk: str
    technician: str


def new_access(office: Office, **changes: Any) -> dict[str, Any]:
    return {
        "firstName": "Lucía",
        "lastName": "Pérez Gómez",
        "email": "lucia@beta.example",
        "clientIds": [ids.encode("Client", office.client_a)],
        "siteIds": [ids.encode("Site", office.site_b1)],
        "flags": {"canOpenTickets": True},
    } | changes
