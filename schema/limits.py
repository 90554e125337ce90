"""Limits that stop a document before it costs anything: depth, aliases, directives, cost.

Defaults follow GraphQL Armor's spirit, loosened where Sportello's own documents need it
(the portal dashboard is nine levels deep through connections):

- depth: at most ``MAX_DEPTH`` nested selections; ``ofType`` does not count, so introspection
  of one's own view works while circular introspection (``fields { type { fields ...``) stops;
- aliases: at most ``MAX_ALIASES`` per document (20 aliased logins are 20 guesses);
- directives: at most ``MAX_DIRECTIVES`` per document;
- tokens: at most ``MAX_TOKENS`` (enforced by the parser, sportello/graphql_route.py);
- cost: each object field costs 1 and a field with ``first``/``last`` multiplies the cost of
  its subtree by that number (``DEFAULT_PAGE`` when absent on a paginated field); at most
  ``MAX_COST``. Cost depends on variables, so it is computed per request after validation.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    value_from_ast_untyped,
)

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_DIRECTIVES = 30
MAX_TOKENS = 2000
MAX_COST = 20_000
DEFAULT_PAGE = 50
PAGE_ARGUMENTS = ("first", "last")


def _limit_error(message: str, node: Any) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": "QUERY_TOO_COMPLEX"})


class DepthLimit(ValidationRule):
    """Refuses documents nested deeper than MAX_DEPTH, following fragment spreads."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        fragments = {
            d.name.value: d
            for d in self.context.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        depth = _depth(node.selection_set, fragments, 0, frozenset())
        if depth > MAX_DEPTH:
            self.report_error(
                _limit_error(f"The query is nested too deeply (limit {MAX_DEPTH}).", node)
            )


def _depth(
    selections: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    level: int,
    seen: frozenset[str],
) -> int:
    if selections is None or level > MAX_DEPTH:
        return level
    deepest = level
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            step = 0 if selection.name.value == "ofType" else 1
            deepest = max(deepest, _depth(selection.selection_set, fragments, level + step, seen))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, level, seen))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:  # cycles are another rule's error
                deepest = max(
                    deepest, _depth(fragment.selection_set, fragments, level, seen | {name})
                )
    return deepest


class AliasLimit(ValidationRule):
    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.count = 0

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.alias is not None:
            self.count += 1
            if self.count == MAX_ALIASES + 1:
                self.report_error(_limit_error(f"Too many aliases (limit {MAX_ALIASES}).", node))


class DirectiveLimit(ValidationRule):
    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.count = 0

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        self.count += 1
        if self.count == MAX_DIRECTIVES + 1:
            self.report_error(_limit_error(f"Too many directives (limit {MAX_DIRECTIVES}).", node))


LIMIT_RULES = (DepthLimit, AliasLimit, DirectiveLimit)


def query_cost(
    document: DocumentNode, operation_name: str | None, variables: dict[str, Any] | None
) -> int:
    """The cost of the operation that will run, with its variables (see the module doc)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next(
        (
            o
            for o in operations
            if operation_name is None or (o.name and o.name.value == operation_name)
        ),
        None,
    )
    if chosen is None:
        return 0
    return _cost(chosen.selection_set, fragments, variables or {}, frozenset())


def _multiplier(field: FieldNode, variables: dict[str, Any]) -> int:
    for argument in field.arguments or ():
        if argument.name.value in PAGE_ARGUMENTS:
            value = (
                variables.get(argument.value.name.value)
                if isinstance(argument.value, VariableNode)
                else value_from_ast_untyped(argument.value)
            )
            return max(1, value) if isinstance(value, int) else DEFAULT_PAGE
    return 1


def _cost(
    selections: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    seen: frozenset[str],
) -> int:
    if selections is None:
        return 0
    total = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            if selection.selection_set is None:
                continue
            inner = _cost(selection.selection_set, fragments, variables, seen)
            total += 1 + _multiplier(selection, variables) * inner
        elif isinstance(selection, InlineFragmentNode):
            total += _cost(selection.selection_set, fragments, variables, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                total += _cost(fragment.selection_set, fragments, variables, seen | {name})
        if total > MAX_COST:
            return total
    return total
