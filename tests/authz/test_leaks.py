"""Leak vectors tried by every kind of principal against every lookup of the schema.

The pairs of a lookup by id (``client(id:)``) and its list (``clients``) are found in the staff
view. For each principal, a record is visible through the lookup and through ``node(id:)``
exactly when it is in the principal's own list: ids of other clients, other sites and other
organizations answer exactly like ids that do not exist. Lists themselves are checked against
SQL in tests/api/.
"""

from __future__ import annotations

import uuid
from typing import Any

from graphql import GraphQLNonNull, GraphQLObjectType, get_named_type

from authz.principals import Audience
from db.engine import create_engine
from schema.kit.views import field_names
from sportello.assembly import views
from tests.api import Demo
from tests.conftest import MakeClient
from tests.partners import partner_token


def lookup_pairs() -> list[tuple[str, str, str]]:
    """(lookup field, list field, node type) of the staff view."""
    query = views()[Audience.STAFF]._schema.query_type
    assert query is not None
    lists: dict[str, str] = {}
    for name, field in query.fields.items():
        named = get_named_type(field.type)
        required = any(isinstance(a.type, GraphQLNonNull) for a in field.args.values())
        if (
            isinstance(named, GraphQLObjectType)
            and named.name.endswith("Connection")
            and "first" in field.args
            and not required
        ):
            lists.setdefault(named.name.removesuffix("Connection"), name)
    pairs = []
    for name, field in query.fields.items():
        named = get_named_type(field.type)
        if (
            list(field.args) == ["id"]
            and name != "node"
            and isinstance(named, GraphQLObjectType)
            and named.name in lists
        ):
            pairs.append((name, lists[named.name], named.name))
    return pairs


async def list_ids(demo: Demo, token: str, list_field: str, limit: int = 300) -> set[str] | None:
    """Every id a principal's list holds (up to ``limit``); None when it may not list them."""
    found: set[str] = set()
    after = None
    while len(found) < limit:
        response = await demo.gql(
            f"query($after: String) {{ {list_field}(first: 100, after: $after) "
            "{ pageInfo { hasNextPage endCursor } edges { node { id } } } }",
            token=token,
            after=after,
        )
        body = response.json()
        if body.get("errors"):
            return None
        page = body["data"][list_field]
        found |= {edge["node"]["id"] for edge in page["edges"]}
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return found


async def test_lookups_and_node_show_exactly_what_the_lists_show(
    make_client: MakeClient, demo_database: str
) -> None:
    # A partner's request budget would stop this many requests; it is tested elsewhere.
    engine = create_engine(demo_database, pool_size=1)
    client = await make_client(demo_database, partner_requests_per_minute=100_000)
    demo = Demo(engine, client)
    pairs = lookup_pairs()
    assert len(pairs) >= 8, pairs
    staff = await demo.as_("staff admin")
    principals: dict[str, str] = {
        "contact of one client": await demo.as_("contact of one client"),
        "contact of several clients": await demo.as_("contact of several clients"),
        "contact limited to one site": await demo.as_("contact limited to one site"),
        "staff of the other organization": await demo.as_("staff admin", "ignis"),
        "partner of the other organization": await partner_token(
            demo, "ignis", ("lists:read", "reports:read")
        ),
    }
    tried = 0
    for lookup, list_field, type_name in pairs:
        everything = await list_ids(demo, staff, list_field)
        assert everything is not None
        sample = sorted(everything)[:25]
        for label, token in principals.items():
            visible = await list_ids(demo, token, list_field) or set()
            held = type_name in field_names(views()[_audience(label)])
            missing = await demo.gql(
                f"query($id: ID!) {{ {lookup}(id: $id) {{ id }} }}",
                token=token,
                id=str(uuid.uuid4()),
            )
            for record in sample:
                demo.client.cookies.clear()
                answer = await demo.gql(
                    f"query($id: ID!) {{ {lookup}(id: $id) {{ id }} node(id: $id) {{ id }} }}",
                    token=token,
                    id=record,
                )
                body: dict[str, Any] = answer.json()
                context = f"{label} {lookup} {record}: {answer.text[:200]}"
                if record in visible:
                    assert body["data"][lookup] == {"id": record}, context
                    assert body["data"]["node"] == {"id": record}, context
                elif held and not body.get("errors"):
                    assert body["data"] == {lookup: None, "node": None}, context
                else:
                    # The lookup is not for this principal at all: refused like a missing id.
                    assert answer.status_code == missing.status_code, context
                    assert _codes(body) == _codes(missing.json()), context
                tried += 1
    assert tried > 200
    await engine.dispose()


def _audience(label: str) -> Audience:
    if label.startswith("contact"):
        return Audience.PORTAL
    if label.startswith("partner"):
        return Audience.PARTNER
    return Audience.STAFF


def _codes(body: dict[str, Any]) -> set[str]:
    return {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
