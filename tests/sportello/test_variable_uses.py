"""schema/kit/variable_uses.py answers what graphql-core's three rules on variables answer.

Each document is validated twice with nothing but the rules on variables: graphql-core's
``NoUndefinedVariablesRule``, ``NoUnusedVariablesRule`` and ``VariablesInAllowedPositionRule``,
then ``VariableUses`` alone; the errors (message and locations, in order) must be equal. The
documents: every example, workload and registered document of the web client in its audience's
view, each also with every variable's definition removed, an unused one added and each
definition retyped; and a small schema with what ours lacks (list items, input fields with
defaults, a OneOf input, fragments after their operation, several operations).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    VariableDefinitionNode,
    build_schema,
    parse,
    parse_const_value,
    parse_type,
    print_ast,
    validate,
)

from authz.principals import Audience
from schema.kit.variable_uses import REPLACED_RULES, VariableUses
from sportello.assembly import views
from sportello.graphql_documents import SPEC_RULES
from sportello.persisted import registry

ROOT = Path(__file__).resolve().parents[2]
AUDIENCES = {"staff": Audience.STAFF, "portal": Audience.PORTAL, "partner": Audience.PARTNER}
# The bench's workloads, by the audience that runs them (bench/workloads/*.py).
WORKLOADS = {
    "portal_site": Audience.PORTAL,
    "timesheet_page": Audience.STAFF,
    "intervention_report": Audience.PARTNER,
    "login": Audience.PUBLIC,
}
RETYPED = ("String", "String!", "Int", "ID", "ID!", "[ID!]", "[ID!]!", "Boolean", "Date")


def answers(schema: GraphQLSchema, document: DocumentNode) -> tuple[list[tuple[str, str]], ...]:
    """(message, locations) of each error: graphql-core's three rules, then VariableUses."""

    def errors(rules: tuple[type, ...]) -> list[tuple[str, str]]:
        found: list[GraphQLError] = validate(schema, document, rules=rules)
        return [(error.message, repr(error.locations)) for error in found]

    return errors(REPLACED_RULES), errors((VariableUses,))


def variants(document: DocumentNode) -> Iterator[DocumentNode]:
    """The document, then each variable's definition removed, an unused one added and each
    definition retyped (and given a default, which lets a nullable one stand for a non-null)."""
    yield document
    for at, definition in enumerate(document.definitions):
        if not isinstance(definition, OperationDefinitionNode):
            continue
        defined = list(definition.variable_definitions or ())

        def with_variables(variables: list[VariableDefinitionNode], at: int = at) -> DocumentNode:
            operation = document.definitions[at]
            assert isinstance(operation, OperationDefinitionNode)
            changed = dataclasses.replace(operation, variable_definitions=tuple(variables))
            # Printed and parsed again: the locations are those of a text a client could send.
            definitions = (*document.definitions[:at], changed, *document.definitions[at + 1 :])
            return parse(print_ast(dataclasses.replace(document, definitions=definitions)))

        unused = parse("query($unused: Int) { a }").definitions[0]
        assert isinstance(unused, OperationDefinitionNode)
        assert unused.variable_definitions
        yield with_variables([*defined, *unused.variable_definitions])
        for index, variable in enumerate(defined):
            yield with_variables(defined[:index] + defined[index + 1 :])
            for text in RETYPED:
                retyped = dataclasses.replace(variable, type=parse_type(text))
                yield with_variables([*defined[:index], retyped, *defined[index + 1 :]])
            with_default = dataclasses.replace(
                variable,
                type=parse_type(print_ast(variable.type).rstrip("!")),
                default_value=parse_const_value("1"),
            )
            yield with_variables([*defined[:index], with_default, *defined[index + 1 :]])


def corpus() -> Iterator[tuple[str, Audience, str]]:
    for path in sorted((ROOT / "graphql_examples").glob("*/*.graphql")):
        yield path.name, AUDIENCES[path.parent.name], path.read_text(encoding="utf-8")
    for name, audience in WORKLOADS.items():
        path = ROOT / "bench" / "workloads" / f"{name}.graphql"
        yield path.name, audience, path.read_text(encoding="utf-8")
    for digest, text in sorted(registry().items()):
        yield f"web {digest[:8]}", Audience.PORTAL, text


@pytest.mark.parametrize(("name", "audience", "text"), list(corpus()), ids=lambda v: str(v)[:40])
def test_every_document_and_its_variants_get_graphql_cores_answer(
    name: str, audience: Audience, text: str
) -> None:
    schema = views()[audience]._schema
    checked = 0
    for document in variants(parse(text)):
        expected, answered = answers(schema, document)
        assert answered == expected, print_ast(document)
        checked += bool(expected)
    # Each document with variables had some variant with a mistake.
    assert checked or "$" not in text, name


SMALL = build_schema(
    """
    input Range { from: Int! = 0, to: Int!, step: Int }
    input Pick @oneOf { id: ID, code: String }
    type Query {
      items(ids: [ID!], range: Range, limit: Int! = 10, matrix: [[Int!]!]): [Item!]!
      pick(by: Pick!): Item
      count(min: Int!): Int
    }
    type Item { id: ID! name(upper: Boolean!): String }
    """
)

CASES = {
    "list items and nested lists": """
        query($id: ID, $ids: [ID], $row: [Int]) {
          items(ids: [$id, "x"], matrix: [$row, [1]]) { id } a: items(ids: $ids) { id } }""",
    "input fields with and without defaults": """
        query($from: Int, $to: Int, $step: Int!) {
          items(range: {from: $from, to: $to, step: $step}) { id } }""",
    "a nullable variable for a non-null argument with a default": """
        query($limit: Int, $min: Int, $set: Int = 3, $null: Int = null) {
          items(limit: $limit) { id } count(min: $min)
          a: count(min: $set) b: count(min: $null) }""",
    "a OneOf input": """
        query($id: ID, $code: Int!) { a: pick(by: {id: $id}) { id } b: pick(by: {code: $code})
          { id } }""",
    "a directive's argument and an argument of no known field": """
        query($flag: String, $skip: Boolean!, $lost: Int) {
          items @include(if: $flag) {
            id @skip(if: $skip) name(upper: $skip) nothing(x: $lost) } }""",
    "fragments after their operations, shared and nested": """
        query One($upper: Boolean!) { items { ...Named } }
        query Two { items { ...Named ...Other } }
        query Three($upper: String) { items { ...Other } }
        fragment Named on Item { name(upper: $upper) ...Deeper }
        fragment Deeper on Item { again: name(upper: $deep) }
        fragment Other on Item { id ...Deeper }""",
    "a variable used twice and never defined": """
        query Named { a: count(min: $n) b: count(min: $n) }""",
}


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_the_corners_get_graphql_cores_answer(text: str) -> None:
    expected, answered = answers(SMALL, parse(text))
    assert expected  # each case holds mistakes
    assert answered == expected


def test_the_route_validates_with_variable_uses_in_place_of_the_three() -> None:
    assert VariableUses in SPEC_RULES
    assert not set(REPLACED_RULES) & set(SPEC_RULES)
