"""Runs a document with our execution context and with Strawberry's own, to compare them."""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry
from graphql import DocumentNode, ExecutionResult, parse
from graphql.execution import execute
from strawberry.permission import BasePermission
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.kit.execution import PlainFieldsExecution
from schema.kit.plans import is_awaitable

Context = type[StrawberryGraphQLCoreExecutionContext]


def executed(
    schema: strawberry.Schema,
    document: str | DocumentNode,
    context: Context,
    context_value: Any,
    variables: dict[str, Any] | None = None,
) -> ExecutionResult:
    """``document`` run to its end on ``schema`` by the execution ``context``."""

    async def go() -> ExecutionResult:
        result = execute(
            schema._schema,
            parse(document) if isinstance(document, str) else document,
            variable_values=variables,
            context_value=context_value,
            executor_class=context,
            is_awaitable=is_awaitable if context is PlainFieldsExecution else None,
        )
        return result if isinstance(result, ExecutionResult) else await result

    return asyncio.run(go())


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
