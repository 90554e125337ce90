"""Cross-tenant and cross-client mutation inputs: every mutation input that takes ids, given
a record the caller may not see, answers as for an id that does not exist, and nothing
changes."""

from __future__ import annotations

import pytest

from tests.security import tenancy
from tests.security.conftest import HOME, OTHER
from tests.security.mutation_inputs import (
    base_variables,
    id_paths,
    is_list_path,
    mutation_document,
    own_records,
    prepare_other_organization,
    replaced,
    tenant_fingerprint,
)
from tests.security.sdl import (
    audience_schema,
)
from tests.security.tenancy import Actors, foreign_records, nonexistent_like, records_outside, shape

SERVER_ENVIRONMENT = tenancy.SERVER_ENVIRONMENT


@pytest.mark.parametrize(
    ("who", "audience", "where"),
    [
        ("staff admin", "staff", "other organization"),
        ("contact of one client", "portal", "other organization"),
        ("contact of one client", "portal", "clients"),
        ("contact limited to one site", "portal", "sites"),
    ],
)
async def test_mutation_inputs_refuse_foreign_ids_like_missing_ones(
    actors: Actors, who: str, audience: str, where: str
) -> None:
    """Every id input of every mutation of the caller's schema, given a record it may not
    see (the others its own): the same answer as for an id that does not exist, and no row
    of either organization changes."""
    live = actors.live
    me = await actors.get(who)
    schema = audience_schema(audience)
    assert schema.mutation_type is not None
    if where == "other organization":
        await prepare_other_organization(actors)
    own = await own_records(actors, me)
    victims: dict[str, str] = {}
    for mutation in schema.mutation_type.fields:
        for target in id_paths(schema, mutation).values():
            if target in victims:
                continue
            if where == "other organization":
                found = await foreign_records(actors, target)
            else:
                found = await records_outside(actors, me, target, where)
            if found:
                victims[target] = found[0].id
    before = {org: await tenant_fingerprint(live, org) for org in (HOME, OTHER)}
    problems: list[str] = []
    tried = []
    for mutation in schema.mutation_type.fields:
        paths = id_paths(schema, mutation)
        if not paths:
            continue
        base = base_variables(mutation, own)
        if base is None:
            problems.append(f"{mutation}: no attack written for its id inputs {sorted(paths)}")
            continue
        document = mutation_document(schema, mutation)
        for path, target in paths.items():
            victim = victims.get(target)
            if victim is None:
                print(f"{mutation} {path}: no {target} of the victims to try")
                continue
            is_list = is_list_path(schema, mutation, path)
            missing = replaced(base, path, nonexistent_like(victim), is_list)
            expected = await live.gql(document, missing, token=me.token)
            answer = await live.gql(document, replaced(base, path, victim, is_list), token=me.token)
            codes = [e["extensions"]["code"] for e in answer.json().get("errors", [])]
            tried.append(f"{mutation} {path}: {answer.status_code} {codes}")
            if shape(answer) != shape(expected):
                problems.append(f"{mutation} {path}: {answer.text} != {expected.text}")
            if "errors" not in answer.json():
                problems.append(f"{mutation} {path}: accepted a foreign {target}")
    print("\n".join(tried))
    after = {org: await tenant_fingerprint(live, org) for org in (HOME, OTHER)}
    for org in (HOME, OTHER):
        changed = [t for t in before[org] if before[org][t] != after[org].get(t)]
        if changed:
            problems.append(f"rows of {org} changed in {changed}")
    assert problems == []
    assert tried
