"""Read plans keep the GraphQL specification's execution rules: the same data and errors as
graphql-core's own executor on a small schema built to break them: nulls injected into
non-null fields (plain, computed, resolved, in lists, nested), resolvers that raise,
@skip/@include with variables through named and inline fragments, aliases, __typename, an
interface, arguments with defaults and variables, introspection, a mutation's fields one after
the other."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import orjson
import pytest
import strawberry
from graphql import ExecutionResult, execute, parse

from schema.kit.declared import computed
from schema.kit.errors import FieldRefused
from schema.kit.read_plans import plan_for
from schema.kit.reading import read


@strawberry.input
class Spec:
    upper: bool


@strawberry.interface
class Named:
    name: str


def _shout(item: Item, _context: Any) -> str:
    return item.name.upper()


@strawberry.type
class Item(Named):
    note: str | None
    tags: list[str]
    maybe: list[str | None] | None
    child: Item | None
    loud: str = computed(_shout)

    @strawberry.field
    async def later(self) -> str:
        return self.note  # type: ignore[return-value]  # null when the note is: injected

    @strawberry.field
    async def later_items(self) -> list[Item]:
        return [self] if self.child is None else [self, self.child]

    @strawberry.field
    def boom(self) -> str | None:
        raise ValueError(f"boom at {self.name}")

    @strawberry.field
    def echo(self, word: str = "default") -> str:
        return word

    @strawberry.field
    def joined(self, words: list[str], spec: Spec | None = None) -> str:
        return "-".join(words) + ("" if spec is None else f"/{spec.upper}")


@strawberry.type
class Other(Named):
    size: int


def item(name: Any, note: str | None = "n", tags: Any = ("a",), child: Item | None = None) -> Item:
    return Item(name=name, note=note, tags=list(tags), maybe=["x", None], child=child)


ITEMS = [
    item("one", child=item("inner", note=None)),
    item(None),  # a null in a non-null column
    item("three", tags=("a", None)),  # a null in a list of non-null strings
    item("four", note=None),  # ``later`` (non-null) resolves null
]


@strawberry.enum
class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Odd:
    """Leaves holding what their type's usual values are not, for the paths of
    schema/kit/filling.py that leave a value to the leaf's coercion."""

    ref: strawberry.ID
    count: int
    maybe_count: int | None
    flag: bool
    color: Color
    maybe_color: Color | None
    at: dt.datetime
    maybe_at: dt.datetime | None
    day: dt.date
    items: list[Item]
    maybe_items: list[Item | None] | None


AT = dt.datetime(2026, 12, 7, 8, 30, 0, 250, tzinfo=dt.UTC)
ODDS: list[Odd | None] = [
    # Values each leaf's coercion answers as graphql-core would: an int ID, a bool of 1, a
    # member's value, a tuple of objects.
    Odd(
        ref=5,  # type: ignore[arg-type]
        count=7,
        maybe_count=None,
        flag=1,  # type: ignore[arg-type]
        color="red",  # type: ignore[arg-type]
        maybe_color=None,
        at=AT,
        maybe_at=None,
        day=AT,  # a datetime for a Date: its coercion's text
        items=tuple(ITEMS[:1]),  # type: ignore[arg-type]
        maybe_items=[ITEMS[0], None],
    ),
    # Values they refuse: past 32 bits, not a member, a text for a time, a null in a list of
    # non-null objects.
    Odd(
        ref="r",  # type: ignore[arg-type]
        count=2**40,
        maybe_count=2**40,
        flag=True,
        color="green",  # type: ignore[arg-type]
        maybe_color="green",  # type: ignore[arg-type]
        at="today",  # type: ignore[arg-type]
        maybe_at="today",  # type: ignore[arg-type]
        day="today",  # type: ignore[arg-type]
        items=[ITEMS[0], None],  # type: ignore[list-item]
        maybe_items=[None],
    ),
    # The usual values, and a null where none may be.
    Odd(
        ref="s",  # type: ignore[arg-type]
        count=1,
        maybe_count=2,
        flag=False,
        color=Color.BLUE,
        maybe_color=Color.RED,
        at=None,  # type: ignore[arg-type]
        maybe_at=AT.astimezone(dt.timezone(dt.timedelta(hours=1))),  # not in UTC
        day=AT.date(),
        items=[],
        maybe_items=None,
    ),
]


@strawberry.type
class Query:
    @strawberry.field
    async def items(self) -> list[Item]:
        return ITEMS

    @strawberry.field
    def odds(self) -> list[Odd | None]:
        return ODDS

    @strawberry.field
    async def maybe_items(self) -> list[Item | None] | None:
        return list(ITEMS)

    @strawberry.field
    def first(self) -> Item:
        return ITEMS[0]

    @strawberry.field
    def broken(self) -> Item:
        return ITEMS[1]

    @strawberry.field
    async def named(self) -> list[Named]:
        return [ITEMS[0], Other(name="other", size=3)]


CALLS: list[str] = []


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def touch(self, name: str) -> Item:
        CALLS.append(name)
        return item(f"{name} after {len(CALLS)}")


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation, types=[Item, Other])._schema

