"""GraphQL execution with a short path for plain fields.

Most fields of a response are *plain*: a scalar or enum attribute of a row already loaded by
its parent's resolver (a ticket's ``number``, a document's ``fileName``), with no resolver, no
arguments and no per-field check (field decisions are taken once per document, before
execution: authz/checks.py). graphql-core resolves each of them like any field: a path, a
resolve-info object of fourteen members, Strawberry's wrapper, two awaitable checks and the
generic completion. :class:`PlainFieldsExecution` reads such a field's attribute and coerces
it with the field's own scalar or enum type, and leaves everything unusual to graphql-core:
a ``null`` on a non-null field, a value its type refuses or a failing attribute read take the
ordinary path, which raises and locates the error exactly as before. An object or list
attribute without resolver (a connection's ``edges``, an edge's ``node``) is read the same way
and handed to graphql-core's completion with one resolve info per selection (completion reads
its types, never its path; resolvers below get their own).

A sync resolver without arguments or extensions (a document's ``downloadUrl``) is called
directly with what Strawberry's wrapper would give it, and its value completed the same way.

``is_awaitable`` answers from the value's type, looked up once per type (graphql-core asks it
twice per field).

**Flag-gated reads refused to the caller answer null.** The fields the request's field checks
put in ``nulled`` (a site's ``invoices`` for a contact without ``can_view_invoices``:
authz/checks.py) are not resolved: each answers ``null`` (the portal view holds them
nullable) with a FORBIDDEN error at its path, so none of their SQL runs, and the rest of the
document is executed as usual. They are never resolved together with a list's rows either.

**Lists resolve their rows' async fields together.** An async field of a listed row (a work
sheet's ``documents``, an equipment item's ``lastResult``, a timesheet entry's ``site``) makes
graphql-core complete that row as a coroutine, and the list gathers a task per row. Here a list
whose rows select async fields first calls each such field's resolver for every row (the same
resolver, arguments and resolve info graphql-core would use; Strawberry's extensions and
permission classes included) and drives the coroutines side by side (schema/kit/together.py): the
loaders still batch their SQL exactly as before, and a row costs no task. The rows are then
completed with those values, synchronously, by graphql-core's own list completion; an async
field whose resolver failed raises there, with its own path. Async fields are found through
plain object fields (an edge's ``node``) and inside the values of async fields found before them
(a timesheet entry's site's client), one level of values after another; nested lists are left
to their own completion. A field that declares a batch form (schema/kit/batched.py: a work sheet's
documents, a timesheet entry's site) is not called per row: its batch form is called once for
all the rows the list reaches, with one ``Info`` and its arguments converted once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import CoroutineType
from typing import Any, NamedTuple, TypeGuard, TypeVar
from weakref import WeakKeyDictionary, WeakMethod

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    GraphQLSchema,
    Undefined,
    get_argument_values,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from authz.checks import FieldChecks
from schema.kit.batched import Many, batch_form
from schema.kit.errors import Forbidden
from schema.kit.together import Outcome, run_together


class FieldRefused(Forbidden):
    """A flag-gated field the caller may not read, answered null at its path.

    The route keeps the request's transaction when these are its only errors: they refuse
    a read, not the request (the session's last use is still recorded)."""


class PlainField(NamedTuple):
    """How to resolve one plain field: the attribute to read and the type's coercion (None:
    an object or a list, completed by graphql-core)."""

    attribute: str
    coerce: Callable[[Any], Any] | None
    non_null: bool


def plain_field(field: GraphQLField) -> PlainField | None:
    """The plain reading of ``field``, or None when it needs graphql-core's whole path."""
    resolve = field.resolve
    if resolve is None or not getattr(resolve, "_is_default", False) or field.args:
        return None
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or definition.default_resolver is not getattr:
        return None
    non_null = is_non_null_type(field.type)
    leaf = field.type.of_type if non_null else field.type  # type: ignore[union-attr]
    if not is_leaf_type(leaf):
        return PlainField(definition.python_name, None, non_null)
    return PlainField(definition.python_name, leaf.coerce_output_value, non_null)


class DirectResolver(NamedTuple):
    """A sync resolver without arguments or extensions (a document's ``downloadUrl``, an
    edge's ``cursor``), called with what Strawberry would pass it, without its wrapper."""

    field: GraphQLField
    definition: StrawberryField
    takes_self: bool  # the source as first positional argument
    source_names: tuple[str, ...]  # keyword parameters given the source (root, parent)
    info_name: str | None  # the keyword parameter given the Info


def direct_resolver(field: GraphQLField) -> DirectResolver | None:
    """How to call ``field``'s resolver directly, or None when it needs Strawberry's wrapper:
    async, with arguments, or with extensions (permission classes included)."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField):
        return None
    resolver = definition.base_resolver
    if resolver is None or definition.is_async or definition.extensions:
        return None
    if field.args or definition.arguments:
        return None
    sources = (resolver.root_parameter, resolver.parent_parameter)
    info = resolver.info_parameter
    return DirectResolver(
        field,
        definition,
        resolver.self_parameter is not None,
        tuple(parameter.name for parameter in sources if parameter is not None),
        None if info is None else info.name,
    )


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


# How a field is read: plain, by a direct resolver call, or (None) by graphql-core's path.
FieldPlan = PlainField | DirectResolver | None


def field_plan(field: GraphQLField) -> FieldPlan:
    return plain_field(field) or direct_resolver(field)


# Per schema (each audience view has its own; narrowed views come and go), per type name:
# each field's plan.
_PLANS: WeakKeyDictionary[GraphQLSchema, dict[str, dict[str, FieldPlan]]] = WeakKeyDictionary()


def _plans_of(schema: GraphQLSchema) -> dict[str, dict[str, FieldPlan]]:
    plans = _PLANS.get(schema)
    if plans is None:
        plans = _PLANS[schema] = {}
    return plans


T = TypeVar("T")

_AWAITABLE: dict[type, bool] = {CoroutineType: True}

# What the short paths answer when a field needs graphql-core's ordinary path.
_ORDINARY = object()


def is_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    """Whether ``value`` can be awaited: its type has ``__await__`` (coroutines, futures).

    Special methods are looked up on the type, so the answer holds for every value of it.
    """
    kind = type(value)
    answer = _AWAITABLE.get(kind)
    if answer is None:
        answer = _AWAITABLE[kind] = hasattr(kind, "__await__")
    return answer


class PlainFieldsExecution(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain fields read directly (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every resolve info carries these helpers; bound to this context, they made it, its
        # resolve infos, the request's context, loaders and rows one reference cycle, freed
        # by the garbage collector (0.5 ms of a 7 ms dashboard, bench/RESULTS.md) rather than
        # when the request ends.
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=_weakly(self.gather_async_work), track=_weakly(self.track_async_work)
        )
        self._plans = _plans_of(self.schema)
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
        # Per list selection (graphql-core's own memo key): the async fields of its rows.
        self._async_fields: dict[tuple[str, int], tuple[FieldDetailsList, list[AsyncField]]] = {}
        # Values resolved together for a list, until their row is completed: per (object,
        # selection), the object (kept alive so its id stays its own), the outcome, the info.
        self._resolved: dict[tuple[int, int], tuple[Any, Outcome, GraphQLResolveInfo[Any]]] = {}
        # Per selection of a plain object or list field: one resolve info for every object
        # (completion reads its types and schema, never its path; resolvers get their own).
        self._plain_infos: dict[int, tuple[FieldDetailsList, GraphQLResolveInfo[Any]]] = {}
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

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        name = field_details_list[0].node.name.value
        if self._nulled and (parent_type.name, name) in self._nulled:
            return self._refuse(parent_type, name, field_details_list, path)
        plan = self._type_plans(parent_type).get(name)
        if isinstance(plan, PlainField):
            coerce = plan.coerce
            if coerce is None:
                completed = self._complete_plain_value(
                    parent_type, source, field_details_list, path, position_context, plan
                )
                if completed is not _ORDINARY:
                    return completed
            else:
                try:
                    value = getattr(source, plan.attribute)
                    if value is None:
                        if not plan.non_null:
                            return None
                    else:
                        coerced = coerce(value)
                        if coerced is not None and coerced is not Undefined:
                            return coerced
                except Exception:  # noqa: S110 - the ordinary path below raises it, located
                    pass
        if self._resolved:
            resolved = self._resolved.pop((id(source), id(field_details_list)), None)
            if resolved is not None and resolved[0] is source:
                return self._complete_resolved(
                    field_details_list, path, position_context, *resolved[1:]
                )
        if isinstance(plan, DirectResolver) and self._direct_allowed:
            return self._call_direct(
                plan, parent_type, source, field_details_list, path, position_context
            )
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _refuse(
        self,
        parent_type: GraphQLObjectType,
        name: str,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> None:
        """A flag-gated field the caller may not read: null, and FORBIDDEN at its path."""
        refused = FieldRefused(self._nulled[parent_type.name, name])
        self.handle_field_error(refused, parent_type.fields[name].type, field_details_list, path)
        return None

    def _call_direct(
        self,
        direct: DirectResolver,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """``direct``'s resolver called as Strawberry's wrapper would call it (the source as
        ``self``, ``root`` or ``parent``, an ``Info``), its value completed by graphql-core."""
        converter = self._converter
        assert converter is not None
        resolve_info = self.build_resolve_info(
            direct.field, to_nodes(field_details_list), parent_type, path
        )
        info = converter.config.info_class(_raw_info=resolve_info, _field=direct.definition)
        kwargs: dict[str, Any] = dict.fromkeys(direct.source_names, source)
        if direct.info_name is not None:
            kwargs[direct.info_name] = info
        try:
            args = [source] if direct.takes_self else []
            value = direct.definition.get_result(source, info, args, kwargs)
        except Exception as error:  # completed below: raised there, located
            outcome = Outcome(None, error)
        else:
            if is_awaitable(value):
                return self._complete_awaited(
                    value, field_details_list, path, position_context, resolve_info
                )
            outcome = Outcome(value)
        return self._complete_resolved(
            field_details_list, path, position_context, outcome, resolve_info
        )

    async def _complete_awaited(
        self,
        awaitable: Awaitable[Any],
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
        resolve_info: GraphQLResolveInfo[Any],
    ) -> Any:
        """What a sync resolver handed back to await, awaited and then completed."""
        try:
            outcome = Outcome(await awaitable)
        except Exception as error:
            outcome = Outcome(None, error)
        completed = self._complete_resolved(
            field_details_list, path, position_context, outcome, resolve_info
        )
        if is_awaitable(completed):
            return await completed
        return completed

    def _complete_plain_value(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
        plain: PlainField,
    ) -> Any:
        """An object or list attribute, completed without a resolver call; anything unusual
        (a failing read, null on a non-null field, an awaitable): :data:`_ORDINARY`."""
        try:
            value = getattr(source, plain.attribute)
        except Exception:
            return _ORDINARY
        if value is None:
            return _ORDINARY if plain.non_null else None
        if is_awaitable(value):
            return _ORDINARY
        known = self._plain_infos.get(id(field_details_list))
        if known is None:
            field = parent_type.fields[field_details_list[0].node.name.value]
            info = self.build_resolve_info(field, to_nodes(field_details_list), parent_type, path)
            known = self._plain_infos[id(field_details_list)] = (field_details_list, info)
        return self._complete_resolved(
            field_details_list, path, position_context, Outcome(value), known[1]
        )

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


def _weakly(method: Callable[..., T]) -> Callable[..., T]:
    """``method``, holding its object weakly."""
    reference = WeakMethod(method)

    def call(*args: Any, **kwargs: Any) -> T:
        bound = reference()
        if bound is None:
            raise RuntimeError("the execution has ended")
        return bound(*args, **kwargs)

    return call


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
