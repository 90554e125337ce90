"""Values built from a related record and the row itself (schema/kit/batched.py
``related_value``): one statement for a level's distinct ids, the value built for each source,
a missing record included; a read plan loads such fields through their declaration."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, cast

import pytest
from graphql import parse

from authz.principals import Audience
from schema.kit.batched import Related
from schema.kit.context import Context
from schema.kit.read_plans import LOADED, plan_for
from sportello.assembly import views

KNOWN, MISSING = uuid.uuid4(), uuid.uuid4()


class Records:
    """A statement by id: a record for KNOWN, none for any other id; counts its calls."""

    def __init__(self) -> None:
        self.asked: list[list[uuid.UUID]] = []

    async def __call__(self, db: Any, scope: Any, ids: Sequence[uuid.UUID]) -> list[Any]:
        self.asked.append(list(ids))
        return [f"record {i}" if i == KNOWN else None for i in ids]


def context(fetch: Records) -> Context:
    """A load's connection, scope and running statements; a resolver's loader by id."""

    async def load(key: uuid.UUID) -> Any:
        (row,) = await fetch(None, None, [key])
        return row

    loaders = SimpleNamespace(scope=None, by_id=lambda _: SimpleNamespace(load=load))
    return cast(Context, SimpleNamespace(db=None, rows=loaders, fetching={}))


def value(row: Any, source: SimpleNamespace) -> str:
    return f"{source.name}: {row or 'nothing'}"


SOURCES = [
    SimpleNamespace(name="a", ref=KNOWN),
    SimpleNamespace(name="b", ref=MISSING),
    SimpleNamespace(name="c", ref=KNOWN),
    SimpleNamespace(name="d", ref=None),
]
VALUES = [f"a: record {KNOWN}", "b: nothing", f"c: record {KNOWN}", "d: nothing"]


async def test_a_level_reads_its_distinct_ids_once_and_builds_a_value_for_each_source() -> None:
    fetch = Records()
    relation: Related[Any, str] = Related(fetch, lambda source: source.ref, None, of_source=value)
    assert await relation.load(context(fetch), SOURCES, {}, False) == VALUES
    assert fetch.asked == [[KNOWN, MISSING]]


async def test_strawberrys_executor_gets_the_same_values_one_source_at_a_time() -> None:
    fetch = Records()
    relation: Related[Any, str] = Related(fetch, lambda source: source.ref, None, of_source=value)
    asked = context(fetch)
    assert [await relation.resolve(source, asked) for source in SOURCES] == VALUES


@pytest.mark.parametrize(
    ("field", "document"),
    [
        ("outcomes", '{ revision(id: "x") { outcomes { compliant } } }'),
        ("activityType", '{ appointment(id: "x") { activityType { name } } }'),
    ],
)
def test_a_plan_loads_the_values_through_their_declaration(field: str, document: str) -> None:
    schema = views()[Audience.STAFF]._schema
    planned = plan_for(schema, document, parse(document), None, {}, {})
    assert planned is not None
    plan = planned[0]
    (root,) = plan.root.steps
    assert root.shape is not None
    assert root.shape.object_type is not None
    (step,) = plan.selection(root.shape, root.shape.object_type.name).steps
    assert (step.name, step.kind) == (field, LOADED)