DOCUMENTS: list[tuple[str, dict[str, Any]]] = [
    ("{ first { name note tags loud __typename } }", {}),
    ("{ maybeItems { name } }", {}),
    ("{ items { name } }", {}),
    ("{ maybeItems { name tags } }", {}),
    ("{ maybeItems { later } }", {}),
    ("{ maybeItems { name child { name later } } }", {}),
    ("{ maybeItems { laterItems { name later } } }", {}),
    ("{ first { boom name } maybeItems { boom } }", {}),
    ("{ broken { name } }", {}),
    ("{ a: first { n: name, l: loud } b: first { name } }", {}),
    ('query($w: String!) { first { echo e2: echo(word: "x") e3: echo(word: $w) } }', {"w": "y"}),
    (
        "query($s: Boolean!, $i: Boolean!) { first { ...F name @skip(if: $s) "
        "... on Item @include(if: $i) { note } } } fragment F on Item { tags @include(if: $i) }",
        {"s": True, "i": False},
    ),
    (
        "query($s: Boolean!, $i: Boolean!) { first { ...F name @skip(if: $s) "
        "... on Item @include(if: $i) { note } } } fragment F on Item { tags @include(if: $i) }",
        {"s": False, "i": True},
    ),
    ("{ named { __typename name ... on Item { loud } ... on Other { size } } }", {}),
    ("{ first { maybe child { maybe child { name } } } }", {}),
    (
        "{ __schema { queryType { name fields { name args { name defaultValue } } } } "
        '__type(name: "Item") { name interfaces { name } fields { name type { kind ofType { '
        "name } } } } }",
        {},
    ),
    ('mutation { a: touch(name: "a") { name } b: touch(name: "b") { name later } }', {}),
    ("{ odds { ref count maybeCount flag } }", {}),
    ("{ odds { color maybeColor at maybeAt day } }", {}),
    ("{ odds { ref items { name } maybeItems { name } } }", {}),
]


def _answer(result: ExecutionResult) -> tuple[Any, list[tuple[str, Any]]]:
    """The data as the response holds it (orjson writes a plan's datetimes and dates,
    schema/kit/filling.py), and the errors."""
    errors = sorted((error.message, error.path) for error in result.errors or ())
    return orjson.loads(orjson.dumps(result.data)), errors


@pytest.mark.parametrize(("source", "variables"), DOCUMENTS)
async def test_a_plan_answers_as_graphql_core(source: str, variables: dict[str, Any]) -> None:
    document = parse(source)
    CALLS.clear()
    expected = execute(SCHEMA, document, variable_values=variables)
    if not isinstance(expected, ExecutionResult):
        expected = await expected
    planned = plan_for(SCHEMA, source + repr(variables), document, None, {}, variables)
    assert planned is not None
    plan, coerced = planned
    CALLS.clear()
    got = await read(plan, coerced, None)
    assert _answer(got) == _answer(expected)


def test_what_no_plan_runs_is_left_to_graphql_core() -> None:
    """Variables that do not fit and a document without a choice of operation: graphql-core
    words their errors."""
    bad_variables = "query($w: String!) { first { echo(word: $w) } }"
    assert plan_for(SCHEMA, bad_variables, parse(bad_variables), None, {}, {}) is None
    two = "query A { first { name } } query B { first { note } }"
    assert plan_for(SCHEMA, two, parse(two), None, {}, None) is None
    assert plan_for(SCHEMA, two, parse(two), "B", {}, None) is not None


@pytest.mark.parametrize(
    ("source", "nulled", "data", "path"),
    [
        # A nullable field refused is null, the rest of its object stays.
        (
            "{ first { name note } }",
            ("Item", "note"),
            {"first": {"name": "one", "note": None}},
            ["first", "note"],
        ),
        # A non-null one nulls its object, up to the nearest nullable position (here all).
        ("{ first { name note } }", ("Item", "name"), None, ["first", "name"]),
        ("{ maybeItems { note } }", ("Query", "maybeItems"), {"maybeItems": None}, ["maybeItems"]),
    ],
)
async def test_a_refused_read_is_null_where_it_may_be(
    source: str, nulled: tuple[str, str], data: Any, path: list[Any]
) -> None:
    """A read the caller's capability refuses (authz/checks.py ``nulled``) answers null with
    its FORBIDDEN error at its path, and its resolver is not called."""
    planned = plan_for(SCHEMA, source, parse(source), None, {nulled: "Refused."}, None)
    assert planned is not None
    got = await read(*planned, None)
    assert _answer(got) == (data, [("Refused.", path)])
    assert got.errors is not None
    assert isinstance(got.errors[0].original_error, FieldRefused)  # FORBIDDEN at the route


async def test_arguments_reading_variables_inside_are_found_per_request() -> None:
    """A variable inside a list or an input object (``input: {on: $on}``) is read per
    request: the plan of one text serves every request sending it."""
    source = (
        'query($w: String!, $u: Boolean!) { first { joined(words: ["a", $w], spec: {upper: $u}) } }'
    )
    document = parse(source)
    answers = []
    for variables in ({"w": "x", "u": True}, {"w": "y", "u": False}):
        planned = plan_for(SCHEMA, source, document, None, {}, variables)
        assert planned is not None
        answers.append((await read(*planned, None)).data)
    assert answers == [{"first": {"joined": "a-x/True"}}, {"first": {"joined": "a-y/False"}}]


def test_a_cached_plan_keeps_only_the_values_of_its_switches() -> None:
    """The plan cache holds no request's values but those of @skip/@include variables."""
    source = "query($w: String!, $s: Boolean!) { first { echo(word: $w) name @skip(if: $s) } }"
    planned = plan_for(SCHEMA, source, parse(source), None, {}, {"w": "secret", "s": False})
    assert planned is not None
    plan, coerced = planned
    assert coerced.coerced == {"w": "secret", "s": False}
    assert plan.variables.coerced == {"s": False}
