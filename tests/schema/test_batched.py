"""A field's batch form answers a list's rows in one call, as its resolver answers each row.

schema/kit/execution.py calls a listed field's batch form (schema/kit/batched.py) once for all
the rows a list reaches, instead of its resolver per row. Each document here runs with the batching
executor and with Strawberry's own (which knows nothing of batch forms and calls the resolver
per row): data and errors (message, path) must be the same, and the calls are counted.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Sequence
from typing import Any

import pytest
import strawberry
from graphql import ExecutionResult
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.kit.batched import BATCH
from schema.kit.execution import PlainFieldsExecution
from tests.schema.executing import NotNumber, assert_same_answers, executed


class Calls:
    """The context of one execution: what was called, and with what."""

    def __init__(self) -> None:
        self.batches: list[tuple[str, int]] = []  # (field, how many sources)
        self.resolvers = 0
        self.arguments: list[Any] = []


@strawberry.enum
class Style(enum.Enum):
    PLAIN = "plain"
    LOUD = "loud"


@strawberry.input
class Suffix:
    text: str


async def labels(
    info: strawberry.Info,
    rows: Sequence[Row],
    style: Style = Style.PLAIN,
    fail: bool = False,
    suffix: Suffix | None = None,
) -> list[str | None]:
    info.context.batches.append(("label", len(rows)))
    info.context.arguments.append(style)
    await asyncio.sleep(0)
    if fail:
        raise ValueError(f"no labels in {style.value} style")
    end = "" if suffix is None else suffix.text
    texts = [None if row.number % 4 == 3 else f"row {row.number}{end}" for row in rows]
    if style is Style.LOUD:
        return [None if text is None else text.upper() for text in texts]
    return texts


async def halves(info: strawberry.Info, rows: Sequence[Row]) -> list[int]:
    info.context.batches.append(("half", len(rows)))
    return [row.number // 2 for row in rows][: -1 if info.context.short else None]


async def parents(info: strawberry.Info, rows: Sequence[Row]) -> list[Row]:
    info.context.batches.append(("parent", len(rows)))
    return [Row(number=row.number + 100) for row in rows]


class NotFive(NotNumber):
    number = 5
    message = "Row five keeps its label."


@strawberry.type
class Row:
    number: int

    @strawberry.field(metadata={BATCH: labels})
    async def label(
        self,
        info: strawberry.Info,
        style: Style = Style.PLAIN,
        fail: bool = False,
        suffix: Suffix | None = None,
    ) -> str | None:
        info.context.resolvers += 1
        return (await labels(info, [self], style, fail, suffix))[0]

    @strawberry.field(metadata={BATCH: halves})
    async def half(self, info: strawberry.Info) -> int:
        info.context.resolvers += 1
        return (await halves(info, [self]))[0]

    @strawberry.field(metadata={BATCH: parents})
    async def parent(self, info: strawberry.Info) -> Row:
        info.context.resolvers += 1
        return (await parents(info, [self]))[0]

    @strawberry.field(metadata={BATCH: labels}, permission_classes=[NotFive])
    async def guarded(self, info: strawberry.Info) -> str | None:
        info.context.resolvers += 1
        return (await labels(info, [self]))[0]


@strawberry.type
class Edge:
    node: Row


@strawberry.type
class Query:
    @strawberry.field
    def edges(self, count: int = 8) -> list[Edge]:
        return [Edge(node=Row(number=n)) for n in range(count)]


SCHEMA = strawberry.Schema(query=Query)


def run(
    document: str,
    context: type[StrawberryGraphQLCoreExecutionContext],
    variables: dict[str, Any] | None = None,
    short: bool = False,
) -> tuple[ExecutionResult, Calls]:
    calls = Calls()
    calls.short = short  # type: ignore[attr-defined]
    return executed(SCHEMA, document, context, calls, variables), calls


DOCUMENTS = {
    "arguments from literals and variables, aliases, values of values": """
        query($style: Style!) { edges { node {
            number label loud: label(style: LOUD) styled: label(style: $style, suffix: {text: "!"})
            parent { number label half }
        } } }""",
    "a failing batch fails each row's field": "{ edges { node { number label(fail: true) } } }",
    "a permission class keeps the resolver per row": "{ edges { node { number guarded } } }",
}


@pytest.mark.parametrize("document", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_a_batch_form_answers_what_the_resolver_answers_per_row(document: str) -> None:
    batched, _ = run(document, PlainFieldsExecution, {"style": "LOUD"})
    per_row, _ = run(document, StrawberryGraphQLCoreExecutionContext, {"style": "LOUD"})
    assert_same_answers(batched, per_row)


def test_a_list_calls_the_batch_form_once_per_field_and_no_resolver() -> None:
    document = DOCUMENTS["arguments from literals and variables, aliases, values of values"]
    result, calls = run(document, PlainFieldsExecution, {"style": "LOUD"})
    assert not result.errors
    assert calls.resolvers == 0
    # label three times (own arguments each), then the parents' fields: one call per field.
    # Arguments arrive converted, as Strawberry gives them to the resolver (an input object
    # as its class, an enum as its Python member).
    assert sorted(calls.batches) == sorted(
        [("label", 8)] * 3 + [("parent", 8), ("label", 8), ("half", 8)]
    )
    assert sorted(calls.arguments, key=str) == sorted(
        [Style.PLAIN, Style.LOUD, Style.LOUD, Style.PLAIN], key=str
    )
    assert result.data is not None
    first = result.data["edges"][2]["node"]
    assert first == {
        "number": 2,
        "label": "row 2",
        "loud": "ROW 2",
        "styled": "ROW 2!",
        "parent": {"number": 102, "label": "row 102", "half": 51},
    }
    assert result.data["edges"][3]["node"]["label"] is None


def test_one_row_and_guarded_fields_go_through_the_resolver() -> None:
    _, one = run("{ edges(count: 1) { node { label } } }", PlainFieldsExecution)
    assert (one.resolvers, one.batches) == (1, [("label", 1)])
    result, guarded = run(
        DOCUMENTS["a permission class keeps the resolver per row"], PlainFieldsExecution
    )
    assert guarded.resolvers == 7  # row five refused before its resolver
    assert guarded.batches == [("label", 1)] * 7
    assert [e.path for e in result.errors or []] == [["edges", 5, "node", "guarded"]]


def test_a_failing_batch_is_each_rows_error_at_its_own_path() -> None:
    result, calls = run(DOCUMENTS["a failing batch fails each row's field"], PlainFieldsExecution)
    assert calls.batches == [("label", 8)]
    assert [(e.message, e.path) for e in result.errors or []] == [
        ("no labels in plain style", ["edges", n, "node", "label"]) for n in range(8)
    ]
    assert result.data == {"edges": [{"node": {"number": n, "label": None}} for n in range(8)]}


def test_a_batch_form_giving_too_few_values_fails_the_field() -> None:
    document = "{ edges(count: 3) { node { number half } } }"
    result, _ = run(document, PlainFieldsExecution, short=True)
    # half is non-null all the way up: the first row's error nulls the whole answer.
    assert result.data is None
    assert [(e.message, e.path) for e in result.errors or []] == [
        ("a batch form gave 2 values for 3 rows", ["edges", 0, "node", "half"])
    ]
