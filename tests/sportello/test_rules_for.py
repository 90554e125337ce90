"""Validation leaves out the rules that can report nothing on a document
(sportello/graphql_documents.py ``rules_for``), and answers exactly what all of them answer.

Each document is validated with every rule of the spec (``spec_rules``) and with those
``rules_for`` keeps; the errors (message and locations, in order, with no limit on their
number) must be equal. The documents: every example, workload and registered document of the
web client in its audience's view, each with its variable variants (tests/sportello/
test_variable_uses.py) and with what the left-out rules report on: a directive repeated, an
argument repeated on a field and on a directive, a fragment unused, unknown, cyclic, on a
scalar or named twice, an inline fragment on a scalar, introspection nested too deep, fields
of one response key that cannot merge, unknown and misplaced directives, two anonymous
operations or two of one name, a subscription (no view has its type), and a type definition
repeating a directive's argument.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from graphql import (
    DocumentNode,
    GraphQLSchema,
    MaxIntrospectionDepthRule,
    NoUnusedFragmentsRule,
    OverlappingFieldsCanBeMergedRule,
    UniqueArgumentNamesRule,
    UniqueDirectivesPerLocationRule,
    parse,
    print_ast,
    validate,
)

from authz.principals import Audience
from schema.kit.limits import Limits
from sportello.assembly import views
from sportello.graphql_documents import rules_for, spec_rules
from tests.sportello.test_variable_uses import corpus, variants

ROOT = Path(__file__).resolve().parents[2]

# Appended to each document's text: each makes the rules ``rules_for`` may leave out report.
MISTAKES = {
    "a directive repeated": "query R1 { __typename @skip(if: false) @skip(if: false) }",
    "an argument repeated on a field": 'query R2 { node(id: "a", id: "b") { id } }',
    "an argument repeated on a directive": "query R3 { __typename @skip(if: true, if: false) }",
    "a fragment unused": "fragment Unused on Query { __typename }",
    "a fragment unknown": "query R4 { ...Nowhere }",
    "fragments in a cycle": (
        "query R5 { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    ),
    "a fragment named twice": (
        "query R6 { ...T } fragment T on Query { __typename } fragment T on Query { a: __typename }"
    ),
    "a fragment on a scalar": "query R7 { ...S } fragment S on String { __typename }",
    "an inline fragment on a scalar": "query R8 { ... on Boolean { __typename } }",
    "a spread where it cannot apply": "query R9 { ...V } fragment V on Viewer { __typename }",
    "introspection nested too deep": (
        "query R10 { __schema { types { fields { type { fields { type { fields { name } } } } } }"
        " } }"
    ),
    "fields of one key that differ": "query R11 { a: apiVersion a: __typename }",
    "fields of one key that differ, nested": (
        "query R12 { viewer { a: __typename } viewer { a: apiVersion } }"
    ),
    "an unknown directive": "query R13 { __typename @nowhere }",
    "a directive where it cannot be": "query R14 @skip(if: true) { __typename }",
    "two anonymous operations": "{ __typename } { apiVersion }",
    "an operation named twice": "query R15 { __typename } query R15 { apiVersion }",
    "a subscription": "subscription R16 { __typename }",
    "a type definition repeating an argument": (
        "type Extra @deprecated(reason: 1, reason: 2) { a: Int }"
    ),
}


def answers(schema: GraphQLSchema, document: DocumentNode, text: str) -> tuple[list[str], ...]:
    """The errors with every rule of the spec, then with the rules rules_for keeps."""
    limits = Limits(document)
    limits.check()
    kept = rules_for(text, schema, limits)

    def errors(rules: tuple[type, ...]) -> list[str]:
        return [f"{e.message} {e.locations!r}" for e in validate(schema, document, rules=rules)]

    return errors(spec_rules(schema)), errors(kept)


def documents(text: str) -> Iterator[str]:
    """The document's variants, then the document with each mistake added."""
    for variant in variants(parse(text)):
        yield print_ast(variant)
    for mistake in MISTAKES.values():
        yield f"{text}\n{mistake}"


@pytest.mark.parametrize(("name", "audience", "text"), list(corpus()), ids=lambda v: str(v)[:40])
def test_every_document_gets_the_answer_of_every_rule(
    name: str, audience: Audience, text: str
) -> None:
    schema = views()[audience]._schema
    for document in documents(text):
        expected, answered = answers(schema, parse(document), document)
        assert answered == expected, document


@pytest.mark.parametrize("mistake", MISTAKES.values(), ids=MISTAKES.keys())
def test_each_mistake_is_reported_by_a_rule_rules_for_may_leave_out(mistake: str) -> None:
    """The mistakes above do test the rules left out: the rules rules_for leaves out of a
    plain document report each of them, and each alone gets the answer of every rule."""
    schema = views()[Audience.STAFF]._schema
    expected, answered = answers(schema, parse(mistake), mistake)
    assert answered == expected
    plain = "{ apiVersion }"
    walked = Limits(parse(plain))
    walked.check()
    kept = rules_for(plain, schema, walked)
    left_out = tuple(set(spec_rules(schema)) - set(kept))
    assert validate(schema, parse(mistake), rules=left_out)


def test_the_dashboard_is_validated_without_the_rules_that_cannot_report() -> None:
    text = (ROOT / "graphql_examples" / "portal" / "site_dashboard.graphql").read_text()
    schema = views()[Audience.PORTAL]._schema
    limits = Limits(parse(text))
    limits.check()
    kept = rules_for(text, schema, limits)
    left_out = set(spec_rules(schema)) - set(kept)
    assert {
        UniqueDirectivesPerLocationRule,
        UniqueArgumentNamesRule,
        MaxIntrospectionDepthRule,
        NoUnusedFragmentsRule,
        OverlappingFieldsCanBeMergedRule,
    } <= left_out
