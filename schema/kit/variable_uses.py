"""The spec's three rules on variables, checked on the validation's own walk.

graphql-core's ``NoUndefinedVariablesRule``, ``NoUnusedVariablesRule`` and
``VariablesInAllowedPositionRule`` ask the validation context for the variable usages of each
operation, and the context finds them in a second walk of the operation and of every fragment
it spreads, tracking the schema's types again and keying its caches by nodes (a node's hash
hashes its whole subtree). On the portal dashboard that was about 2 ms of a 5 ms validation
(bench/documents.py). :class:`VariableUses` takes each use as the validation's one walk passes
it, with what graphql-core's second walk would have recorded (the input type of the position,
the input type around it, whether the position has a default value), and reports the three
rules' errors, worded and located as graphql-core words and locates them, when the walk leaves
the document: by then every fragment an operation spreads has been walked, wherever it stands
in the text.

Two differences, neither visible to a client:

- the errors come after the other rules' errors of the document instead of at their
  operation; a client is answered the first error only (schema/kit/limits.py ``MAX_ERRORS``),
  so a document with two different mistakes may name another one first;
- graphql-core's experimental fragment arguments are not supported: the documents are parsed
  without them (sportello/graphql_documents.py), so every use belongs to an operation.

tests/sportello/test_variable_uses.py compares the errors with graphql-core's three rules on the
examples, the workloads and their variants with each kind of mistake.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from graphql import (
    SKIP,
    ArgumentNode,
    FragmentDefinitionNode,
    GraphQLArgument,
    GraphQLError,
    GraphQLInputField,
    GraphQLInputType,
    GraphQLSchema,
    GraphQLType,
    NoUndefinedVariablesRule,
    NoUnusedVariablesRule,
    NullValueNode,
    ObjectFieldNode,
    OperationDefinitionNode,
    Undefined,
    ValidationContext,
    ValidationRule,
    ValueNode,
    VariableNode,
    VariablesInAllowedPositionRule,
    get_named_type,
    is_input_object_type,
    is_non_null_type,
    is_nullable_type,
    is_type_sub_type_of,
    type_from_ast,
)

# What VariableUses checks in their place.
REPLACED_RULES = (NoUndefinedVariablesRule, NoUnusedVariablesRule, VariablesInAllowedPositionRule)


@dataclasses.dataclass(frozen=True, slots=True)
class Use:
    """One variable in a value of the document, as graphql-core's usage walk records it."""

    node: VariableNode
    # The input type expected where the variable stands (None where the schema knows none).
    type: GraphQLInputType | None
    # The input type of the value around it (an input object for one of its fields).
    parent_type: GraphQLInputType | None
    # The argument or input field it is given to declares a default value.
    position_has_default: bool


def declares_default(definition: GraphQLArgument | GraphQLInputField) -> bool:
    """An argument or input field with a default (graphql-core keeps it in either attribute)."""
    return definition.default is not None or definition.default_value is not Undefined


class VariableUses(ValidationRule):
    """Undefined, unused and misplaced variables of each operation (see the module doc)."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.operations: list[tuple[OperationDefinitionNode, list[Use]]] = []
        # By the identity of the fragment's definition (two may share a name: another rule's
        # error; graphql-core spreads the last one, as get_recursively_referenced_fragments).
        self.fragments: dict[int, list[Use]] = {}
        self.uses: list[Use] = []

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        self.uses = []
        self.operations.append((node, self.uses))

    def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: Any) -> None:
        self.uses = self.fragments[id(node)] = []

    def enter_variable_definition(self, *_: Any) -> object:
        """A definition's own ``$name`` is no use of the variable."""
        return SKIP

    def enter_variable(self, node: VariableNode, _key: Any, parent: Any, *_: Any) -> None:
        context = self.context
        parent_type = context.get_parent_input_type()
        self.uses.append(
            Use(node, context.get_input_type(), parent_type, self.has_default(parent, parent_type))
        )

    def has_default(self, parent: Any, parent_type: GraphQLInputType | None) -> bool:
        """Whether the position holding the variable has a default value: the argument's or
        the input field's declared default; an item of a list has none."""
        if isinstance(parent, ArgumentNode):
            argument = self.context.get_argument()
            return argument is not None and declares_default(argument)
        if isinstance(parent, ObjectFieldNode):
            holder = get_named_type(parent_type)
            if is_input_object_type(holder):
                field = holder.fields.get(parent.name.value)
                return field is not None and declares_default(field)
        return False

    def leave_document(self, *_: Any) -> None:
        referenced = self.context.get_recursively_referenced_fragments
        for operation, own in self.operations:
            uses = [*own]
            for fragment in referenced(operation):
                uses.extend(self.fragments.get(id(fragment), ()))
            self.check(operation, uses)

    def check(self, operation: OperationDefinitionNode, uses: list[Use]) -> None:
        """graphql-core's three rules, in their order, for one operation and its uses."""
        definitions = {d.variable.name.value: d for d in operation.variable_definitions or ()}
        name = operation.name
        for use in uses:
            variable = use.node.name.value
            if variable not in definitions:
                by = f" by operation '{name.value}'" if name else ""
                self.report_error(
                    GraphQLError(
                        f"Variable '${variable}' is not defined{by}.", [use.node, operation]
                    )
                )
        used = {use.node.name.value for use in uses}
        for definition in operation.variable_definitions or ():
            variable = definition.variable.name.value
            if variable not in used:
                within = f" in operation '{name.value}'" if name else ""
                self.report_error(
                    GraphQLError(f"Variable '${variable}' is never used{within}.", definition)
                )
        schema = self.context.schema
        for use in uses:
            variable = use.node.name.value
            declared = definitions.get(variable)
            if declared is None or use.type is None:
                continue
            variable_type = type_from_ast(schema, declared.type)
            if variable_type is None:
                continue
            if not allowed_in_position(
                schema, variable_type, declared.default_value, use.type, use.position_has_default
            ):
                self.report_error(
                    GraphQLError(
                        f"Variable '${variable}' of type '{variable_type}' used"
                        f" in position expecting type '{use.type}'.",
                        [declared, use.node],
                    )
                )
            parent_type = use.parent_type
            if (
                is_input_object_type(parent_type)
                and parent_type.is_one_of
                and is_nullable_type(variable_type)
            ):
                self.report_error(
                    GraphQLError(
                        f"Variable '${variable}' is of type '{variable_type}'"
                        " but must be non-nullable to be used for OneOf"
                        f" Input Object '{parent_type}'.",
                        [declared, use.node],
                    )
                )


def allowed_in_position(
    schema: GraphQLSchema,
    variable_type: GraphQLType,
    variable_default: ValueNode | None,
    position_type: GraphQLType,
    position_has_default: bool,
) -> bool:
    """The spec's "Is Variable Usage Allowed": the variable's type is the position's or
    stricter; a nullable variable may stand where a non-null value is expected when the
    variable or the position has a default that is not null."""
    if is_non_null_type(position_type) and not is_non_null_type(variable_type):
        variable_has_default = variable_default is not None and not isinstance(
            variable_default, NullValueNode
        )
        if not variable_has_default and not position_has_default:
            return False
        return is_type_sub_type_of(schema, variable_type, position_type.of_type)
    return is_type_sub_type_of(schema, variable_type, position_type)
