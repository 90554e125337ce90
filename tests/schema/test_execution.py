"""Plain fields read directly answer exactly what graphql-core's whole path answers.

schema/execution.py reads a plain field's attribute and coerces it itself; anything unusual
goes through the ordinary path. Each document here runs with both execution contexts on the
same objects and must give the same data and the same errors (message, path).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import pytest
import strawberry
from graphql import ExecutionResult, parse
from graphql.execution import execute
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.execution import PlainFieldsExecution, is_awaitable, plain_field


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Thing:
    name: str
    size: int
    colour: Colour
    note: str | None
    when: dt.date
    tags: list[str]

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


class Loose:
    """What a resolver could hand over by mistake: any attribute values, or none."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


GOOD = Thing(
    name="pump", size=3, colour=Colour.BLUE, note=None, when=dt.date(2026, 11, 23), tags=["a"]
)
CASES = {
    "every kind of field": GOOD,
    "null on a non-null field": Loose(name=None, size=1, colour=Colour.RED, note="n"),
    "a value its type refuses": Loose(name="x", size="many", colour="green", note=4),
    "an attribute missing": Loose(size=2),
    "an integer too large": Loose(name="x", size=2**40, colour=Colour.RED, note=None),
}


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        return [CASES[name] for name in sorted(CASES)]  # type: ignore[misc]


SCHEMA = strawberry.Schema(query=Query)
DOCUMENT = parse("{ things { name size colour note when tags shout } }")


def run(context: type[StrawberryGraphQLCoreExecutionContext]) -> ExecutionResult:
    result = execute(
        SCHEMA._schema,
        DOCUMENT,
        executor_class=context,
        is_awaitable=is_awaitable if context is PlainFieldsExecution else None,
    )
    assert isinstance(result, ExecutionResult)
    return result


def test_the_short_path_answers_what_the_whole_path_answers() -> None:
    short, whole = run(PlainFieldsExecution), run(StrawberryGraphQLCoreExecutionContext)
    assert short.data == whole.data
    assert short.data is not None
    assert len([t for t in short.data["things"] if t is None]) == 4  # the four broken things
    assert [(e.message, e.path) for e in short.errors or []] == [
        (e.message, e.path) for e in whole.errors or []
    ]
    assert len(short.errors or []) >= 4


@pytest.mark.parametrize(
    ("field", "plain"),
    [("name", True), ("colour", True), ("when", True), ("tags", False), ("shout", False)],
)
def test_which_fields_are_plain(field: str, plain: bool) -> None:
    thing = SCHEMA._schema.type_map["Thing"]
    assert (plain_field(thing.fields[field]) is not None) is plain  # type: ignore[attr-defined]


def test_awaitables_are_told_from_their_type() -> None:
    async def coroutine() -> None:
        return None

    running = coroutine()
    awaitable = is_awaitable(running)
    running.close()
    assert awaitable
    assert not is_awaitable(GOOD)
    assert not is_awaitable("text")
