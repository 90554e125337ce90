"""Lists resolve their rows' async fields together.

An async field of a listed row (a work sheet's ``documents``, an equipment item's
``lastResult``, a timesheet entry's ``site``) makes graphql-core complete that row as a
coroutine, and the list gathers a task per row. Here a list whose rows select async fields first
calls each such field's resolver for every row (the same resolver, arguments and resolve info
graphql-core would use; Strawberry's extensions and permission classes included) and drives the
coroutines side by side (schema/kit/together.py): the loaders still batch their SQL exactly as
before, and a row costs no task. The rows are then completed with those values, synchronously,
by graphql-core's own list completion; an async field whose resolver failed raises there, with
its own path. Async fields are found through plain object fields (an edge's ``node``) and inside
the values of async fields found before them (a timesheet entry's site's client), one level of
values after another; nested lists are left to their own completion. A field that declares a
batch form (schema/kit/batched.py: a work sheet's documents, a timesheet entry's site) is not
called per row: its batch form is called once for all the rows the list reaches, with one
``Info`` and its arguments converted once. Refused fields are never resolved together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any, NamedTuple

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    get_argument_values,
    get_nullable_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from schema.kit.batched import Many, batch_form
from schema.kit.completion import CompletingExecution
from schema.kit.plans import PlainField, is_awaitable
from schema.kit.together import Outcome, run_together


class Hop(NamedTuple):
    """One field between a listed row and an object whose async field it resolves."""

    key: str  # the response key
    type_name: str  # the type the field belongs to
    attribute: str | None  # a plain object field's attribute; None: an async field's value
    details: FieldDetailsList


class AsyncField(NamedTuple):
    """An async field selected on (or under) a list's rows; ``level``: async hops before it;
    ``definition``: its Strawberry field, whose batch form (if any) resolves every row at
    once (schema/kit/batched.py)."""

    hops: tuple[Hop, ...]
    level: int
    parent_type: GraphQLObjectType
    key: str
    field: GraphQLField
    details: FieldDetailsList
    definition: StrawberryField


class Call(NamedTuple):
    """A resolver call for some rows of a list: one row, or every row (``batched``: the
    awaitable gives a sequence of values, one per source)."""

    sources: list[Any]
    details: FieldDetailsList
    info: GraphQLResolveInfo[Any]
    awaitable: Awaitable[Any]
    batched: bool


def _async_definition(field: GraphQLField) -> StrawberryField | None:
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if isinstance(definition, StrawberryField) and definition.is_async:
        return definition
    return None


class ListsTogetherExecution(CompletingExecution):
    """The execution context resolving a list's async fields together (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per list selection (graphql-core's own memo key): the async fields of its rows.
        self._async_fields: dict[tuple[str, int], tuple[FieldDetailsList, list[AsyncField]]] = {}
        # Values resolved together for a list, until their row is completed: per (object,
        # selection), the object (kept alive so its id stays its own), the outcome, the info.
        self._resolved: dict[tuple[int, int], tuple[Any, Outcome, GraphQLResolveInfo[Any]]] = {}

    def _async_fields_of(
        self, item_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> list[AsyncField]:
        key = (item_type.name, id(field_details_list))
        known = self._async_fields.get(key)
        if known is None:
            found: list[AsyncField] = []
            self._find_async_fields(item_type, field_details_list, (), 0, found)
            found.sort(key=lambda async_field: async_field.level)
            known = self._async_fields[key] = (field_details_list, found)
        return known[1]

    def _find_async_fields(
        self,
        parent_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        hops: tuple[Hop, ...],
        level: int,
        found: list[AsyncField],
    ) -> None:
        grouped = self.collect_subfields(parent_type, field_details_list)[0]
        plans = self._type_plans(parent_type)
        for key, details in grouped.items():
            name = details[0].node.name.value
            field = parent_type.fields.get(name)
            if field is None or (parent_type.name, name) in self._nulled:
                # Refused fields answer null per row in execute_field, unresolved.
                continue
            target = get_nullable_type(field.type)
            plan = plans.get(name)
            definition = _async_definition(field)
            if definition is not None:
                found.append(AsyncField(hops, level, parent_type, key, field, details, definition))
                if isinstance(target, GraphQLObjectType):
                    hop = Hop(key, parent_type.name, None, details)
                    self._find_async_fields(target, details, (*hops, hop), level + 1, found)
            elif isinstance(plan, PlainField) and isinstance(target, GraphQLObjectType):
                # A plain object field (an edge's node): its attribute leads to the object.
                hop = Hop(key, parent_type.name, plan.attribute, details)
                self._find_async_fields(target, details, (*hops, hop), level, found)

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> Any:
        object_type = get_nullable_type(item_type)
        if isinstance(object_type, GraphQLObjectType) and not self.middleware_manager:
            async_fields = self._async_fields_of(object_type, field_details_list)
            if async_fields and self.get_stream_usage(field_details_list, path) is None:
                rows = list(items)
                # One row: graphql-core awaits it without a task already.
                if len(rows) > 1 and not any(is_awaitable(row) for row in rows):
                    return self._complete_together(
                        async_fields,
                        item_type,
                        field_details_list,
                        info,
                        path,
                        rows,
                        position_context,
                    )
                items = rows
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    async def _complete_together(
        self,
        async_fields: list[AsyncField],
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        rows: list[Any],
        position_context: Any,
    ) -> Any:
        """Resolve the rows' async fields level by level, then complete the rows."""
        level = 0
        while level <= async_fields[-1].level:
            calls = [
                call
                for async_field in async_fields
                if async_field.level == level
                for call in self._calls(async_field, path, rows)
            ]
            outcomes = await run_together([call.awaitable for call in calls])
            for call, outcome in zip(calls, outcomes, strict=True):
                for source, source_outcome in zip(
                    call.sources, _per_source(call, outcome), strict=True
                ):
                    self._resolved[id(source), id(call.details)] = (
                        source,
                        source_outcome,
                        call.info,
                    )
            level += 1
        completed = super().complete_iterable_value(
            item_type, field_details_list, info, path, rows, position_context
        )
        if is_awaitable(completed):
            return await completed
        return completed

    def _calls(self, async_field: AsyncField, path: Path, rows: list[Any]) -> Iterable[Call]:
        """The calls of ``async_field``'s resolver for the rows it reaches: one per row, or one
        of its batch form for all of them."""
        first = async_field.details[0]
        try:
            arguments = get_argument_values(
                async_field.field,
                first.node,
                self.variable_values,
                first.fragment_variable_values,
                self.hide_suggestions,
            )
        except Exception:  # each row's own resolution raises it, located
            return
        nodes = to_nodes(async_field.details)
        reached = list(self._reached(async_field, path, rows))
        if not reached:
            return
        many = self._batch_form(async_field.definition)
        if many is not None and len(reached) > 1:
            source_path = reached[0][1]
            resolve_info = self.build_resolve_info(
                async_field.field, nodes, async_field.parent_type, source_path
            )
            sources = [source for source, _ in reached]
            yield Call(
                sources,
                async_field.details,
                resolve_info,
                self._call_batch(many, async_field.definition, resolve_info, sources, arguments),
                batched=True,
            )
            return
        resolve = async_field.field.resolve
        assert resolve is not None
        for source, field_path in reached:
            resolve_info = self.build_resolve_info(
                async_field.field, nodes, async_field.parent_type, field_path
            )
            try:
                result = resolve(source, resolve_info, **arguments)
            except Exception as error:  # raised again where the row completes
                result = _failed(error)
            yield Call([source], async_field.details, resolve_info, result, batched=False)

    def _reached(
        self, async_field: AsyncField, path: Path, rows: list[Any]
    ) -> Iterable[tuple[Any, Path]]:
        """The objects of ``rows`` that ``async_field`` belongs to, with its path on each."""
        for index, row in enumerate(rows):
            source, source_path = row, path.add_key(index, None)
            for hop in async_field.hops:
                if hop.attribute is not None:
                    source = getattr(source, hop.attribute, None)
                else:
                    resolved = self._resolved.get((id(source), id(hop.details)))
                    source = None if resolved is None else resolved[1].value
                if source is None:
                    break
                source_path = source_path.add_key(hop.key, hop.type_name)
            if source is not None:
                yield source, source_path.add_key(async_field.key, async_field.parent_type.name)

    def _batch_form(self, definition: StrawberryField) -> Many | None:
        """``definition``'s batch form, unless the schema handles exceptions per field."""
        converter = self._converter
        if converter is None or converter.exception_handlers:
            return None
        return batch_form(definition)

    def _call_batch(
        self,
        many: Many,
        definition: StrawberryField,
        resolve_info: GraphQLResolveInfo[Any],
        sources: list[Any],
        arguments: dict[str, Any],
    ) -> Awaitable[Any]:
        """``many`` called as Strawberry would call the resolver: its ``Info`` and arguments
        converted to their Python types."""
        converter = self._converter
        assert converter is not None
        info = converter.config.info_class(_raw_info=resolve_info, _field=definition)
        try:
            kwargs = convert_arguments(
                arguments,
                definition.arguments,
                scalar_registry=converter.scalar_registry,
                config=converter.config,
                info=info,
            )
            return many(info, sources, **kwargs)
        except Exception as error:  # raised again where each row completes
            return _failed(error)


def _per_source(call: Call, outcome: Outcome) -> list[Outcome]:
    """Each source's outcome of ``call``: a batch's values split (its error shared)."""
    if not call.batched:
        return [outcome]
    if outcome.error is not None:
        return [outcome] * len(call.sources)
    values = outcome.value
    if len(values) != len(call.sources):
        error = ValueError(f"a batch form gave {len(values)} values for {len(call.sources)} rows")
        return [Outcome(None, error)] * len(call.sources)
    return [Outcome(value) for value in values]


async def _failed(error: Exception) -> Any:
    raise error
