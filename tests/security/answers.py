"""Whether an answer of /graphql is a secure one: no 5xx, only known error codes, internal
errors masked, no internals in a message, ``data`` within the schema and the selection.
Shared by the fuzzers (test_fuzz.py, test_properties.py)."""

from __future__ import annotations

import collections
from typing import Any

import httpx
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    get_operation_ast,
    is_abstract_type,
    parse,
)

from tests.security.sdl import INTERNALS

# SPEC §8, and what the route answers before execution (sportello/graphql_route.py).
KNOWN_CODES = frozenset(
    {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "BAD_USER_INPUT",
        "CONFLICT",
        "RATE_LIMITED",
        "GRAPHQL_PARSE_FAILED",
        "GRAPHQL_VALIDATION_FAILED",
        "QUERY_TOO_COMPLEX",
        "PAYLOAD_TOO_LARGE",
        "BAD_REQUEST",
    }
)
BUILT_IN_SCALARS: dict[str, tuple[type, ...]] = {
    "String": (str,),
    "ID": (str,),
    "Boolean": (bool,),
    "Int": (int,),
    "Float": (int, float),
}


class DataShape:
    """Whether a response's ``data`` is what the document may return under the schema."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, errors: list[Any]) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        # Paths under which a resolver failed: a null there is the error's, not the schema's.
        self.error_paths = [tuple(e.get("path") or ()) for e in errors if isinstance(e, dict)]
        self.problems: list[str] = []

    def check(self, document: DocumentNode, data: Any) -> list[str]:
        operation = get_operation_ast(document)
        if operation is None:
            return ["the document has no single operation"]
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return [f"the schema has no {operation.operation.value} type"]
        if data is not None:
            self.object(root, operation.selection_set, data, ())
        return self.problems

    def failed_under(self, path: tuple[Any, ...]) -> bool:
        return any(p[: len(path)] == path for p in self.error_paths)

    def fields(
        self, runtime: GraphQLNamedType, selections: SelectionSetNode, known: bool
    ) -> tuple[dict[str, FieldNode], set[str]]:
        """The fields selected on ``runtime`` by response name, and those that may be absent
        (under a fragment whose type condition cannot be decided without ``__typename``)."""
        selected: dict[str, FieldNode] = {}
        optional: set[str] = set()
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                selected[(selection.alias or selection.name).value] = selection
                continue
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = selection.selection_set
            else:
                assert isinstance(selection, FragmentSpreadNode)
                fragment = self.fragments[selection.name.value]
                condition, inner = fragment.type_condition, fragment.selection_set
            applies: bool | None = True
            if condition is not None and condition.name.value != runtime.name:
                target = self.schema.get_type(condition.name.value)
                if known and isinstance(runtime, GraphQLObjectType) and target is not None:
                    applies = is_abstract_type(target) and self.schema.is_sub_type(target, runtime)
                else:
                    applies = None
            if applies is False:
                continue
            more, maybe = self.fields(runtime, inner, known)
            for name, node in more.items():
                selected.setdefault(name, node)
                if applies is None or name in maybe:
                    optional.add(name)
        return selected, optional

    def object(
        self,
        declared: GraphQLNamedType,
        selections: SelectionSetNode,
        value: Any,
        path: tuple[Any, ...],
    ) -> None:
        if not isinstance(value, dict):
            self.problems.append(f"{'.'.join(map(str, path))}: expected an object, got {value!r}")
            return
        runtime = declared
        typename = value.get("__typename")
        if typename is not None:
            found = self.schema.get_type(typename)
            if not isinstance(found, GraphQLObjectType) or (
                found is not declared
                and not (is_abstract_type(declared) and self.schema.is_sub_type(declared, found))
            ):
                self.problems.append(f"{'.'.join(map(str, path))}: {typename} is not a {declared}")
                return
            runtime = found
        selected, optional = self.fields(runtime, selections, typename is not None)
        for key in value.keys() - selected.keys():
            self.problems.append(f"{'.'.join(map(str, (*path, key)))}: not selected")
        for key, node in selected.items():
            if key not in value:
                if key not in optional and not self.failed_under((*path, key)):
                    self.problems.append(f"{'.'.join(map(str, (*path, key)))}: missing")
                continue
            name = node.name.value
            if name == "__typename":
                continue
            field_types = getattr(runtime, "fields", None) or {}
            field = field_types.get(name)
            if field is None and is_abstract_type(runtime):
                # A field of a concrete type reached through an undecided fragment.
                field = next(
                    (
                        t.fields[name]
                        for t in self.schema.get_possible_types(runtime)
                        if name in t.fields
                    ),
                    None,
                )
            if field is None:
                self.problems.append(f"{'.'.join(map(str, (*path, key)))}: not in {runtime}")
                continue
            self.value(field.type, node, value[key], (*path, key))

    def value(
        self, declared: GraphQLOutputType, node: FieldNode, value: Any, path: tuple[Any, ...]
    ) -> None:
        where = ".".join(map(str, path))
        if isinstance(declared, GraphQLNonNull):
            if value is None:
                if not self.failed_under(path):
                    self.problems.append(f"{where}: null in a non-null field, with no error")
                return
            declared = declared.of_type
        if value is None:
            return
        if isinstance(declared, GraphQLList):
            if not isinstance(value, list):
                self.problems.append(f"{where}: expected a list, got {value!r}")
                return
            for index, item in enumerate(value):
                self.value(declared.of_type, node, item, (*path, index))
            return
        if isinstance(declared, GraphQLEnumType):
            if value not in declared.values:
                self.problems.append(f"{where}: {value!r} is not a value of {declared}")
            return
        if isinstance(declared, GraphQLScalarType):
            kinds = BUILT_IN_SCALARS.get(declared.name)
            wrong_bool = isinstance(value, bool) and declared.name in {"Int", "Float"}
            if kinds is not None and (not isinstance(value, kinds) or wrong_bool):
                self.problems.append(f"{where}: {value!r} is not a {declared}")
            return
        assert node.selection_set is not None
        self.object(declared, node.selection_set, value, path)


def judge(
    schema: GraphQLSchema, query: str, response: httpx.Response, codes: collections.Counter[str]
) -> list[str]:
    """What is wrong with one answer (nothing, for a secure one); counts its error codes."""
    shown = f"{response.status_code} {response.text[:600]}"
    if response.status_code >= 500:
        return [f"server error: {shown}"]
    try:
        body = response.json()
    except ValueError:
        return [f"not JSON: {shown}"]
    if not isinstance(body, dict) or not body.keys() <= {"data", "errors"}:
        return [f"not a GraphQL response: {shown}"]
    problems: list[str] = []
    errors = body.get("errors") or []
    for error in errors:
        extensions = error.get("extensions") or {}
        code = extensions.get("code")
        if code == "INTERNAL_SERVER_ERROR":
            # Masked, but a bug all the same: counted per root field, so that the baseline
            # names where it happens and a new place fails the run.
            codes[f"{code}:{(error.get('path') or ['?'])[0]}"] += 1
            if error.get("message") != "Internal server error." or not extensions.get("requestId"):
                problems.append(f"internal error not masked: {shown}")
            continue
        codes[str(code)] += 1
        if code not in KNOWN_CODES:
            problems.append(f"unknown or missing code {code!r}: {shown}")
        if INTERNALS.search(str(error.get("message", ""))):
            problems.append(f"message shows internals: {shown}")
    if not errors:
        codes["OK"] += 1
    if "data" in body:
        document = parse(query)
        shape = DataShape(schema, document, errors)
        problems += [
            f"data outside the schema: {p}: {shown}" for p in shape.check(document, body["data"])
        ]
    return problems
