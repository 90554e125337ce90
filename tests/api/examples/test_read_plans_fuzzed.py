"""Read plans against Strawberry's executor on generated queries: the fuzz corpus of
tests/security/test_fuzz.py (schemathesis on each audience's committed SDL, the same
derandomized draws), its queries posted to the app with plans and to the app without, for
staff, a partner token and a contact of each flag set, must get the same answer (data,
errors, their paths, the status). The mutations of the corpus are left out: they change the
data the second app would read.

``FUZZ_EXAMPLES`` (default 25) sets the draws per audience, as for the fuzz run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from schemathesis.generation.case import Case

from tests.api.examples.test_read_plans import FLAG_SETS, comparable, executions, set_flags
from tests.conftest import MakeDemo
from tests.partners import partner_token
from tests.security.sdl import SDL_DIR
from tests.security.test_fuzz import FUZZ_EXAMPLES

# Budgets out of the way: both apps charge the same database, and a budget spent by the first
# request would refuse the second (RATE_LIMITED is not what is compared here).
UNLIMITED = {
    "partner_requests_per_minute": 10**9,
    "partner_cost_per_minute": 10**9,
    "session_cost_per_minute": 10**9,
}


def drawn_queries(audience: str) -> list[str]:
    """The query documents the fuzz run draws for ``audience`` (mutations left out)."""
    schema = schemathesis.graphql.from_path(str(SDL_DIR / f"{audience}.graphql"))
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if isinstance(result, Ok) and result.ok().label.startswith("Query.")
    ]
    strategy = st.one_of([operation.as_strategy() for operation in operations])
    drawn: list[str] = []

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def draw(case: Case[Any]) -> None:
        drawn.append(str(case.body))

    draw()
    return drawn


@pytest.mark.parametrize("audience", ["staff", "portal", "partner"])
async def test_generated_queries_answer_alike(
    make_demo: MakeDemo, tmp_path: Path, audience: str
) -> None:
    plans = await make_demo(data_dir=tmp_path, read_plans=True, **UNLIMITED)
    strawberry = await make_demo(data_dir=tmp_path, read_plans=False, **UNLIMITED)
    queries = drawn_queries(audience)
    assert len(queries) >= min(FUZZ_EXAMPLES, 10)
    if audience == "partner":
        tokens = [("partner", await partner_token(plans))]
    elif audience == "staff":
        tokens = [("staff", await plans.as_("staff admin"))]
    else:
        tokens = [("contact", await plans.as_("contact of several clients"))]
    email = plans.login_of("contact of several clients")
    differences: list[str] = []
    planned = fell_back = 0
    for flags_label, flags in FLAG_SETS if audience == "portal" else [("", {})]:
        if flags:
            await set_flags(plans, email, flags)
        for label, token in tokens:
            for query in queries:
                before = executions("plan"), executions("strawberry")
                first = comparable(await plans.gql(query, token))
                planned += int(executions("plan") - before[0])
                fell_back += int(executions("strawberry") - before[1])
                second = comparable(await strawberry.gql(query, token))
                if first != second:
                    differences.append(f"{label} {flags_label}: {query!r}\n {first}\n {second}")
    assert not differences, "\n".join(differences[:5])
    # Every drawn query that ran (the rest are refused before execution: an argument that
    # does not fit, a query too costly) went through its plan.
    assert planned > 0
    assert fell_back == 0
