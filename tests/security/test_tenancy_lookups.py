"""Cross-tenant and cross-client lookups: an attacker who knows (or guesses) the ids of
records of another organization, or of another client of its own organization, tries them in
every ``xxx(id:)`` lookup of the staff schema and in ``node(id:)``. The answer is always
exactly the answer for an id that does not exist, and nothing of the other tenant is in it."""

from __future__ import annotations

import pytest
from graphql import (
    GraphQLSchema,
)

from tests.security import tenancy
from tests.security.sdl import (
    Lookup,
    audience_schema,
    lookups,
    node_types,
    values_of,
)
from tests.security.tenancy import (
    ATTACKERS,
    NOT_AN_ID,
    Actors,
    Attacker,
    Record,
    foreign_records,
    nonexistent_like,
    other_kind,
    records,
    records_outside,
    shape,
)

SERVER_ENVIRONMENT = tenancy.SERVER_ENVIRONMENT


def lookup_document(view: GraphQLSchema, lookup: Lookup) -> str:
    query = view.query_type
    assert query is not None
    if lookup.field in query.fields and lookup.type_name in view.type_map:
        selection = " ".join(["id", *values_of(view.type_map[lookup.type_name])])
    else:
        selection = "__typename"  # not in this view: the attempt is made all the same
    node = " node(id: $id) { id __typename }" if "node" in query.fields else ""
    return f"query($id: ID!) {{ found: {lookup.field}(id: $id) {{ {selection} }}{node} }}"


def staff_lookups() -> list[Lookup]:
    found = lookups(audience_schema("staff"))
    assert {"client", "site"} <= {lookup.field for lookup in found}
    return found


@pytest.mark.parametrize("attacker", ATTACKERS, ids=lambda a: a.who)
async def test_foreign_ids_look_missing_in_every_lookup(actors: Actors, attacker: Attacker) -> None:
    """Every ``xxx(id: ID!)`` root field of the staff SDL, and node(id:), given ids of records
    the attacker may not see: the same answer as for an id that does not exist (and for a
    malformed one), and none of the record's names or numbers in it. A record of its own
    is found, so the lookup itself works."""
    live = actors.live
    me = await actors.get(attacker.who)
    problems: list[str] = []
    tried = 0
    for lookup in staff_lookups():
        document = lookup_document(me.view, lookup)
        victims: list[Record] = []
        for where in attacker.victims:
            if where == "other organization":
                victims += await foreign_records(actors, lookup.type_name)
            else:
                victims += await records_outside(actors, me, lookup.type_name, where)
        own = (await records(live, me.token, me.view, lookup.type_name))[:1]
        sample = victims[0].id if victims else own[0].id if own else None
        if sample is None:
            problems.append(f"{lookup.field}: no record found to try")
            continue
        expected = shape(await live.gql(document, {"id": nonexistent_like(sample)}, token=me.token))
        for candidate in [NOT_AN_ID, other_kind(sample)]:
            answer = await live.gql(document, {"id": candidate}, token=me.token)
            if shape(answer) != expected:
                problems.append(f"{lookup.field}({candidate}): {answer.text} != {expected}")
        for victim in victims:
            tried += 1
            answer = await live.gql(document, {"id": victim.id}, token=me.token)
            if shape(answer) != expected:
                problems.append(f"{lookup.field}({victim.id}): {answer.text} != {expected}")
            leaked = [s for s in victim.strings if s in answer.text]
            if leaked:
                problems.append(f"{lookup.field}({victim.id}) shows {leaked}")
        if own:
            answer = await live.gql(document, {"id": own[0].id}, token=me.token)
            found = answer.json().get("data") or {}
            if (found.get("found") or {}).get("id") != own[0].id:
                problems.append(f"{lookup.field} does not find the caller's own record")
        print(f"{attacker.who}: {lookup.field} tried with {len(victims)} foreign ids")
    assert problems == []
    assert tried > 0


NODE = "query($id: ID!) { node(id: $id) { id __typename } }"


@pytest.mark.parametrize("attacker", ATTACKERS, ids=lambda a: a.who)
async def test_foreign_ids_look_missing_through_node(actors: Actors, attacker: Attacker) -> None:
    """node(id:) with ids of every Node type of the staff SDL the attacker may not see
    (portal accesses, staff users, departments... included): exactly the answer for an id
    that does not exist."""
    live = actors.live
    me = await actors.get(attacker.who)
    problems: list[str] = []
    tried = []
    for type_name in node_types(audience_schema("staff")):
        victims: list[Record] = []
        for where in attacker.victims:
            if where == "other organization":
                victims += await foreign_records(actors, type_name)
            else:
                victims += await records_outside(actors, me, type_name, where)
        if not victims:
            continue
        tried.append(f"{type_name} x{len(victims)}")
        expected = shape(
            await live.gql(NODE, {"id": nonexistent_like(victims[0].id)}, token=me.token)
        )
        for victim in victims:
            answer = await live.gql(NODE, {"id": victim.id}, token=me.token)
            if shape(answer) != expected:
                problems.append(f"node({victim.id}) [{type_name}]: {answer.text} != {expected}")
    print(f"{attacker.who}: node tried with {', '.join(tried)}")
    assert problems == []
    assert tried
