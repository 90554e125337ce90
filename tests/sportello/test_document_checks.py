"""A new document text is checked in two walks: the limits alone, then the spec's rules with
the field uses collected on the way; what a client is answered stays what it was."""

from __future__ import annotations

from graphql import validate

from authz.principals import Audience
from schema.kit.limits import MAX_ALIASES, MAX_DIRECTIVES, limit_errors
from sportello.assembly import views
from sportello.graphql_documents import (
    MORE_ERRORS,
    SPEC_RULES,
    check_document,
    document_facts,
    document_field_uses,
    parse_document,
    spec_rules,
    validate_document,
)

SITE = '{ site(id: "x") { name client { name } ...More } } fragment More on Site { city }'


def test_the_field_uses_come_from_the_validation_walk_in_document_order() -> None:
    view = views()[Audience.STAFF]
    assert validate_document(SITE, view) == ()
    uses = document_field_uses(SITE, view)
    assert [(type_name, node.name.value) for type_name, node in uses] == [
        ("Query", "site"),
        ("Site", "name"),
        ("Site", "client"),
        ("Client", "name"),
        ("Site", "city"),
    ]
    assert document_field_uses(SITE, view) is uses  # the same walk, kept once per text


def test_a_document_past_a_limit_gets_the_limit_error_and_no_rule_of_the_spec() -> None:
    """Unknown fields behind too many aliases: the one answer is the limit's."""
    aliases = " ".join(f"a{n}: nothing{n}" for n in range(MAX_ALIASES + 1))
    checked = check_document("{ " + aliases + " }", views()[Audience.STAFF])
    assert [error.message for error in checked.errors] == [
        f"Too many aliases (limit {MAX_ALIASES})."
    ]
    assert checked.errors[0].extensions == {"code": "QUERY_TOO_COMPLEX"}
    assert checked.uses.uses == ()


def test_the_limits_alone_report_in_document_order() -> None:
    deep = "{ a " * 12 + "}" * 12
    aliased = " ".join(f"x{n}: a" for n in range(MAX_ALIASES + 1))
    document = parse_document(f"query One {deep} query Two {{ {aliased} }}")
    assert [error.message for error in limit_errors(document)] == [
        "The query is nested too deeply (limit 10).",
        f"Too many aliases (limit {MAX_ALIASES}).",
    ]


def test_an_invalid_document_answers_the_spec_rule_and_has_no_uses() -> None:
    query = "{ site(id: true) { nothing } }"
    checked = check_document(query, views()[Audience.STAFF])
    assert len(checked.errors) == 2  # the first error, and "more" for the rest
    assert checked.errors[1].message == MORE_ERRORS
    assert checked.uses.uses == ()


def test_introspection_is_found_without_a_walk_only_when_the_text_cannot_hold_it() -> None:
    assert document_facts('{ __type(name: "Site") { name } }').introspects
    assert document_facts("{ ...F } fragment F on Query { __schema { description } }").introspects
    assert not document_facts("{ __typename }").introspects
    # Spelled in a comment or a string only: the walk decides.
    assert not document_facts('# __schema\n{ site(id: "__type") { name } }').introspects


def test_directives_count_wherever_they_stand_and_the_one_past_the_limit_is_named() -> None:
    """On an operation, a variable's definition, a field, an inline fragment, a spread and a
    fragment's definition: five of each kind here, and the 31st is the one reported."""
    five = "@a " * 5
    text = (
        f"query Q($v: Int {five}) {five} {{ f {five} ... on T {five} {{ g }} ...F {five} }}"
        f" fragment F on T {five} {{ h {{ i }} }}"
    )
    assert MAX_DIRECTIVES == 30
    assert limit_errors(parse_document(text)) == []
    past = text.replace("{ i }", "{ i @past }")
    (error,) = limit_errors(parse_document(past))
    assert error.message == f"Too many directives (limit {MAX_DIRECTIVES})."
    assert error.positions is not None
    assert past[min(error.positions) :].startswith("@past")


def test_without_the_rules_a_view_cannot_need_the_first_error_is_graphql_cores() -> None:
    """No view declares @defer, @stream or a subscription type, so their rules are left out
    (spec_rules); what such a document is answered first stays what graphql-core answers."""
    view = views()[Audience.STAFF]
    assert spec_rules(view._schema) != SPEC_RULES
    for text in (
        "{ apiVersion @defer }",
        "query { ... @defer(label: 1) { apiVersion } }",
        "{ sites(first: 1) @stream(initialCount: 1) { totalCount } }",
        "subscription { apiVersion viewer { __typename } }",
    ):
        expected = validate(view._schema, parse_document(text))
        assert [error.message for error in check_document(text, view).errors[:1]] == [
            expected[0].message
        ]
