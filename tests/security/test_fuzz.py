"""Property-based fuzzing of each audience's view with schemathesis in GraphQL mode.

For staff, portal and partner, schemathesis reads the committed SDL (schema/sdl/<audience>.graphql)
and generates queries and mutations with arguments drawn from their types; each is posted to a
live server on demo data with a session (or partner token) of that audience. Every answer must:

- not be a 5xx; an INTERNAL_SERVER_ERROR in the body must be masked (generic message and a
  request id), and is counted in the baseline by root field, so a new place fails the run;
- carry only errors with a known ``extensions.code`` (SPEC §8 and the refusals of the route),
  whose message spells out no SQL, path or stack trace;
- hold ``data`` that fits the schema: only the fields the document selected, each of the type
  the SDL declares, null in a non-null position only under an error.

Denials the generated arguments earn (an id that names nothing, a page too large, a partner
over its budget) are expected, but counted per code and audience in ``fuzz_baseline.json``:
a code not in the baseline fails the run. ``FUZZ_EXAMPLES`` (default 25) sets the examples per
audience; ``make fuzz`` runs 1,000 and rewrites the baseline (``FUZZ_WRITE_BASELINE=1``).
"""

from __future__ import annotations

import collections
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from graphql import GraphQLSchema, build_schema
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from schemathesis.generation.case import Case

from tests.security.answers import judge
from tests.security.conftest import Dedicated, Live
from tests.security.sdl import SDL_DIR, SESSION_ENDING

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
WRITE_BASELINE = os.environ.get("FUZZ_WRITE_BASELINE") == "1"
BASELINE = Path(__file__).with_name("fuzz_baseline.json")
# The account of each audience; partners get a token inserted as an admin would create it.
ROLES = {"staff": "staff admin", "portal": "contact of several clients"}


def generated_cases(audience: str) -> st.SearchStrategy[Case[Any]]:
    """Any query or mutation of the audience's committed SDL, as schemathesis draws them."""
    schema = schemathesis.graphql.from_path(str(SDL_DIR / f"{audience}.graphql"))
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    return st.one_of(
        [
            operation.as_strategy()
            for operation in operations
            if operation.label.split(".", 1)[1] not in SESSION_ENDING
        ]
    )


def compare_with_baseline(audience: str, codes: collections.Counter[str]) -> list[str]:
    """Codes this run saw that the baseline never did (a count that changed is not news)."""
    baseline: dict[str, Any] = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    if WRITE_BASELINE:
        baseline[audience] = dict(sorted(codes.items()))
        BASELINE.write_text(json.dumps(baseline, indent=2, sort_keys=True) + "\n")
        return []
    known = set(baseline.get(audience, {}))
    return sorted(set(codes) - known)


async def credential(live: Live, audience: str) -> str:
    if audience == "partner":
        return await live.partner_token()
    return await live.token(ROLES[audience])


@pytest.mark.parametrize("audience", ["staff", "portal", "partner"])
async def test_generated_operations_get_only_secure_answers(
    dedicated: Dedicated, audience: str
) -> None:
    """Each audience on a server of its own (a staff run may switch the portal off)."""
    schema = build_schema((SDL_DIR / f"{audience}.graphql").read_text())
    # Partners get a request budget that lets the run explore (with the default, 120 a
    # minute, nearly every case of a long run is RATE_LIMITED); the cost budget stays.
    environment = (
        {"SPORTELLO_PARTNER_REQUESTS_PER_MINUTE": "100000"} if audience == "partner" else {}
    )
    async with dedicated(**environment) as live:
        token = await credential(live, audience)
        problems, codes, first_seen = await fuzz(live, schema, audience, token)
    assert not problems, "\n".join(sorted(set(problems))[:20])
    new_codes = compare_with_baseline(audience, codes)
    assert not new_codes, (
        f"{audience}: codes not in {BASELINE.name}: {new_codes} (seen {dict(codes)}); "
        "check them, then `make fuzz` to accept. First seen:\n"
        + "\n".join(first_seen[code] for code in new_codes)
    )


async def fuzz(
    live: Live, schema: GraphQLSchema, audience: str, token: str
) -> tuple[list[str], collections.Counter[str], dict[str, str]]:
    """Draws ``FUZZ_EXAMPLES`` cases and posts each (hypothesis drives a sync function, so the
    requests go through a sync client to the server's own process)."""
    problems: list[str] = []
    codes: collections.Counter[str] = collections.Counter()
    first_seen: dict[str, str] = {}
    headers = {"authorization": f"Bearer {token}", "origin": live.origin}

    with httpx.Client(base_url=live.base_url, timeout=30) as client:

        @settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            # The bounded run of `make test` draws the same cases every time; `make fuzz`
            # explores afresh.
            derandomize=not WRITE_BASELINE,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=generated_cases(audience))
        def run(case: Case[Any]) -> None:
            query = str(case.body)
            response = client.post("/graphql", json={"query": query}, headers=headers)
            before = set(codes)
            problems.extend(f"{query!r} -> {p}" for p in judge(schema, query, response, codes))
            for code in codes.keys() - before:
                first_seen[code] = f"{query!r} -> {response.status_code} {response.text[:400]}"

        run()
    return problems, codes, first_seen
