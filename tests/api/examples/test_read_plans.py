"""Read plans against Strawberry's executor: every query of graphql_examples/ and of
bench/workloads/ runs through its plan (none falls back), and answers exactly what the same
request answers through Strawberry (data, errors, their paths, the status), for staff, a
partner token and a contact of each flag set, on one copy of the demo data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, OperationType, parse

from authz.principals import FEATURE_FLAGS
from sportello import metrics
from tests.api import Demo
from tests.api.examples.test_partner import PERIOD as PARTNER_PERIOD
from tests.api.examples.test_staff_and_portal import declared, variables
from tests.conftest import MakeDemo
from tests.partners import partner_token

ROOT = Path(__file__).resolve().parents[3]
# Each document with who sends it: a folder of examples, or a workload of bench/.
SENDERS = {"staff": "staff", "portal": "contact", "partner": "partner"}
WORKLOADS = {
    "portal_site.graphql": "contact",
    "timesheet_page.graphql": "staff",
    "intervention_report.graphql": "partner",
}


def documents() -> Iterator[tuple[str, str]]:
    """(path under the repository, sender) of every query document."""
    for folder, sender in SENDERS.items():
        for path in sorted((ROOT / "graphql_examples" / folder).glob("*.graphql")):
            yield f"graphql_examples/{folder}/{path.name}", sender
    for name, sender in WORKLOADS.items():
        yield f"bench/workloads/{name}", sender


def is_query(source: str) -> bool:
    operations = [d for d in parse(source).definitions if isinstance(d, OperationDefinitionNode)]
    return all(operation.operation is OperationType.QUERY for operation in operations)


QUERIES = [(name, sender) for name, sender in documents() if is_query((ROOT / name).read_text())]

# A contact's flag sets: all granted, none granted, and each one withheld alone.
FLAG_SETS = [
    ("all flags", dict.fromkeys(FEATURE_FLAGS, True)),
    ("no flags", dict.fromkeys(FEATURE_FLAGS, False)),
    *(
        (f"without {flag}", {**dict.fromkeys(FEATURE_FLAGS, True), flag: False})
        for flag in FEATURE_FLAGS
    ),
]


async def set_flags(demo: Demo, email: str, flags: dict[str, bool]) -> None:
    """The contact's feature flags, as ``flags`` gives them."""
    assignments = ", ".join(f"{flag} = :{flag}" for flag in flags)
    await demo.execute(
        f"UPDATE contact SET {assignments} WHERE email = :email",  # noqa: S608
        email=email,
        **flags,
    )


def executions(path: str) -> float:
    value = metrics.REGISTRY.get_sample_value("sportello_graphql_executions_total", {"path": path})
    return value or 0.0


def comparable(response: httpx.Response) -> tuple[int, Any]:
    """The answer without what differs between two runs of one request: request ids, and the
    time in a download link's signature."""
    body = response.json()
    for error in body.get("errors", ()):
        error.get("extensions", {}).pop("requestId", None)
    return response.status_code, _without_links(body)


def _without_links(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: "<link>" if key == "downloadUrl" and item else _without_links(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_without_links(item) for item in value]
    return value


class Pair:
    """The app with read plans and the app without, on one copy of the demo data."""

    def __init__(self, plans: Demo, strawberry: Demo) -> None:
        self.plans = plans
        self.strawberry = strawberry

    async def same_answer(self, source: str, token: str, **named: Any) -> tuple[int, Any]:
        before = executions("plan")
        planned = comparable(await self.plans.gql(source, token, **named))
        assert executions("plan") == before + 1, "the query fell back to Strawberry"
        unplanned = comparable(await self.strawberry.gql(source, token, **named))
        assert planned == unplanned
        return planned


@pytest.fixture
async def pair(make_demo: MakeDemo, tmp_path: Path) -> Pair:
    return Pair(
        await make_demo(data_dir=tmp_path, read_plans=True),
        await make_demo(data_dir=tmp_path, read_plans=False),
    )


@pytest.mark.parametrize(("name", "sender"), QUERIES, ids=[name for name, _ in QUERIES])
async def test_the_plan_answers_what_strawberry_answers(pair: Pair, name: str, sender: str) -> None:
    source = (ROOT / name).read_text(encoding="utf-8")
    demo = pair.plans
    if sender == "partner":
        token = await partner_token(demo)
        await pair.same_answer(source, token, **PARTNER_PERIOD)
        return
    if sender == "staff":
        token = await demo.as_("staff admin")
        named = await variables(demo, token, declared(source))
        status, body = await pair.same_answer(source, token, **named)
        assert status == 200
        assert "errors" not in body
        return
    token = await demo.as_("contact of one client")
    named = await variables(demo, token, declared(source))
    email = demo.login_of("contact of one client")
    for _label, flags in FLAG_SETS:
        await set_flags(demo, email, flags)
        await pair.same_answer(source, token, **named)
