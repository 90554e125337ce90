"""Each field's rule is its Strawberry permission class (schema/kit/permissions.py).

Every field declares the rule the policy table (authz/policy.py) names for it, and building a
view fails when they differ. Every field of every view, narrowed views included, carries
exactly one :class:`FieldPolicy` when the table decides it, holding that very rule, and none
when it does not; Strawberry's executor enforces it, and denies a context it cannot check.
"""

from __future__ import annotations

import uuid

import pytest
import strawberry
from graphql import ExecutionResult, GraphQLObjectType, execute, parse
from strawberry.permission import PermissionExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField
from strawberry.types.private import is_private

from authz.policy import EVERYONE, rule_for
from authz.principals import Audience, ContactPrincipal, StaffPrincipal
from authz.rules import STAFF_ONLY
from db.models.staff import StaffRole
from schema.kit.permissions import FieldPolicy, declared_rule, field_policy, policy_of, readable
from schema.kit.views import PolicyError, ViewSchema, graphql_field_name
from sportello.assembly import narrowed_view, views

NOBODY = uuid.UUID(int=0)


def every_view() -> list[tuple[str, ViewSchema]]:
    found = [(audience.value, view) for audience, view in views().items()]
    found.append(
        ("technician", narrowed_view(StaffPrincipal(NOBODY, NOBODY, StaffRole.TECHNICIAN)))
    )
    found.append(
        ("contact without flags", narrowed_view(ContactPrincipal(NOBODY, NOBODY, frozenset())))
    )
    return found


@pytest.mark.parametrize(
    ("name", "view"), every_view(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_field_carries_the_permission_the_policy_names(name: str, view: ViewSchema) -> None:
    wrong: list[str] = []
    checked = 0
    for graphql_type in view._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field_name, field in graphql_type.fields.items():
            definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            assert isinstance(definition, StrawberryField), f"{graphql_type.name}.{field_name}"
            rule = rule_for(graphql_type.name, field_name)
            policies = [
                permission
                for extension in definition.extensions
                if isinstance(extension, PermissionExtension)
                for permission in extension.permissions
                if isinstance(permission, FieldPolicy)
            ]
            expected = [] if rule is None else [rule]
            if [policy.rule for policy in policies] != expected or any(
                (policy.type_name, policy.field_name) != (graphql_type.name, field_name)
                for policy in policies
            ):
                wrong.append(f"{graphql_type.name}.{field_name}: {policies} for {rule}")
            checked += 1
    assert not wrong, f"{name}: {wrong}"
    assert checked > 10


@pytest.mark.parametrize(
    ("name", "view"), every_view(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_field_declares_the_rule_the_policy_names(name: str, view: ViewSchema) -> None:
    """The declarations (schema/, resolvers/) name the table's rules, field by field, in every
    object type the view serves, and keep them once the view served its copies."""
    wrong: list[str] = []
    declared = 0
    for graphql_type in view._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        definition = graphql_type.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
        for field in definition.fields:
            if is_private(field.type):
                continue
            field_name = graphql_field_name(field)
            rule = declared_rule(field)
            if rule != rule_for(graphql_type.name, field_name):
                wrong.append(f"{graphql_type.name}.{field_name}: {rule}")
            declared += rule is not None
    assert not wrong, f"{name}: {wrong}"
    assert declared > 10


@strawberry.type(name="Query")
class _Contradicting:
    api_version: str = readable(STAFF_ONLY)


@strawberry.type(name="Query")
class _Silent:
    api_version: str


@strawberry.type(name="Query")
class _Unknown:
    api_version: str = readable(EVERYONE)
    guess: str = readable(EVERYONE)


@pytest.mark.parametrize(
    ("query", "named"),
    [
        (_Contradicting, "Query.apiVersion declares Rule("),
        (_Silent, "Query.apiVersion declares no rule"),
        (_Unknown, "Query.guess declares Rule("),
    ],
    ids=["another rule", "no rule", "a rule the table lacks"],
)
def test_a_declaration_other_than_the_table_fails_the_build(query: type, named: str) -> None:
    with pytest.raises(PolicyError, match=r"authz/policy\.py FIELDS") as raised:
        ViewSchema(Audience.STAFF, query=query)
    assert named in str(raised.value)


def test_the_declaration_stays_as_written_when_served() -> None:
    """The view serves a copy carrying the table's one FieldPolicy; the declaration keeps its
    declared permission."""

    @strawberry.type(name="Query")
    class Agreeing:
        api_version: str = readable(EVERYONE)

    view = ViewSchema(Audience.STAFF, query=Agreeing)
    declaration = Agreeing.__strawberry_definition__.fields[0]  # type: ignore[attr-defined]
    served = view._schema.query_type.fields["apiVersion"].extensions[  # type: ignore[union-attr]
        GraphQLCoreConverter.DEFINITION_BACKREF
    ]
    assert served is not declaration
    assert policy_of(served) is field_policy("Query", "apiVersion")
    assert declared_rule(served) is None
    assert declared_rule(declaration) == EVERYONE
    assert policy_of(declaration) is None


def test_the_permission_is_one_object_per_field_across_views() -> None:
    served = {}
    for audience, view in views().items():
        site = view._schema.type_map.get("Site")
        if isinstance(site, GraphQLObjectType):
            served[audience] = site.fields["name"].extensions[
                GraphQLCoreConverter.DEFINITION_BACKREF
            ]
    policies = {id(policy_of(field)) for field in served.values()}
    assert len(served) >= 3
    assert len(policies) == 1
    assert policy_of(served[Audience.STAFF]) is not None


def test_a_context_without_checks_is_refused() -> None:
    """Strawberry's executor runs the permission: run without a request's checks, a decided
    field is refused (deny by default), its error named."""
    result = execute(views()[Audience.STAFF]._schema, parse("{ apiVersion }"), context_value=None)
    assert isinstance(result, ExecutionResult)
    assert result.data is None
    assert result.errors is not None
    assert result.errors[0].message == "Cannot use Query.apiVersion: no caller was checked."
