"""Runs a document through its read plan and through Strawberry's executor, to compare them."""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry
from graphql import DocumentNode, ExecutionResult, parse, print_ast
from graphql.execution import execute
from strawberry.permission import BasePermission
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.kit.read_plans import plan_for
from schema.kit.reading import read


class Planned:
    """Not an execution context: the document runs through its read plan."""


Context = type[StrawberryGraphQLCoreExecutionContext] | type[Planned]


def executed(
    schema: strawberry.Schema,
    document: str | DocumentNode,
    context: Context,
    context_value: Any,
    variables: dict[str, Any] | None = None,
) -> ExecutionResult:
    """``document`` run to its end on ``schema`` by the execution ``context``."""
    return asyncio.run(executed_async(schema, document, context, context_value, variables))


async def executed_async(
    schema: strawberry.Schema,
    document: str | DocumentNode,
    context: Context,
    context_value: Any,
    variables: dict[str, Any] | None = None,
) -> ExecutionResult:
    parsed = parse(document) if isinstance(document, str) else document
    if context is Planned:
        planned = plan_for(schema._schema, print_ast(parsed), parsed, None, {}, variables)
        assert planned is not None
        plan, coerced = planned
        return await read(plan, coerced, context_value)
    assert context is not Planned
    result = execute(
        schema._schema,
        parsed,
        variable_values=variables,
        context_value=context_value,
        executor_class=context,  # type: ignore[arg-type]  # Strawberry's is an executor
    )
    return result if isinstance(result, ExecutionResult) else await result


def assert_same_answers(ours: ExecutionResult, theirs: ExecutionResult) -> None:
    """The same data (some) and the same errors (message, path), in the same order."""
    assert ours.data == theirs.data
    assert ours.data is not None
    assert [(e.message, e.path) for e in ours.errors or []] == [
        (e.message, e.path) for e in theirs.errors or []
    ]


class NotNumber(BasePermission):
    """Refuses the field on the row whose ``number`` is the class's."""

    number: int

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return bool(source.number != self.number)
