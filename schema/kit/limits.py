"""Limits that stop a document before it costs anything: depth, aliases, directives, cost.

Defaults follow GraphQL Armor's spirit, loosened where Sportello's own documents need it
(the portal dashboard is nine levels deep through connections):

- depth: at most ``MAX_DEPTH`` nested selections; ``ofType`` does not count, so introspection
  of one's own view works while circular introspection (``fields { type { fields ...``) stops;
- size: at most ``MAX_FIELDS`` fields once fragments are expanded, each fragment measured
  once, so fragments spreading each other twice cannot explode;
- aliases: at most ``MAX_ALIASES`` per document (20 aliased logins are 20 guesses);
- directives: at most ``MAX_DIRECTIVES`` per document;
- tokens: at most ``MAX_TOKENS`` (enforced by the parser, sportello/graphql_route.py);
- anonymous documents: at most ``ANONYMOUS_MAX_CHARS`` characters and ``ANONYMOUS_MAX_TOKENS``
  tokens, and only the public view's root fields (sportello/admission.py). The public
  operations (log in, accept an invitation, reset a password, the login page's branding) are
  a few dozen tokens; anything bigger is refused before it is parsed, so a caller who has not
  said who it is cannot make the server parse and validate 2,000 tokens;
- errors: validation stops at the first error and answers one generic error past it
  (``MAX_ERRORS``), so no answer enumerates a document's problems one by one;
- cost: each object field costs 1 and a field with ``first``/``last`` multiplies the cost of
  its subtree by that number (``DEFAULT_PAGE`` when absent on a paginated field); at most
  ``MAX_COST``. Cost depends on variables, so it is computed per request after validation.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ArgumentNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    value_from_ast_untyped,
)

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_DIRECTIVES = 30
MAX_TOKENS = 2000
ANONYMOUS_MAX_TOKENS = 300
ANONYMOUS_MAX_CHARS = 4_000
MAX_ERRORS = 1
MAX_COST = 20_000
# Fields once every fragment is expanded (the GraphiQL introspection query has about 200).
MAX_FIELDS = 2_000
DEFAULT_PAGE = 50
PAGE_ARGUMENTS = ("first", "last")


class Shape:
    """Depth and expanded field count of selection sets, with each fragment measured once."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.known: dict[str, tuple[int, int]] = {}
        self.measuring: set[str] = set()

    def measure(self, selections: SelectionSetNode | None) -> tuple[int, int]:
        """(levels below, fields) of a selection set; both stop growing past their limits."""
        if selections is None:
            return 0, 0
        deepest, fields = 0, 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                depth, inner = self.measure(selection.selection_set)
                step = 0 if selection.name.value == "ofType" else 1
                deepest, fields = max(deepest, depth + step), fields + 1 + inner
            elif isinstance(selection, InlineFragmentNode):
                depth, inner = self.measure(selection.selection_set)
                deepest, fields = max(deepest, depth), fields + inner
            elif isinstance(selection, FragmentSpreadNode):
                depth, inner = self.fragment(selection.name.value)
                deepest, fields = max(deepest, depth), fields + inner
            fields = min(fields, MAX_FIELDS + 1)
        return min(deepest, MAX_DEPTH + 1), fields

    def fragment(self, name: str) -> tuple[int, int]:
        if name in self.known:
            return self.known[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self.measuring:  # unknown and cyclic: other rules' errors
            return 0, 0
        self.measuring.add(name)
        self.known[name] = self.measure(fragment.selection_set)
        self.measuring.discard(name)
        return self.known[name]


class Limits:
    """The limits of one document, checked in one walk of its executable definitions in
    document order (the order graphql-core's visitor would pass the nodes).

    The walk also notes what some of graphql-core's rules need to find before they can
    report anything (validation leaves them out otherwise: sportello/graphql_documents.py
    ``rules_for``): whether a field or a directive repeats an argument's name
    (``repeats_arguments``), whether a selection set repeats a response key
    (``repeats_keys``; a definition it does not walk counts as one that may repeat both), how
    many operations there are, and whether every definition is a query or a fragment
    (``queries_only``).
    """

    def __init__(self, document: DocumentNode) -> None:
        self.document = document
        self.errors: list[GraphQLError] = []
        self.aliases = 0
        self.directives = 0
        self.repeats_arguments = False
        self.repeats_keys = False
        self.operations = 0
        self.queries_only = True

    def check(self) -> list[GraphQLError]:
        for definition in self.document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                self.operations += 1
                if definition.operation is not OperationType.QUERY:
                    self.queries_only = False
                self.shape(definition)
                for variable in definition.variable_definitions or ():
                    self.count_directives(variable.directives)
                self.count_directives(definition.directives)
                self.walk(definition.selection_set)
            elif isinstance(definition, FragmentDefinitionNode):
                self.count_directives(definition.directives)
                self.walk(definition.selection_set)
            else:  # not executable (the spec's first rule refuses it): not walked
                self.repeats_arguments = self.repeats_keys = True
                self.queries_only = False
        return self.errors

    def shape(self, operation: OperationDefinitionNode) -> None:
        """Nested deeper than MAX_DEPTH or larger than MAX_FIELDS once every fragment is
        expanded. Each fragment is measured once (a document of fragments spreading each
        other twice is small to send but exponential to expand)."""
        depth, fields = Shape(self.document).measure(operation.selection_set)
        if depth > MAX_DEPTH:
            self.refuse(f"The query is nested too deeply (limit {MAX_DEPTH}).", operation)
        elif fields > MAX_FIELDS:
            self.refuse(f"The query selects too many fields (limit {MAX_FIELDS}).", operation)

    def walk(self, selections: SelectionSetNode | None) -> None:
        if selections is None:
            return
        keys: set[str] = set()
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                key = selection.name.value
                if selection.alias is not None:
                    key = selection.alias.value
                    self.aliases += 1
                    if self.aliases == MAX_ALIASES + 1:
                        self.refuse(f"Too many aliases (limit {MAX_ALIASES}).", selection)
                self.repeats_keys = self.repeats_keys or key in keys
                keys.add(key)
                self.note_arguments(selection.arguments)
            self.count_directives(selection.directives)
            if isinstance(selection, FieldNode | InlineFragmentNode):
                self.walk(selection.selection_set)

    def note_arguments(self, arguments: tuple[ArgumentNode, ...] | None) -> None:
        if arguments and len(arguments) > 1:
            names = {argument.name.value for argument in arguments}
            self.repeats_arguments = self.repeats_arguments or len(names) < len(arguments)

    def count_directives(self, directives: tuple[DirectiveNode, ...] | None) -> None:
        for directive in directives or ():
            self.note_arguments(directive.arguments)
            self.directives += 1
            if self.directives == MAX_DIRECTIVES + 1:
                self.refuse(f"Too many directives (limit {MAX_DIRECTIVES}).", directive)

    def refuse(self, message: str, node: Node) -> None:
        self.errors.append(GraphQLError(message, node, extensions={"code": "QUERY_TOO_COMPLEX"}))


def limit_errors(document: DocumentNode) -> list[GraphQLError]:
    """Every limit ``document`` breaks, in document order.

    A walk of our own over the nodes alone: the limits need no schema, and without
    graphql-core's type tracking and visitor dispatch an abusive document costs a fraction of
    a validation before it is refused. Only executable definitions are walked: a document
    holding anything else is refused by the spec's first rule.
    """
    return Limits(document).check()


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
    known: dict[str, int] | None = None,
) -> int:
    """The cost of a selection set; each fragment's cost is computed once (``known``)."""
    if selections is None:
        return 0
    known = {} if known is None else known
    total = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            if selection.selection_set is None:
                continue
            inner = _cost(selection.selection_set, fragments, variables, seen, known)
            total += 1 + _multiplier(selection, variables) * inner
        elif isinstance(selection, InlineFragmentNode):
            total += _cost(selection.selection_set, fragments, variables, seen, known)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                if name not in known:
                    known[name] = _cost(
                        fragment.selection_set, fragments, variables, seen | {name}, known
                    )
                total += known[name]
        if total > MAX_COST:
            return total
    return total
