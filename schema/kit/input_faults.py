"""Input refused before anything runs, named by the argument or input field it came in.

Two kinds, both BAD_USER_INPUT with ``extensions.field`` (sportello/graphql_route.py):

- text PostgreSQL cannot store (db/text.py: NUL, lone UTF-16 surrogates) anywhere in a
  request: a variable at any depth (keys included), a string literal of the document, the
  document's own text, the operation name. :func:`request_fault` finds the first, in one pass
  over the variables and, only when the document's text holds an escape or such a character,
  one walk of the document;
- a value a scalar refuses by its own rule (:class:`RefusedValue`, e.g. a day outside the
  calendar, schema/kit/periods.py), found by graphql-core while validating literals or coercing
  variables: :func:`refusal` names the argument of such an error.

Messages never repeat the refused text: a lone surrogate cannot be written into a JSON answer.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    Node,
    ObjectFieldNode,
    StringValueNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse,
    visit,
)

from db.text import UNSTORABLE, unstorable


class RefusedValue(ValueError):
    """A scalar's value refused by the scalar's own rule; the message says what to give."""


@dataclasses.dataclass(frozen=True)
class InputFault:
    """``field``: the argument or input field at fault; ``message`` starts with it."""

    field: str
    message: str


def _fault(field: str, reason: str, variable: str | None = None) -> InputFault:
    where = f" (variable ${variable})" if variable is not None and variable != field else ""
    return InputFault(field, f"{field}: {reason}{where}")


class _Arguments(Visitor):
    """Walks a document keeping the innermost argument or input field being read."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    @property
    def current(self) -> str | None:
        return self.names[-1] if self.names else None

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        self.names.append(node.name.value)

    def leave_argument(self, *_: Any) -> None:
        self.names.pop()

    def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> None:
        self.names.append(node.name.value)

    def leave_object_field(self, *_: Any) -> None:
        self.names.pop()


class _LiteralFault(_Arguments):
    """The first string literal holding unstorable text, or the one around ``offset``."""

    def __init__(self, offset: int | None = None) -> None:
        super().__init__()
        self.offset = offset
        self.found: tuple[str | None, str] | None = None

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if self.found is not None:
            return
        if self.offset is not None:
            if node.loc is not None and node.loc.start <= self.offset < node.loc.end:
                self.found = (self.current, "")
            return
        reason = unstorable(node.value)
        if reason is not None:
            self.found = (self.current, reason)


class _Enclosing(_Arguments):
    """The innermost argument or input field around the node spanning ``start``..``end``,
    and the argument or input field where each variable is used first."""

    def __init__(self, start: int = -1, end: int = -1) -> None:
        super().__init__()
        self.start, self.end = start, end
        self.found: str | None = None
        self.uses: dict[str, str] = {}

    def enter(self, node: Node, *_: Any) -> None:
        loc = node.loc
        if (
            self.found is None
            and loc is not None
            and (loc.start, loc.end) == (self.start, self.end)
        ):
            self.found = self.current

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        if self.current is not None:
            self.uses.setdefault(node.name.value, self.current)


def _in_value(value: Any, key: str | None = None) -> tuple[str | None, str] | None:
    """(innermost input field name, reason) of the first unstorable text in a variable's
    value; a key itself at fault is reported under the field around it."""
    if isinstance(value, str):
        reason = unstorable(value)
        return None if reason is None else (key, reason)
    if isinstance(value, dict):
        for name, item in value.items():
            reason = unstorable(name)
            if reason is not None:
                return key, reason
            found = _in_value(item, name)
            if found is not None:
                return found
    elif isinstance(value, list):
        for item in value:
            found = _in_value(item, key)
            if found is not None:
                return found
    return None


def _variable_use(document: DocumentNode | None, variable: str) -> str | None:
    if document is None:
        return None
    finder = _Enclosing()
    visit(document, finder)
    return finder.uses.get(variable)


def _document_fault(query: str, document: DocumentNode | None) -> InputFault | None:
    if document is not None:
        finder = _LiteralFault()
        visit(document, finder)
        if finder.found is None:
            return None
        return _fault(finder.found[0] or "query", finder.found[1])
    # The lexer refused the document at the character; with it replaced, the string literal
    # it sat in names the argument.
    bad = UNSTORABLE.search(query)
    if bad is None:
        return None
    reason = unstorable(bad.group())
    assert reason is not None
    field = None
    try:
        tolerated = parse(UNSTORABLE.sub("\ufffd", query), no_location=False)
    except GraphQLError:
        tolerated = None
    if tolerated is not None:
        locator = _LiteralFault(bad.start())
        visit(tolerated, locator)
        field = locator.found[0] if locator.found is not None else None
    return _fault(field or "query", reason)


def request_fault(
    query: str,
    document: DocumentNode | None,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
) -> InputFault | None:
    """The first text of the request PostgreSQL could not store, named; None when all is.

    ``document``: the parsed ``query``, None when it did not parse.
    """
    if operation_name is not None:
        reason = unstorable(operation_name)
        if reason is not None:
            return _fault("operationName", reason)
    # A literal can only hold NUL through an escape (\u0000, \u{0}); the lexer refuses
    # a raw NUL or surrogate, so most documents need no walk.
    if "\\u" in query or UNSTORABLE.search(query) is not None:
        fault = _document_fault(query, document)
        if fault is not None:
            return fault
    for name, value in (variables or {}).items():
        reason = unstorable(name)
        if reason is not None:
            return _fault("variables", reason)
        found = _in_value(value)
        if found is not None:
            field, reason = found
            field = field or _variable_use(document, name) or name
            return _fault(field, reason, name)
    return None


# graphql-core's message for a variable's invalid value: "Variable '$in' has invalid value
# at .startsAt: ...".
_VARIABLE_PATH = re.compile(r"has invalid value at ((?:\.\w+|\[\d+\])+):")


def refused_value(error: GraphQLError) -> RefusedValue | None:
    """The RefusedValue behind a validation or variable error, if that is what it is."""
    cause: BaseException | None = error
    while isinstance(cause, GraphQLError):
        cause = cause.original_error
    return cause if isinstance(cause, RefusedValue) else None


def refusal(error: GraphQLError, document: DocumentNode) -> InputFault | None:
    """A scalar's refusal (a literal failing validation, a variable failing coercion) as
    bad input naming the argument or input field, or None for any other error."""
    refused = refused_value(error)
    if refused is None:
        return None
    node = error.nodes[0] if error.nodes else None
    field: str | None = None
    variable: str | None = None
    if isinstance(node, VariableDefinitionNode):
        variable = node.variable.name.value
        path = _VARIABLE_PATH.search(error.message)
        names = re.findall(r"\.(\w+)", path.group(1)) if path is not None else []
        field = names[-1] if names else _variable_use(document, variable)
    elif node is not None and node.loc is not None:
        finder = _Enclosing(node.loc.start, node.loc.end)
        visit(document, finder)
        field = finder.found
    return _fault(field or variable or "query", str(refused), variable)
