"""Read plans: what a query document does, compiled once and run for every request sending it.

A plan is made per (document, operation, audience view, the fields the caller's capability
answers null, the values of the variables that feed ``@skip``/``@include``) after validation
and the field decisions (authz/checks.py), and kept in a bounded cache. It holds, per object
type a selection meets, the *steps* of its fields, fragments and directives already applied,
each with how its value is read and how that value is completed into the response:

- ``__typename``: the type's name;
- a refused flag-gated read (authz/checks.py ``nulled``): null, and FORBIDDEN at its path;
- a column: the attribute of the object its parent built from a row (plain fields), coerced by
  the field's scalar or enum;
- a computed field (schema/kit/declared.py ``computed``: a document's ``downloadUrl``, an
  edge's ``cursor``): a function of the object and the request's context, called directly;
- a related record or a child connection (schema/kit/batched.py ``related``, ``children``):
  loaded once per level for every object that asks, through the declaration's own statement;
- anything else with a resolver (root lookups and lists, a site's last revision): its
  Strawberry resolver, called with a resolve info as graphql-core would, permission classes
  and all; the calls of one level are driven side by side (schema/kit/together.py).

Queries and mutations (a mutation's root fields one after the other) and introspection
(graphql-core's own resolvers of ``__schema`` and ``__type``) all run through plans. Only what
no operation can run is left to Strawberry's executor (sportello/graphql_route.py): variables
that do not fit, a document without a choice of operation; graphql-core words their errors.
:func:`plan_for` answers None for those; the route counts each way (sportello/metrics.py
``EXECUTIONS``) and tests/api/examples/test_read_plans.py fails when a document of
graphql_examples/ or bench/workloads/ would not run through its plan.

The plan is run by schema/kit/reading.py.
"""

from __future__ import annotations

import dataclasses
import operator
from collections import OrderedDict
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLIncludeDirective,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLSkipDirective,
    GraphQLString,
    GraphQLUnionType,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    ValueNode,
    VariableNode,
    is_abstract_type,
    is_leaf_type,
)
from graphql.execution import (
    VariableValues,
    get_argument_values,
    get_directive_values,
    get_variable_values,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from schema.kit.declared import DECLARED, Declared
from schema.kit.permissions import own_extensions
from schema.kit.plans import plain_attribute
from schema.kit.relay import asks_total

# The root fields of introspection, answered by graphql-core's own resolvers.
INTROSPECTION = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}

# How a step reads its value.
TYPENAME, REFUSED, COLUMN, COMPUTED, LOADED, RESOLVED = range(6)


@dataclasses.dataclass(eq=False)
class Shape:
    """How a value is completed: a leaf coerced, an object selected, or a list of shapes."""

    non_null: bool
    coerce: Callable[[Any], Any] | None = None  # a leaf's
    # A leaf's usual values, answered without its coercion (schema/kit/filling.py): "str"
    # (String, ID), "bool", "int" (within 32 bits), "enum" (a member of ``enum``'s class, by
    # its name in ``enum``'s table), "datetime" (in UTC) and "date" (left for the response's
    # encoder, which writes them as the coercion would); "other" for a leaf whose coercion
    # is called for every value.
    leaf: str | None = None
    enum: tuple[type[Enum], dict[Any, Any]] | None = None
    item: Shape | None = None  # a list's
    object_type: GraphQLObjectType | None = None  # an object's; None for an abstract type
    abstract: GraphQLInterfaceType | GraphQLUnionType | None = None
    # The selection on the object (per concrete type for an abstract type), made on first use.
    selections: dict[str, Selection] = dataclasses.field(default_factory=dict)
    nodes: tuple[FieldNode, ...] = ()


@dataclasses.dataclass(eq=False)
class Step:
    """One response key of a selection: where its value comes from and how it is completed."""

    key: str
    name: str
    kind: int
    field: GraphQLField | None
    parent_type: GraphQLObjectType
    nodes: tuple[FieldNode, ...]
    shape: Shape | None
    attribute: str = ""
    computed: Callable[[Any, Any], Any] | None = None
    declared: Declared | None = None
    message: str = ""  # a refused read's error
    # Arguments without variables, found once (None: they read variables, found per request).
    arguments: dict[str, Any] | None = None
    asks_total: bool = False


