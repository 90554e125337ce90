"""Running a read plan (schema/kit/read_plans.py): the response built directly from the rows.

Each selection's fields of an object are filled by a function made for that selection
(schema/kit/filling.py); what it does not answer itself comes back to the methods here. The
root selection is completed first; every field whose value must be waited for (a related
record, a child connection, a resolver's coroutine) is put on the next *level* with the
object it belongs to. A level's loads run once for every object asking (one statement per
field and level, not one per object) and its resolvers' coroutines are driven side by side
(schema/kit/together.py); their values are completed into the response, which adds the next
level, until none is left. The rows of a level give the keys of the next, and the statements a
level of several loads asks in one round are sent to the database as one (db/kept.py
``together``).

What the GraphQL specification asks of an executor holds: a ``null`` (or an error) in a
non-null position nulls the nearest nullable position above it, each error carries the path
and nodes of the field (or list item) it happened at, and is masked by the route like any
other; an object nulled this way stops waiting for its own pending fields. Each position
that can be nulled after its object was built keeps a :class:`Slot`: its container, key,
whether it may be null and the slot above it. The slots above a position spell its path,
which is made only when an error needs it (or a resolver its ``info.path``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    GraphQLSchema,
    Undefined,
    located_error,
)
from graphql.execution import VariableValues, get_argument_values
from graphql.pyutils import Path
from strawberry.schema.schema_converter import GraphQLCoreConverter

from db import kept
from schema.kit.filling import compile_fill
from schema.kit.plans import is_awaitable
from schema.kit.read_plans import (
    COMPUTED,
    Plan,
    Selection,
    Shape,
    Step,
)
from schema.kit.together import Outcome, run_together


class _Null(Exception):
    """A non-null position got null; its error is recorded. The nearest nullable position
    above it becomes null."""


class Slot:
    """A position of the response that may be nulled after it was filled."""

    __slots__ = ("container", "dead", "key", "nullable", "owner")

    def __init__(self, container: Any, key: Any, nullable: bool, owner: Slot | None) -> None:
        self.container = container
        self.key = key
        self.nullable = nullable
        self.owner = owner
        self.dead = False


class Pending(NamedTuple):
    """A field of an object waiting for the next level: a load, or an awaitable value."""

    step: Step
    source: Any
    result: dict[str, Any]
    slot: Slot  # the object's
    awaitable: Any = None


async def _gather(awaitables: Any) -> list[Any]:
    return [outcome.value for outcome in await run_together(list(awaitables))]


def _track(_: Any) -> None:
    return None


# What graphql-core gives resolvers to gather and track work of their own (none of ours do).
HELPERS = GraphQLResolveInfoHelpers(gather=_gather, track=_track)


async def read(plan: Plan, variables: VariableValues, context: Any) -> ExecutionResult:
    """The response of ``plan`` for one request."""
    return await Reading(plan, variables, context).run()


class Reading:
    """One request's run of a plan."""

    def __init__(self, plan: Plan, variables: VariableValues, context: Any) -> None:
        self.plan = plan
        self.variables = variables
        self.context = context
        self.errors: list[GraphQLError] = []
        self.level: list[Pending] = []
        self.arguments: dict[int, dict[str, Any]] = {}

    async def run(self) -> ExecutionResult:
        data: dict[str, Any] = {}
        root = Slot(None, None, False, None)
        selection = self.plan.root
        # A mutation's fields one after the other (each with its whole selection), a query's
        # all together.
        parts = (
            [Selection(selection.type_name, (step,)) for step in selection.steps]
            if self.plan.serial
            else [selection]
        )
        for part in parts:
            try:
                self.fields(part, None, data, root)
            except _Null:
                return ExecutionResult(None, self.errors)
            while self.level:
                level, self.level = self.level, []
                await self.resolve(level)
            if root.dead:
                return ExecutionResult(None, self.errors)
        return ExecutionResult(data, self.errors or None)

    # -- one object's fields ------------------------------------------------------------------

    def fields(
        self,
        selection: Selection,
        source: Any,
        result: dict[str, Any],
        slot: Slot,
    ) -> None:
        """The fields of ``selection`` of ``source`` into ``result``, by the selection's own
        function (schema/kit/filling.py)."""
        fill = selection.fill
        if fill is None:
            fill = selection.fill = compile_fill(selection, self.plan.selection, Pending)
        fill(self, source, result, slot)

    def one(
        self, step: Step, selection: Selection, value: Any, result: dict[str, Any], slot: Slot
    ) -> Any:
        """An object of ``selection``'s type at the field (as :meth:`settled` completes it)."""
        if value is None:
            return self.settled(step, value, result, slot)
        non_null = step.shape.non_null  # type: ignore[union-attr]
        here = Slot(result, step.key, not non_null, slot)
        data: dict[str, Any] = {}
        try:
            self.fields(selection, value, data, here)
        except _Null:
            here.dead = True
            if non_null:
                raise
            return None
        return data

    def objects(
        self, step: Step, selection: Selection, value: Any, result: dict[str, Any], slot: Slot
    ) -> Any:
        """A list of objects of ``selection``'s type at the field (as :meth:`settled`
        completes it)."""
        if type(value) is not list:
            return self.settled(step, value, result, slot)
        shape = step.shape
        assert shape is not None
        item = shape.item
        assert item is not None
        here = Slot(result, step.key, not shape.non_null, slot)
        nullable = not item.non_null
        completed: list[Any] = []
        fields = self.fields
        try:
            for index, element in enumerate(value):
                at = Slot(completed, index, nullable, here)
                completed.append(None)
                try:
                    if element is None:  # its error, or null
                        completed[index] = self.complete(item, step, element, at)
                        continue
                    data: dict[str, Any] = {}
                    try:
                        fields(selection, element, data, at)
                    except _Null:
                        at.dead = True
                        raise
                    completed[index] = data
                except _Null:
                    if not nullable:
                        raise
        except _Null:
            here.dead = True
            if shape.non_null:
                raise
            return None
        return completed

    def column(self, step: Step, value: Any, result: dict[str, Any], slot: Slot) -> Any:
        """A column's ``value`` completed at its field (what the selection's function does
        not answer itself)."""
        coerce = step.shape.coerce  # type: ignore[union-attr]
        if coerce is not None and value is not None:
            try:
                coerced = coerce(value)
            except Exception as error:
                return self.failed(step, error, slot)
            if coerced is not None and coerced is not Undefined:
                return coerced
        return self.settled(step, value, result, slot)

    def other(self, step: Step, source: Any, result: dict[str, Any], slot: Slot) -> None:
        """A computed field or a resolver's: its value, or its awaitable on the next level."""
        try:
            if step.kind == COMPUTED:
                value = step.computed(source, self.context)  # type: ignore[misc]
            else:
                value = self.call(step, source, slot)
        except Exception as error:
            result[step.key] = self.failed(step, error, slot)
            return
        if is_awaitable(value):
            result[step.key] = None
            self.level.append(Pending(step, source, result, slot, value))
        else:
            result[step.key] = self.settled(step, value, result, slot)

    def call(self, step: Step, source: Any, slot: Slot) -> Any:
        """The field's resolver (Strawberry's, permission classes and all), as graphql-core
        calls it."""
        field = step.field
        assert field is not None
        assert field.resolve is not None
        info = GraphQLResolveInfo(
            step.name,
            list(step.nodes),
            field.type,
            step.parent_type,
            _path(slot, step),
            self.plan.schema,
            dict(self.plan.fragments),
            None,
            self.plan.operation,
            # Resolvers get the coerced values as a dict, as from Strawberry's executor.
            self.variables.coerced,  # type: ignore[arg-type]
            self.context,
            is_awaitable,
            None,
            HELPERS,
        )
        return field.resolve(source, info, **self.arguments_of(step))

    def arguments_of(self, step: Step) -> dict[str, Any]:
        if step.arguments is not None:
            return step.arguments
        found = self.arguments.get(id(step))
        if found is None:
            assert step.field is not None
            found = self.arguments[id(step)] = get_argument_values(
                step.field, step.nodes[0], self.variables
            )
        return found

    def failed(self, step: Step, error: Exception, slot: Slot) -> Any:
        """A field of the object at ``slot`` that raised: its error at its path, and null
        (or its object's null)."""
        self.located(error, step, [*_keys(slot), step.key])
        if step.shape is not None and step.shape.non_null:
            raise _Null
        return None

    def located(self, error: Exception, step: Step, path: list[str | int]) -> None:
        self.errors.append(located_error(error, list(step.nodes), path))

    def settled(self, step: Step, value: Any, result: dict[str, Any], slot: Slot) -> Any:
        """``value`` completed at the field; null when the field may be null and failed."""
        shape = step.shape
        assert shape is not None
        if value is not None:
            if shape.object_type is not None:
                selection = self.plan.selection(shape, shape.object_type.name)
                return self.one(step, selection, value, result, slot)
            item = shape.item
            if item is not None and item.object_type is not None and type(value) is list:
                selection = self.plan.selection(item, item.object_type.name)
                return self.objects(step, selection, value, result, slot)
        here = Slot(result, step.key, not shape.non_null, slot)
        try:
            return self.complete(shape, step, value, here)
        except _Null:
            if shape.non_null:
                raise
            return None

    # -- completion ---------------------------------------------------------------------------

    def complete(self, shape: Shape, step: Step, value: Any, slot: Slot) -> Any:
        """``value`` completed for the position of ``slot`` (of ``shape``); raises
        :class:`_Null` (its error recorded) when the position may not be null and cannot hold
        a value."""
        if value is None:
            if shape.non_null:
                message = f"Cannot return null for non-nullable field {_named(step)}."
                self.located(TypeError(message), step, _keys(slot))
                raise _Null
            return None
        try:
            if shape.coerce is not None:
                coerced = shape.coerce(value)
                if coerced is None or coerced is Undefined:
                    raise TypeError(f"Expected a value for {_named(step)}, got: {value!r}.")
                return coerced
            if shape.item is not None:
                return self.complete_list(shape.item, step, value, slot)
        except _Null:
            raise
        except Exception as error:
            self.located(error, step, _keys(slot))
            if shape.non_null:
                raise _Null from None
            return None
        return self.complete_object(shape, step, value, slot)

    def complete_list(self, item: Shape, step: Step, value: Any, slot: Slot) -> Any:
        if not isinstance(value, Iterable) or isinstance(value, str | bytes | Mapping):
            raise GraphQLError(
                f"Expected Iterable, but did not find one for field '{_named(step)}'."
            )
        completed: list[Any] = []
        nullable = not item.non_null
        try:
            for index, element in enumerate(value):
                here = Slot(completed, index, nullable, slot)
                completed.append(None)
                try:
                    completed[index] = self.complete(item, step, element, here)
                except _Null:
                    if not nullable:
                        raise
        except _Null:
            slot.dead = True
            raise
        return completed

    def complete_object(self, shape: Shape, step: Step, value: Any, slot: Slot) -> dict[str, Any]:
        object_type = shape.object_type or runtime_type(self.plan.schema, value)
        selection = self.plan.selection(shape, object_type.name)
        result: dict[str, Any] = {}
        try:
            self.fields(selection, value, result, slot)
        except _Null:
            slot.dead = True
            raise
        return result

    # -- a level of pending fields ------------------------------------------------------------

    async def resolve(self, level: list[Pending]) -> None:
        """Load each field of ``level`` once for all its objects, drive the awaitable values
        together, then complete every value into its object."""
        loads: dict[int, list[Pending]] = {}
        waits: list[Pending] = []
        for pending in level:
            if not _alive(pending.slot):
                continue
            if pending.awaitable is None:
                loads.setdefault(id(pending.step), []).append(pending)
            else:
                waits.append(pending)
        batches = list(loads.values())
        awaitables = [self.load(batch) for batch in batches]
        awaitables.extend(pending.awaitable for pending in waits)
        # The statements of a level of several loads asked in one round go to the database as
        # one (db/kept.py); a smaller level's go alone, without waiting a round for others,
        # as do those of a context without a connection (the executor's own tests).
        several = len(awaitables) >= kept.TOGETHER_FROM
        with kept.together(getattr(self.context, "db", None) if several else None):
            outcomes = await _outcomes(awaitables)
        for batch, outcome in zip(batches, outcomes, strict=False):
            for pending, value in zip(batch, _per_source(outcome, len(batch)), strict=True):
                self.deliver(pending, value)
        for pending, outcome in zip(waits, outcomes[len(batches) :], strict=True):
            self.deliver(pending, outcome)

    def load(self, batch: list[Pending]) -> Any:
        step = batch[0].step
        assert step.declared is not None
        sources = [pending.source for pending in batch]
        return step.declared.load(self.context, sources, self.arguments_of(step), step.asks_total)

    def deliver(self, pending: Pending, outcome: Outcome) -> None:
        """A pending field's value completed into its object (or its error located there);
        a null it may not take nulls its object's nearest nullable position."""
        step, result = pending.step, pending.result
        try:
            if outcome.error is not None:
                result[step.key] = self.failed(step, outcome.error, pending.slot)
            else:
                result[step.key] = self.settled(step, outcome.value, result, pending.slot)
        except _Null:
            _nulled(pending.slot)


