"""A GraphQL document's text, parsed and checked once: parse, validation, field uses, facts.

Every check here depends on the text and the view only, never on the caller, so each is
cached per distinct text (the clients send the same few over and over); the route
(sportello/graphql_route.py) takes the caller's decisions on their results.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache, lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DeferStreamDirectiveLabel,
    DeferStreamDirectiveOnRootField,
    DeferStreamDirectiveOnValidOperationsRule,
    DocumentNode,
    ExecutableDefinitionsRule,
    FieldNode,
    FragmentsOnCompositeTypesRule,
    GraphQLError,
    GraphQLSchema,
    KnownDirectivesRule,
    KnownFragmentNamesRule,
    KnownOperationTypesRule,
    LoneAnonymousOperationRule,
    MaxIntrospectionDepthRule,
    NoFragmentCyclesRule,
    NoUnusedFragmentsRule,
    OverlappingFieldsCanBeMergedRule,
    PossibleFragmentSpreadsRule,
    SingleFieldSubscriptionsRule,
    StreamDirectiveOnListField,
    UniqueArgumentNamesRule,
    UniqueDirectivesPerLocationRule,
    UniqueFragmentNamesRule,
    UniqueOperationNamesRule,
    Visitor,
    parse,
    specified_rules,
    validate,
    visit,
)

from authz.checks import FieldUse, FieldUses, field_use_rule
from schema.kit.limits import MAX_ERRORS, MAX_TOKENS, Limits
from schema.kit.variable_uses import REPLACED_RULES, VariableUses
from schema.kit.views import ViewSchema

# Past the first error of a document, one generic error (schema/kit/limits.py MAX_ERRORS).
MORE_ERRORS = "The document has more errors; fix this one and send it again to see the next."

# graphql-core's rules of the spec, its three rules on variables checked as one on the
# validation's walk instead of in a walk of their own (schema/kit/variable_uses.py).
SPEC_RULES = (*(rule for rule in specified_rules if rule not in REPLACED_RULES), VariableUses)
# Rules on @defer and @stream, and on subscriptions.
INCREMENTAL_RULES = (
    DeferStreamDirectiveOnRootField,
    DeferStreamDirectiveOnValidOperationsRule,
    DeferStreamDirectiveLabel,
    StreamDirectiveOnListField,
)


@cache
def spec_rules(schema: GraphQLSchema) -> tuple[type[ASTValidationRule], ...]:
    """The rules of the spec a document can break in ``schema``.

    Our views declare neither @defer nor @stream and have no subscription type. There the
    rules on them could only repeat an error ``KnownDirectivesRule`` or
    ``KnownOperationTypesRule`` has reported first at the same node, and each rule costs its
    dispatch at every node of every new document (about 5% of a validation together).
    """
    lacking: set[type[ASTValidationRule]] = set()
    if schema.get_directive("defer") is None and schema.get_directive("stream") is None:
        lacking.update(INCREMENTAL_RULES)
    if schema.subscription_type is None:
        lacking.add(SingleFieldSubscriptionsRule)
    return tuple(rule for rule in SPEC_RULES if rule not in lacking)


def rules_for(
    query: str, schema: GraphQLSchema, walked: Limits
) -> tuple[type[ASTValidationRule], ...]:
    """:func:`spec_rules` without those that can report nothing on the document ``query``,
    whose limits ``walked`` checked.

    Each of these reports only on nodes the text must spell out, and costs its dispatch at
    every node of the walk when there is none (about 1 ms of the portal dashboard's 2.8 ms
    of rules, 2026-12-07): two directives (``@``) for one repeated at a location, one for an
    unknown or misplaced directive, ``__schema`` or ``__type`` for the depth of
    introspection, ``fragment`` for the rules on fragment definitions, ``...`` for those on
    spreads and inline fragments; and, noted on the limits' walk (schema/kit/limits.py), a
    field or directive repeating an argument's name, for fields to merge a response key
    repeated in a selection set (or a fragment), two operations for the rules on operation
    names, and for the rules on kinds of definitions and operations, something else than
    queries and fragments. A rule left out would have reported nothing, so the errors are the
    same, in the same order (tests/sportello/test_rules_for.py compares them).
    """
    unneeded: set[type[ASTValidationRule]] = set()
    directives = query.count("@")
    if directives < 2:
        unneeded.add(UniqueDirectivesPerLocationRule)
    if not directives:
        unneeded.add(KnownDirectivesRule)
    if "__schema" not in query and "__type" not in query:
        unneeded.add(MaxIntrospectionDepthRule)
    if not walked.repeats_arguments:
        unneeded.add(UniqueArgumentNamesRule)
    definitions, spreads = "fragment" in query, "..." in query
    if not spreads and not walked.repeats_keys:
        unneeded.add(OverlappingFieldsCanBeMergedRule)
    if not definitions:
        unneeded.update(FRAGMENT_DEFINITION_RULES)
    if not spreads:
        unneeded.update(SPREAD_RULES)
    if not definitions and not spreads:
        unneeded.add(FragmentsOnCompositeTypesRule)
    if walked.operations < 2:
        unneeded.update(OPERATIONS_RULES)
    if walked.queries_only:
        unneeded.update(DEFINITION_KIND_RULES)
    return _spec_rules_but(schema, frozenset(unneeded))


# Rules reporting only on fragment definitions, and only on spreads or inline fragments.
FRAGMENT_DEFINITION_RULES = (NoUnusedFragmentsRule, UniqueFragmentNamesRule, NoFragmentCyclesRule)
SPREAD_RULES = (KnownFragmentNamesRule, PossibleFragmentSpreadsRule)
# Rules reporting only on a document of two operations, and only on one holding something
# else than queries and fragments (the query type is every schema's).
OPERATIONS_RULES = (LoneAnonymousOperationRule, UniqueOperationNamesRule)
DEFINITION_KIND_RULES = (ExecutableDefinitionsRule, KnownOperationTypesRule)


@lru_cache(maxsize=64)
def _spec_rules_but(
    schema: GraphQLSchema, unneeded: frozenset[type[ASTValidationRule]]
) -> tuple[type[ASTValidationRule], ...]:
    return tuple(rule for rule in spec_rules(schema) if rule not in unneeded)


@lru_cache(maxsize=512)
def parse_document(query: str) -> DocumentNode:
    """Parsed once per distinct document text (the clients send the same few over and over)."""
    return parse(query, max_tokens=MAX_TOKENS, no_location=False)


@dataclasses.dataclass(frozen=True)
class CheckedDocument:
    """A document checked against a view: its validation errors (none: it is valid) and, when
    valid, the fields it selects on each type."""

    errors: tuple[GraphQLError, ...]
    uses: FieldUses


@lru_cache(maxsize=1024)
def check_document(query: str, view: ViewSchema) -> CheckedDocument:
    """The principal-independent checks of a document against a view, done once.

    The limits first and alone, on the nodes without the schema's types: an abusive document
    gets one error, cheaply. Then graphql-core's rules of the spec and the collection of the
    field uses, in one walk (each walk with types costs about a parse: bench/documents.py).
    hide_suggestions: "Did you mean ...?" would spell out the schema to whoever guesses.
    """
    document = parse_document(query)
    limits = Limits(document)
    errors = limits.check()
    uses: list[FieldUse] = []
    if not errors:
        rules = (*rules_for(query, view._schema, limits), field_use_rule(uses))
        errors = validate(
            view._schema, document, rules=rules, max_errors=MAX_ERRORS, hide_suggestions=True
        )
    return CheckedDocument(tuple(past_first(errors)), FieldUses(() if errors else tuple(uses)))


def validate_document(query: str, view: ViewSchema) -> tuple[GraphQLError, ...]:
    """The principal-independent validation errors of a document in a view."""
    return check_document(query, view).errors


def past_first(errors: list[GraphQLError]) -> list[GraphQLError]:
    """The first ``MAX_ERRORS`` errors and one generic error for the rest: ten unknown
    directives are one "Unknown directive" and "more errors", not a list of the ten."""
    if len(errors) <= MAX_ERRORS:
        return errors
    return [*errors[:MAX_ERRORS], GraphQLError(MORE_ERRORS)]


def document_field_uses(query: str, view: ViewSchema) -> FieldUses:
    """The fields a valid document selects on each type, found once per (document, view)."""
    return check_document(query, view).uses


@dataclasses.dataclass(frozen=True)
class DocumentFacts:
    """What the route needs to know of a document's text, found in one walk of it."""

    # Asks for __schema or __type anywhere (fragments included).
    introspects: bool


# A field named __schema or __type is spelled so in the text (GraphQL names have no escapes):
# a text without either name (``__typename`` is another) needs no walk to know it.
INTROSPECTION_NAMES = re.compile(r"__(?:schema|type)(?![_0-9A-Za-z])")


@lru_cache(maxsize=512)
def document_facts(query: str) -> DocumentFacts:
    """Computed once per distinct document text, like its parse."""
    if INTROSPECTION_NAMES.search(query) is None:
        return DocumentFacts(introspects=False)
    introspects = False

    class Finder(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            nonlocal introspects
            introspects = introspects or node.name.value in {"__schema", "__type"}

    visit(parse_document(query), Finder())
    return DocumentFacts(introspects)