@dataclasses.dataclass(eq=False)
class Selection:
    """The steps of one object type's selection, and the function filling them in
    (schema/kit/filling.py; made on first use)."""

    type_name: str
    steps: tuple[Step, ...]
    fill: Callable[[Any, Any, dict[str, Any], Any], None] | None = None


@dataclasses.dataclass(eq=False)
class Plan:
    """A compiled query: its root selection and what it needs to make the rest on first use."""

    schema: GraphQLSchema
    operation: OperationDefinitionNode
    fragments: Mapping[str, FragmentDefinitionNode]
    nulled: Mapping[tuple[str, str], str]
    # The values of the @skip/@include variables only (:func:`switches_only`).
    variables: VariableValues
    root: Selection
    # A mutation's root fields run one after the other, each with its whole selection.
    serial: bool = False

    def selection(self, shape: Shape, type_name: str) -> Selection:
        """The selection of ``shape``'s object of type ``type_name``, compiled once."""
        found = shape.selections.get(type_name)
        if found is None:
            object_type = self.schema.get_type(type_name)
            assert isinstance(object_type, GraphQLObjectType)
            sets = [node.selection_set for node in shape.nodes if node.selection_set]
            found = shape.selections[type_name] = compile_selection(self, object_type, sets)
        return found


def choose_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    """The operation a request runs, or None when graphql-core should say why there is none."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    for operation in operations:
        if operation.name is not None and operation.name.value == operation_name:
            return operation
    return None


def switch_variables(operation: OperationDefinitionNode, document: DocumentNode) -> frozenset[str]:
    """The variables ``@skip``/``@include`` read anywhere in the document."""
    names: set[str] = set()

    def walk(selection_set: SelectionSetNode | None) -> None:
        if selection_set is None:
            return
        for selection in selection_set.selections:
            for directive in selection.directives or ():
                for argument in directive.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        names.add(argument.value.name.value)
            if isinstance(selection, FieldNode | InlineFragmentNode):
                walk(selection.selection_set)

    walk(operation.selection_set)
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            walk(definition.selection_set)
    return frozenset(names)


def compile_plan(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    nulled: Mapping[tuple[str, str], str],
    variables: VariableValues,
) -> Plan | None:
    """The plan of a query or mutation ``operation`` (None: a subscription)."""
    root = ROOTS.get(operation.operation)
    root_type = None if root is None else root(schema)
    if root_type is None:
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    serial = operation.operation is OperationType.MUTATION
    plan = Plan(schema, operation, fragments, nulled, variables, Selection("", ()), serial)
    plan.root = compile_selection(plan, root_type, [operation.selection_set])
    return plan


# The root type of each kind of operation a plan runs.
ROOTS: dict[OperationType, Callable[[GraphQLSchema], GraphQLObjectType | None]] = {
    OperationType.QUERY: lambda schema: schema.query_type,
    OperationType.MUTATION: lambda schema: schema.mutation_type,
}


def compile_selection(
    plan: Plan, object_type: GraphQLObjectType, selection_sets: list[SelectionSetNode]
) -> Selection:
    grouped: dict[str, list[FieldNode]] = {}
    for selection_set in selection_sets:
        _collect(plan, object_type, selection_set, grouped, set())
    steps = tuple(_step(plan, object_type, key, tuple(nodes)) for key, nodes in grouped.items())
    return Selection(object_type.name, steps)


def _included(plan: Plan, node: Any) -> bool:
    if not node.directives:
        return True
    skip = get_directive_values(GraphQLSkipDirective, node, plan.variables)
    if skip is not None and skip["if"] is True:
        return False
    include = get_directive_values(GraphQLIncludeDirective, node, plan.variables)
    return include is None or include["if"] is not False


def _applies(plan: Plan, condition: Any, object_type: GraphQLObjectType) -> bool:
    if condition is None:
        return True
    named = plan.schema.get_type(condition.name.value)
    if named is object_type:
        return True
    return is_abstract_type(named) and plan.schema.is_sub_type(named, object_type)


def _collect(
    plan: Plan,
    object_type: GraphQLObjectType,
    selection_set: SelectionSetNode,
    grouped: dict[str, list[FieldNode]],
    visited: set[str],
) -> None:
    """graphql-core's field collection: the fields of ``selection_set`` on ``object_type``,
    by response key, through fragments whose type applies and directives that keep them."""
    for selection in selection_set.selections:
        if not _included(plan, selection):
            continue
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            grouped.setdefault(key, []).append(selection)
        elif isinstance(selection, InlineFragmentNode):
            if _applies(plan, selection.type_condition, object_type):
                _collect(plan, object_type, selection.selection_set, grouped, visited)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = plan.fragments.get(name)
            if name in visited or fragment is None:
                continue
            visited.add(name)
            if _applies(plan, fragment.type_condition, object_type):
                _collect(plan, object_type, fragment.selection_set, grouped, visited)


def _step(plan: Plan, parent: GraphQLObjectType, key: str, nodes: tuple[FieldNode, ...]) -> Step:
    name = nodes[0].name.value
    if name == "__typename":
        return Step(key, name, TYPENAME, None, parent, nodes, None)
    field = INTROSPECTION.get(name) if parent is plan.schema.query_type else None
    field = field or parent.fields[name]
    shape = _shape(field.type, nodes)
    message = plan.nulled.get((parent.name, name))
    if message is not None:
        return Step(key, name, REFUSED, field, parent, nodes, shape, message=message)
    step = Step(key, name, RESOLVED, field, parent, nodes, shape)
    if not any(reads_variables(argument.value) for argument in nodes[0].arguments or ()):
        step.arguments = get_argument_values(field, nodes[0], plan.variables)
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    declared = (
        definition.metadata.get(DECLARED)
        if isinstance(definition, StrawberryField) and not own_extensions(definition)
        else None
    )
    if declared is not None:
        if declared.computed is not None:
            step.kind, step.computed = COMPUTED, declared.computed
        else:
            step.kind, step.declared = LOADED, declared
            step.asks_total = asks_total(nodes, plan.fragments)
        return step
    attribute = plain_attribute(field)
    if attribute is not None:
        step.kind, step.attribute = COLUMN, attribute
    return step


def reads_variables(value: ValueNode) -> bool:
    """Whether an argument's value reads a variable anywhere: itself, or inside a list or an
    input object (``input: {on: $on}``). Only values that read none are found once per plan."""
    if isinstance(value, VariableNode):
        return True
    if isinstance(value, ListValueNode):
        return any(reads_variables(item) for item in value.values)
    if isinstance(value, ObjectValueNode):
        return any(reads_variables(field.value) for field in value.fields)
    return False


def _shape(graphql_type: GraphQLOutputType, nodes: tuple[FieldNode, ...]) -> Shape:
    non_null = isinstance(graphql_type, GraphQLNonNull)
    named = graphql_type.of_type if non_null else graphql_type  # type: ignore[union-attr]
    if isinstance(named, GraphQLList):
        return Shape(non_null, item=_shape(named.of_type, nodes), nodes=nodes)
    if is_leaf_type(named):
        return _leaf(non_null, named, nodes)
    if isinstance(named, GraphQLObjectType):
        return Shape(non_null, object_type=named, nodes=nodes)
    assert isinstance(named, GraphQLInterfaceType | GraphQLUnionType)
    return Shape(non_null, abstract=named, nodes=nodes)


def _leaf(non_null: bool, leaf: Any, nodes: tuple[FieldNode, ...]) -> Shape:
    """A leaf's shape: its output coercion, with what it would answer found without calling
    it for the values most leaves hold: a string (String, ID), a bool (Boolean), an int within
    32 bits (Int), a member of the enum's Python class (its name, asked of the coercion once
    per member)."""
    coerce = leaf.coerce_output_value
    shape = Shape(non_null, nodes=nodes, leaf="other", coerce=coerce)
    if leaf is GraphQLString or leaf is GraphQLID:

        def text(value: Any) -> Any:
            return value if type(value) is str else coerce(value)

        shape.leaf, shape.coerce = "str", text
    elif leaf is GraphQLBoolean:

        def truth(value: Any) -> Any:
            return value if type(value) is bool else coerce(value)

        shape.leaf, shape.coerce = "bool", truth
    elif leaf is GraphQLInt:

        def number(value: Any) -> Any:
            return value if type(value) is int and _INT_MIN <= value <= _INT_MAX else coerce(value)

        shape.leaf, shape.coerce = "int", number
    else:
        members = getattr(leaf, "wrapped_cls", None)
        if (
            isinstance(leaf, GraphQLEnumType)
            and isinstance(members, type)
            and issubclass(members, Enum)
        ):
            names = {member: coerce(member) for member in members}

            def name(value: Any) -> Any:
                found = names.get(value) if type(value) is members else None
                return coerce(value) if found is None else found

            shape.leaf, shape.coerce, shape.enum = "enum", name, (members, names)
        # A methodcaller has no equality of its own: the same call has the same repr.
        elif leaf.name in _ISOFORMAT and repr(leaf.serialize) == repr(_ISOFORMAT_CALL):
            shape.leaf = leaf.name.lower()
    return shape


# Strawberry's DateTime and Date write a value by its isoformat(); orjson, the response's
# encoder (sportello/graphql_request.py), writes the same text for a datetime in UTC and for a
# date: those are left in the response as they are.
_ISOFORMAT = frozenset({"DateTime", "Date"})
_ISOFORMAT_CALL = operator.methodcaller("isoformat")


# GraphQL's Int: a signed 32-bit integer.
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


# Plans by (document text, operation name, view, nulled fields, @skip/@include values).
MAX_PLANS = 512
_PLANS: OrderedDict[tuple[Any, ...], Plan | None] = OrderedDict()
_SWITCHES: dict[tuple[str, str | None], frozenset[str]] = {}


def plan_for(
    schema: GraphQLSchema,
    query: str,
    document: DocumentNode,
    operation_name: str | None,
    nulled: Mapping[tuple[str, str], str],
    variables: dict[str, Any] | None,
) -> tuple[Plan, VariableValues] | None:
    """The plan of a validated document for this request, with its coerced variables; None
    when the request runs through Strawberry (see the module)."""
    operation = choose_operation(document, operation_name)
    if operation is None or operation.operation not in ROOTS:
        return None
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), variables or {}, hide_suggestions=True
    )
    if isinstance(coerced, list):
        return None
    switches = _SWITCHES.get((query, operation_name))
    if switches is None:
        if len(_SWITCHES) >= MAX_PLANS:
            _SWITCHES.clear()
        switches = _SWITCHES[query, operation_name] = switch_variables(operation, document)
    values = tuple(coerced.coerced.get(name) for name in sorted(switches))
    key = (query, operation_name, schema, frozenset(nulled.items()), values)
    if key in _PLANS:
        _PLANS.move_to_end(key)
        plan = _PLANS[key]
    else:
        kept = switches_only(coerced, switches)
        plan = _PLANS[key] = compile_plan(schema, document, operation, nulled, kept)
        if len(_PLANS) > MAX_PLANS:
            _PLANS.popitem(last=False)
    return None if plan is None else (plan, coerced)


def switches_only(coerced: VariableValues, switches: frozenset[str]) -> VariableValues:
    """The values of the ``@skip``/``@include`` variables alone: what a cached plan keeps of
    the request that compiled it. The others vary per request (a login's password among them)
    and are read from each request's own variables, never from the cache."""
    return VariableValues(
        {name: source for name, source in coerced.sources.items() if name in switches},
        {name: value for name, value in coerced.coerced.items() if name in switches},
    )
