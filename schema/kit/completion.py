"""The execution context's common ground: the schema's field plans, the request's refused
fields, and the completion of a value already at hand (resolved together with a list's other
rows, or read from an attribute) exactly as graphql-core completes a resolver's value.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from weakref import WeakMethod

from graphql import (
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from authz.checks import FieldChecks
from schema.kit.plans import FieldPlan, field_plan, is_awaitable, plans_of
from schema.kit.together import Outcome

T = TypeVar("T")


class CompletingExecution(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with the state every short path shares."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every resolve info carries these helpers; bound to this context, they made it, its
        # resolve infos, the request's context, loaders and rows one reference cycle, freed
        # by the garbage collector (0.5 ms of a 7 ms dashboard, bench/RESULTS.md) rather than
        # when the request ends.
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=_weakly(self.gather_async_work), track=_weakly(self.track_async_work)
        )
        self._plans = plans_of(self.schema)
        strawberry_schema = getattr(self.schema, "_strawberry_schema", None)
        self._converter: GraphQLCoreConverter | None = getattr(
            strawberry_schema, "schema_converter", None
        )
        # Sync resolvers are called directly unless something wraps every resolver.
        self._direct_allowed = (
            self._converter is not None
            and not self._converter.exception_handlers
            and not self.middleware_manager
        )
        # The flag-gated reads this caller may not use: (type, field) -> the error's message.
        checks = getattr(self.context_value, "checks", None)
        self._nulled: Mapping[tuple[str, str], str] = (
            checks.nulled if isinstance(checks, FieldChecks) else {}
        )

    def _type_plans(self, parent: GraphQLObjectType) -> dict[str, FieldPlan]:
        found = self._plans.get(parent.name)
        if found is None:
            found = self._plans[parent.name] = {
                name: field_plan(field) for name, field in parent.fields.items()
            }
        return found

    def _complete_resolved(
        self,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
        outcome: Outcome,
        info: GraphQLResolveInfo[Any],
    ) -> Any:
        """graphql-core's execute_field after its resolver, for a value at hand (resolved
        together, or read from a plain object or list attribute)."""
        return_type = info.return_type
        try:
            if outcome.error is not None:
                raise outcome.error
            completed = self.complete_value(
                return_type, field_details_list, info, path, outcome.value, position_context
            )
        except Exception as error:
            self.handle_field_error(error, return_type, field_details_list, path)
            return None
        if is_awaitable(completed):
            return self._await_completed(completed, return_type, field_details_list, path)
        return completed

    async def _await_completed(
        self,
        completed: Awaitable[Any],
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as error:
            self.handle_field_error(error, return_type, field_details_list, path)
            return None


def _weakly(method: Callable[..., T]) -> Callable[..., T]:
    """``method``, holding its object weakly."""
    reference = WeakMethod(method)

    def call(*args: Any, **kwargs: Any) -> T:
        bound = reference()
        if bound is None:
            raise RuntimeError("the execution has ended")
        return bound(*args, **kwargs)

    return call
