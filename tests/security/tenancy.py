"""The kit of the cross-tenant tests (test_tenancy_*.py): the attackers, who they are logged
in as, and the records of others they try, as the victims' own staff list them."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterable
from typing import Any

import httpx
from graphql import (
    GraphQLSchema,
    build_client_schema,
    get_introspection_query,
)

from schema.kit import ids
from tests.security.conftest import HOME, OTHER, Live, without_request_ids
from tests.security.sdl import (
    listing,
    values_of,
)

# them half way (it is a limit of its own, not what these modules try).
SERVER_ENVIRONMENT = {
    "SPORTELLO_PARTNER_REQUESTS_PER_MINUTE": "100000",
    "SPORTELLO_PARTNER_COST_PER_MINUTE": "100000000",
}
SAMPLE = 3
NOT_AN_ID = "bm9wZQ"  # base64 of "nope"
DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclasses.dataclass(frozen=True)
class Record:
    id: str
    # Values an attacker would recognise: names, numbers, addresses, emails...
    strings: tuple[str, ...]


def recognisable(values: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        value
        for name, value in values.items()
        if name != "id"
        and isinstance(value, str)
        and len(value) >= 6
        and not DATE_LIKE.match(value)
        and not value.isupper()
    )


async def view_of(live: Live, token: str) -> GraphQLSchema:
    """The caller's own view, as introspection shows it."""
    answer = await live.gql(get_introspection_query(), token=token)
    assert answer.status_code == 200, answer.text
    return build_client_schema(answer.json()["data"])


def listing_document(view: GraphQLSchema, type_name: str, filters: Iterable[str]) -> str | None:
    found = listing(view, type_name)
    filters = list(filters)
    if found is None or any(f not in found.arguments for f in filters):
        return None
    params = (["first: 20"] if "first" in found.arguments else []) + [f"{f}: ${f}" for f in filters]
    head = f"query({', '.join(f'${f}: ID' for f in filters)})" if filters else "query"
    arguments = f"({', '.join(params)})" if params else ""
    fields = " ".join(["id", *values_of(view.type_map[type_name])])
    body = f"edges {{ node {{ {fields} }} }}" if found.connection else fields
    return f"{head} {{ {found.field}{arguments} {{ {body} }} }}"


async def records(
    live: Live, token: str, view: GraphQLSchema, type_name: str, **filters: str
) -> list[Record]:
    """Records of ``type_name`` the caller can list, filtered by ``clientId``/``siteId``."""
    document = listing_document(view, type_name, filters)
    if document is None:
        return []
    data = await live.data(document, token, **filters)
    listed = next(iter(data.values()))
    rows = [e["node"] for e in listed["edges"]] if isinstance(listed, dict) else listed
    return [Record(row["id"], recognisable(row)) for row in rows]


FIRST_CLIENT = (
    "SELECT c.id FROM client c JOIN organization o ON o.id = c.organization_id "
    "WHERE o.slug = :o ORDER BY c.name LIMIT 1"
)


@dataclasses.dataclass
class Principal:
    token: str
    view: GraphQLSchema


class Actors:
    """The principals of a test module, logged in once, with their views."""

    def __init__(self, live: Live) -> None:
        self.live = live
        self.known: dict[str, Principal] = {}

    async def get(self, who: str, org: str = HOME) -> Principal:
        key = f"{org}/{who}"
        if key not in self.known:
            if who.startswith("partner"):
                clients: list[uuid.UUID] = []
                if who == "partner of one client":
                    clients = [await self.live.scalar(FIRST_CLIENT, o=org)]
                token = await self.live.partner_token(org, clients)
            else:
                token = await self.live.token(who, org)
            self.known[key] = Principal(token, await view_of(self.live, token))
        return self.known[key]


async def client_ids(live: Live, principal: Principal) -> list[str]:
    return [r.id for r in await records(live, principal.token, principal.view, "Client")]


async def site_ids(live: Live, principal: Principal, **filters: str) -> list[str]:
    return [r.id for r in await records(live, principal.token, principal.view, "Site", **filters)]


async def foreign_records(actors: Actors, type_name: str) -> list[Record]:
    """Records of the other organization, as its own staff lists them."""
    owner = await actors.get("staff admin", OTHER)
    return (await records(actors.live, owner.token, owner.view, type_name))[:SAMPLE]


async def records_outside(
    actors: Actors, attacker: Principal, type_name: str, scope: str
) -> list[Record]:
    """Records of the attacker's organization outside its grants, as staff list them:
    ``scope`` "clients" for other clients, "sites" for the other sites of its own client."""
    live = actors.live
    staff = await actors.get("staff admin")
    granted_clients = set(await client_ids(live, attacker))
    everyone = await client_ids(live, staff)
    if scope == "clients":
        others = [c for c in everyone if c not in granted_clients]
        if type_name == "Client":
            listed = await records(live, staff.token, staff.view, "Client")
            return [r for r in listed if r.id in others][:SAMPLE]
        found: list[Record] = []
        for other in others[:8]:
            found += await records(live, staff.token, staff.view, type_name, clientId=other)
            if len(found) >= SAMPLE:
                break
        return found[:SAMPLE]
    granted_sites = set(await site_ids(live, attacker))
    siblings = [
        s
        for client in granted_clients
        for s in await site_ids(live, staff, clientId=client)
        if s not in granted_sites
    ]
    if type_name == "Site":
        listed = await records(live, staff.token, staff.view, "Site")
        return [r for r in listed if r.id in siblings][:SAMPLE]
    found = []
    for sibling in siblings[:8]:
        found += await records(live, staff.token, staff.view, type_name, siteId=sibling)
        if len(found) >= SAMPLE:
            break
    return found[:SAMPLE]


@dataclasses.dataclass(frozen=True)
class Attacker:
    who: str
    # Where its victims are: "other organization", "clients" (other clients of its own
    # organization) or "sites" (other sites of its own client).
    victims: tuple[str, ...]


ATTACKERS = [
    Attacker("staff admin", ("other organization",)),
    Attacker("contact of one client", ("other organization", "clients")),
    Attacker("contact of several clients", ("other organization", "clients")),
    Attacker("contact limited to one site", ("other organization", "sites")),
    Attacker("partner of one client", ("other organization", "clients")),
    Attacker("partner", ("other organization",)),
]


def nonexistent_like(record_id: str) -> str:
    parsed = ids.parse(record_id)
    assert parsed is not None, record_id
    return str(ids.encode(parsed[0], uuid.uuid4()))


def other_kind(record_id: str) -> str:
    """The same row id presented as a record of another type."""
    parsed = ids.parse(record_id)
    assert parsed is not None
    return str(ids.encode("Site" if parsed[0] != "Site" else "Client", parsed[1]))


def shape(answer: httpx.Response) -> tuple[int, Any]:
    return answer.status_code, without_request_ids(answer.json())


def body_of(answer: httpx.Response) -> tuple[int, Any]:
    """Status and body of any answer, request ids left out (every error carries its own)."""
    if answer.headers.get("content-type", "").startswith("application/json"):
        return shape(answer)
    return answer.status_code, answer.content
