"""Each field's rule is its Strawberry permission class (schema/kit/permissions.py).

Every field of every view, narrowed views included, carries exactly one :class:`FieldPolicy`
when the policy table (authz/policy.py) decides it, holding that very rule, and none when it
does not; Strawberry's executor enforces it, and denies a context it cannot check.
"""

from __future__ import annotations

import uuid

import pytest
from graphql import ExecutionResult, GraphQLObjectType, execute, parse
from strawberry.permission import PermissionExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from authz.policy import rule_for
from authz.principals import Audience, ContactPrincipal, StaffPrincipal
from db.models.staff import StaffRole
from schema.kit.permissions import FieldPolicy, policy_of
from schema.kit.views import ViewSchema
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
