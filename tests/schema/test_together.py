"""A read plan drives the resolvers of a level side by side (schema/kit/together.py) and
answers what graphql-core's row-by-row path answers.

Each document here runs through its plan (schema/kit/reading.py) and through Strawberry's
executor over the same rows and must give the same data and the same errors (message, path),
with the loaders batching as before and without a task per row; then run_together itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import pytest
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.kit.together import Outcome, run_together
from tests.schema.executing import (
    Context,
    NotNumber,
    Planned,
    assert_same_answers,
    executed,
    executed_async,
)


class Batches:
    """Loaders of one execution, counting the batches they run."""

    def __init__(self) -> None:
        self.count = 0
        self.owners = DataLoader(load_fn=self._owners)

    async def _owners(self, keys: list[int]) -> list[Owner | None]:
        self.count += 1
        await asyncio.sleep(0)
        return [None if key % 5 == 0 else Owner(number=key) for key in keys]


class NotSeven(NotNumber):
    number = 7
    message = "Row seven's secret is not yours."


@strawberry.type
class Owner:
    number: int

    @strawberry.field
    async def label(self, prefix: str = "owner") -> str:
        await asyncio.sleep(0)
        return f"{prefix} {self.number}"


@strawberry.type
class Row:
    number: int

    @strawberry.field
    async def owner(self, info: strawberry.Info) -> Owner | None:
        loaded: Owner | None = await info.context.owners.load(self.number % 6)
        return loaded

    @strawberry.field
    async def double(self, times: int = 2) -> int | None:
        if self.number == 3:
            raise ValueError("three cannot be doubled")
        return self.number * times

    @strawberry.field
    async def strict(self) -> int:
        if self.number == 6:
            raise ValueError("six has no strict value")
        return self.number

    @strawberry.field
    async def where(self, info: strawberry.Info) -> str:
        return ".".join(str(key) for key in info.path.as_list())

    @strawberry.field(permission_classes=[NotSeven])
    async def secret(self) -> str | None:
        return f"secret {self.number}"


@strawberry.type
class Edge:
    node: Row


@strawberry.type
class Query:
    @strawberry.field
    def edges(self, count: int = 10) -> list[Edge | None]:
        return [Edge(node=Row(number=n)) for n in range(count)]

    @strawberry.field
    def rows(self) -> list[Row | None]:
        return [Row(number=n) for n in range(5)]


SCHEMA = strawberry.Schema(query=Query)

THROUGH_EDGES = "through an edge's node, values of values, arguments, errors, permissions"
DOCUMENTS = {
    THROUGH_EDGES: """
        query($prefix: String!) { edges { node {
            number double(times: 3) secret where
            owner { number label(prefix: $prefix) plain: label }
        } } }""",
    "a non-null field failing nulls its row": "{ edges { node { number strict } } }",
    "aliases with their own arguments, fragments": """
        { rows { ...parts twice: double other: double(times: 5) } }
        fragment parts on Row { number owner { ... on Owner { label } } }""",
}


def run(document: str, context: Context) -> tuple[Any, int]:
    batches = Batches()
    return executed(SCHEMA, document, context, batches, {"prefix": "of"}), batches.count


@pytest.mark.parametrize("document", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_resolved_together_answers_what_row_by_row_answers(document: str) -> None:
    (together, together_batches) = run(document, Planned)
    (row_by_row, row_by_row_batches) = run(document, StrawberryGraphQLCoreExecutionContext)
    assert_same_answers(together, row_by_row)
    assert together_batches == row_by_row_batches


def test_the_cases_hold_errors_and_nulls() -> None:
    result, batches = run(DOCUMENTS[THROUGH_EDGES], Planned)
    assert batches == 1  # every row's owner in one batch
    messages = {(e.message, tuple(e.path or ())) for e in result.errors or []}
    assert ("three cannot be doubled", ("edges", 3, "node", "double")) in messages
    assert ("Row seven's secret is not yours.", ("edges", 7, "node", "secret")) in messages
    edges = result.data["edges"]
    assert edges[5]["node"]["owner"] is None  # owner 5: none
    assert edges[1]["node"]["owner"]["label"] == "of 1"
    assert edges[1]["node"]["owner"]["plain"] == "owner 1"
    assert edges[2]["node"]["double"] == 6
    assert edges[2]["node"]["where"] == "edges.2.node.where"
    nulled, _ = run(DOCUMENTS["a non-null field failing nulls its row"], Planned)
    assert nulled.data["edges"][6] is None
    assert nulled.data["edges"][5] == {"node": {"number": 5, "strict": 5}}


def test_a_row_costs_no_task() -> None:
    """Row by row, graphql-core gathers a task per row; together, the count stays flat."""

    def tasks_of(context: Context, rows: int) -> int:
        created = 0

        async def go() -> None:
            nonlocal created
            loop = asyncio.get_running_loop()

            def counting(loop: asyncio.AbstractEventLoop, coroutine: Any, **kwargs: Any) -> Any:
                nonlocal created
                created += 1
                return asyncio.Task(coroutine, loop=loop, **kwargs)

            loop.set_task_factory(counting)
            document = f"{{ edges(count: {rows}) {{ node {{ number owner {{ number }} }} }} }}"
            result = await executed_async(SCHEMA, document, context, Batches())
            assert not result.errors

        asyncio.run(go())
        return created

    assert tasks_of(StrawberryGraphQLCoreExecutionContext, 40) >= 40
    assert tasks_of(Planned, 40) == tasks_of(Planned, 4) <= 3


def test_a_failing_row_does_not_cancel_the_loads_of_others() -> None:
    """A non-null field failing beside a loaded one: row by row, graphql-core cancels the
    row's other tasks, and with them the loader's shared future that other rows await (the
    whole request fails); together, the loads are done before any row is completed."""
    document = "{ edges { node { strict owner { number } } } }"
    with pytest.raises(asyncio.CancelledError):
        run(document, StrawberryGraphQLCoreExecutionContext)
    result, _ = run(document, Planned)
    assert result.data["edges"][6] is None
    assert result.data["edges"][7] == {"node": {"strict": 7, "owner": {"number": 1}}}
    assert [e.path for e in result.errors or []] == [["edges", 6, "node", "strict"]]


def outcomes_of(*awaitables: Callable[[], Awaitable[Any]]) -> list[Outcome]:
    async def go() -> list[Outcome]:
        return await run_together([make() for make in awaitables])

    return asyncio.run(go())


def test_run_together_gives_each_outcome_in_order() -> None:
    async def value(v: int) -> int:
        await asyncio.sleep(0)
        return v

    async def failing() -> int:
        await asyncio.sleep(0)
        raise KeyError("gone")

    got = outcomes_of(lambda: value(1), failing, lambda: value(3))
    assert [o.value for o in got] == [1, None, 3]
    assert isinstance(got[1].error, KeyError)


def test_run_together_lets_several_wait_on_one_future() -> None:
    """Two rows asking one loader key wait on the same future (a task hands it over at once:
    a second ``await`` on a future still marked as blocking raises RuntimeError)."""

    async def go() -> list[Outcome]:
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        async def wait() -> str:
            return await future

        asyncio.get_running_loop().call_soon(future.set_result, "shared")
        return await run_together([wait(), wait(), asyncio.ensure_future(wait())])

    assert asyncio.run(go()) == [Outcome("shared"), Outcome("shared"), Outcome("shared")]


def test_run_together_refuses_what_a_task_refuses() -> None:
    class Odd:
        def __await__(self) -> Any:
            yield "not a future"

    async def odd() -> None:
        await Odd()

    (got,) = outcomes_of(odd)
    assert isinstance(got.error, RuntimeError)


def test_cancelled_run_together_closes_its_coroutines() -> None:
    closed: list[str] = []

    async def forever(name: str) -> None:
        try:
            await asyncio.get_running_loop().create_future()
        finally:
            closed.append(name)

    async def go() -> None:
        coroutines: list[Coroutine[Any, Any, None]] = [forever("a"), forever("b")]
        running = asyncio.ensure_future(run_together(coroutines))
        await asyncio.sleep(0.01)
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running

    asyncio.run(go())
    assert sorted(closed) == ["a", "b"]
