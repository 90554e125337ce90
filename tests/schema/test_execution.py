"""Plain fields read directly answer exactly what graphql-core's whole path answers.

schema/kit/execution.py reads a plain field's attribute and coerces it itself; anything unusual
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
from strawberry.permission import BasePermission
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.kit.execution import PlainFieldsExecution
from schema.kit.plans import direct_resolver, is_awaitable, plain_field
from tests.schema.executing import assert_same_answers, executed


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class NotRed(BasePermission):
    message = "Red things keep their secret."

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return bool(getattr(source, "colour", None) != Colour.RED)


@strawberry.type
class Thing:
    name: str
    size: int
    colour: Colour
    note: str | None
    when: dt.date
    tags: list[str]
    partner: Thing | None = None
    twin: Thing | None = None
    kids: list[Thing] = strawberry.field(default_factory=list)

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    def where(self, info: strawberry.Info) -> str:
        return f"{'.'.join(str(key) for key in info.path.as_list())} of {info.context['who']}"

    @strawberry.field
    def big(self) -> int:  # null (refused) for small things
        return self.size if self.size > 1 else None  # type: ignore[return-value]

    @strawberry.field
    def later(self) -> str:  # a sync resolver handing back something to await
        async def lower() -> str:
            return self.name.lower()

        return lower()  # type: ignore[return-value]

    @strawberry.field
    def times(self, n: int = 2) -> int:
        return self.size * n

    @strawberry.field(permission_classes=[NotRed])
    def secret(self) -> str:
        return f"secret of {self.name}"

    label: str = strawberry.field(resolver=lambda root: f"[{root.name}]")


class Loose:
    """What a resolver could hand over by mistake: any attribute values, or none."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


KID = Thing(name="valve", size=1, colour=Colour.RED, note="k", when=dt.date(2026, 1, 2), tags=[])
GOOD = Thing(
    name="pump",
    size=3,
    colour=Colour.BLUE,
    note=None,
    when=dt.date(2026, 11, 23),
    tags=["a"],
    partner=KID,
    twin=KID,
    kids=[KID, KID],
)
CASES = {
    "every kind of field": GOOD,
    "an object that is not what its field says": Loose(**{**vars(GOOD), "partner": Loose()}),
    "null on a non-null list": Loose(**{**vars(GOOD), "kids": None}),
    "a list that is not one": Loose(**{**vars(GOOD), "kids": 3}),
    "a list holding a broken object": Loose(**{**vars(GOOD), "kids": [KID, Loose(name=None)]}),
    "an object attribute missing": Loose(**{k: v for k, v in vars(GOOD).items() if k != "kids"}),
    "a nullable one missing": Loose(**{k: v for k, v in vars(GOOD).items() if k != "partner"}),
    "null on a non-null field": Loose(name=None, size=1, colour=Colour.RED, note="n"),
    "a value its type refuses": Loose(name="x", size="many", colour="green", note=4),
    "an attribute missing": Loose(size=2),
    "an integer too large": Loose(name="x", size=2**40, colour=Colour.RED, note=None),
    "a resolver that raises": Loose(**{**vars(GOOD), "name": 5}),  # 5 has no upper()
}


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        return [CASES[name] for name in sorted(CASES)]  # type: ignore[misc]


SCHEMA = strawberry.Schema(query=Query)
DOCUMENT = parse(
    "{ things { name size colour note when tags shout where big later times(n: 3) secret label "
    "partner { name size } twin { name } kids { name shout where label } } }"
)


def run(context: type[StrawberryGraphQLCoreExecutionContext]) -> ExecutionResult:
    return executed(SCHEMA, DOCUMENT, context, {"who": "the test"})


def test_the_short_path_answers_what_the_whole_path_answers() -> None:
    short, whole = run(PlainFieldsExecution), run(StrawberryGraphQLCoreExecutionContext)
    assert_same_answers(short, whole)
    assert short.data is not None
    # Every broken thing is null but the two whose partner is (a nullable field) broken.
    assert len([t for t in short.data["things"] if t is None]) == len(CASES) - 3
    assert len(short.errors or []) >= 4


@pytest.mark.parametrize(
    ("field", "plain"),
    [("name", True), ("colour", True), ("when", True), ("tags", True), ("shout", False)],
)
def test_which_fields_are_plain(field: str, plain: bool) -> None:
    thing = SCHEMA._schema.type_map["Thing"]
    reading = plain_field(thing.fields[field])  # type: ignore[attr-defined]
    assert (reading is not None) is plain
    if reading is not None:  # a list is read, then completed by graphql-core
        assert (reading.coerce is None) is (field == "tags")


@pytest.mark.parametrize(
    ("field", "direct"),
    [
        ("shout", True),
        ("where", True),
        ("label", True),
        ("later", True),
        ("times", False),  # arguments: Strawberry converts them
        ("secret", False),  # a permission class: Strawberry's wrapper runs it
        ("name", False),  # plain: no resolver at all
    ],
)
def test_which_resolvers_are_called_directly(field: str, direct: bool) -> None:
    thing = SCHEMA._schema.type_map["Thing"]
    assert (direct_resolver(thing.fields[field]) is not None) is direct  # type: ignore[attr-defined]


def test_a_direct_call_gets_what_strawberry_would_give() -> None:
    result = run(PlainFieldsExecution)
    assert result.data is not None
    pump = next(t for t in result.data["things"] if t is not None and t["name"] == "pump")
    index = result.data["things"].index(pump)
    assert pump["where"] == f"things.{index}.where of the test"
    assert (pump["label"], pump["later"], pump["big"]) == ("[pump]", "pump", 3)
    assert pump["kids"][1]["where"] == f"things.{index}.kids.1.where of the test"


def test_awaitables_are_told_from_their_type() -> None:
    async def coroutine() -> None:
        return None

    running = coroutine()
    awaitable = is_awaitable(running)
    running.close()
    assert awaitable
    assert not is_awaitable(GOOD)
    assert not is_awaitable("text")