async def _outcomes(awaitables: list[Any]) -> list[Outcome]:
    """Each awaitable's outcome; one alone is simply awaited."""
    if len(awaitables) != 1:
        return await run_together(awaitables)
    try:
        return [Outcome(await awaitables[0])]
    except Exception as error:
        return [Outcome(None, error)]


def _per_source(outcome: Outcome, count: int) -> list[Outcome]:
    if outcome.error is not None:
        return [outcome] * count
    values = outcome.value
    if len(values) != count:
        error = ValueError(f"a load gave {len(values)} values for {count} objects")
        return [Outcome(None, error)] * count
    return [Outcome(value) for value in values]


def _alive(slot: Slot | None) -> bool:
    while slot is not None:
        if slot.dead:
            return False
        slot = slot.owner
    return True


def _nulled(slot: Slot | None) -> None:
    """The object of ``slot`` cannot be answered: null it, or the nearest nullable position
    above it (the whole data at the root)."""
    while slot is not None:
        slot.dead = True
        if slot.nullable:
            slot.container[slot.key] = None
            return
        slot = slot.owner


def _keys(slot: Slot) -> list[str | int]:
    """The path of the position at ``slot``: the keys of the slots above it, the root's
    (which has no owner) left out."""
    keys: list[str | int] = []
    while slot.owner is not None:
        keys.append(slot.key)
        slot = slot.owner
    keys.reverse()
    return keys


def _path(slot: Slot, step: Step) -> Path:
    """graphql-core's path of the field ``step`` of the object at ``slot``, for a resolver's
    ``info.path``."""
    path: Path | None = None
    for key in _keys(slot):
        path = Path(path, key, None)
    return Path(path, step.key, step.parent_type.name)


def _named(step: Step) -> str:
    return f"{step.parent_type.name}.{step.name}"


# Per schema: the object type of each Python class (an abstract field's runtime type).
_TYPES: WeakKeyDictionary[GraphQLSchema, dict[type, GraphQLObjectType]] = WeakKeyDictionary()


def runtime_type(schema: GraphQLSchema, value: Any) -> GraphQLObjectType:
    """The object type ``value`` is, for a field of an interface or a union."""
    types = _TYPES.get(schema)
    if types is None:
        types = _TYPES[schema] = {}
        for graphql_type in schema.type_map.values():
            if isinstance(graphql_type, GraphQLObjectType):
                definition = graphql_type.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
                origin = getattr(definition, "origin", None)
                if isinstance(origin, type):
                    types[origin] = graphql_type
    found = types.get(type(value))
    if found is None:
        raise GraphQLError(f"No object type of this schema is {type(value).__name__}.")
    return found
