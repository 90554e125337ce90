"""The authorization matrix, generated from the policy table.

For every field of the policy and every audience: the field is in the audience's view exactly
when the policy grants it (and its type is reachable there). For every root field and a real
principal of each kind: the answer to a query is the policy's answer (absent from the view:
a validation error; in the view but refused by the principal's flags, role or scopes:
FORBIDDEN; allowed: no authorization error at all).
"""

from __future__ import annotations

import uuid

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLScalarType,
    OperationType,
    get_named_type,
)

from authz.policy import FIELDS
from authz.principals import (
    Anonymous,
    Audience,
    ContactPrincipal,
    PartnerPrincipal,
    Principal,
    StaffPrincipal,
)
from db.models.staff import StaffRole
from db.seed import DEMO_PASSWORD
from schema.kit.views import field_names
from sportello.admission import public_root_fields
from sportello.assembly import views
from tests.api import Demo
from tests.partners import partner_token
from tests.security.sdl import literal, placeholder

NOBODY = uuid.UUID(int=0)


@pytest.mark.parametrize("audience", list(Audience))
def test_each_view_holds_exactly_what_the_policy_grants(audience: Audience) -> None:
    present = field_names(views()[audience])
    for type_name, fields in FIELDS.items():
        if type_name not in present:
            continue  # not reachable in this view at all
        for field_name, rule in fields.items():
            granted = audience in rule.audiences
            held = field_name in present[type_name]
            assert not held or granted, f"{audience.value} sees {type_name}.{field_name}"
            if granted and type_name not in ("Node",):
                assert held, f"{audience.value} misses {type_name}.{field_name}"


def test_no_view_but_staff_holds_a_field_without_a_rule() -> None:
    for audience in (Audience.PORTAL, Audience.PARTNER, Audience.PUBLIC):
        for type_name, names in field_names(views()[audience]).items():
            decided = FIELDS.get(type_name, {})
            structural = type_name == "PageInfo" or type_name.endswith(("Connection", "Edge"))
            for name in names:
                assert name in decided or structural, f"{audience.value}: {type_name}.{name}"


def document(operation: str, name: str, field: GraphQLField) -> str:
    args = [
        f"{arg_name}: {literal(placeholder(arg.type), arg.type)}"
        for arg_name, arg in field.args.items()
        if isinstance(arg.type, GraphQLNonNull)
    ]
    call = f"{name}({', '.join(args)})" if args else name
    named = get_named_type(field.type)
    selection = (
        " { __typename }" if not isinstance(named, GraphQLScalarType | GraphQLEnumType) else ""
    )
    return f"{operation} {{ {call}{selection} }}"


async def principals(demo: Demo) -> list[tuple[str, Principal, str | None]]:
    """(label, principal, token) of each kind, logged in on the demo data."""
    found: list[tuple[str, Principal, str | None]] = [("anonymous", Anonymous(), None)]
    for role in (StaffRole.ADMIN, StaffRole.OFFICE, StaffRole.TECHNICIAN):
        email = await demo.scalar(
            "SELECT s.email FROM staff_user s JOIN organization o ON o.id = s.organization_id "
            "WHERE o.slug = 'brillanti' AND s.role = :r AND s.active AND s.password_hash "
            "IS NOT NULL ORDER BY s.email LIMIT 1",
            r=role.value,
        )
        login = await demo.login(email, DEMO_PASSWORD, org="brillanti")
        token = login.json()["data"]["login"]["token"]
        found.append((role.value, StaffPrincipal(NOBODY, NOBODY, role), token))
    for contact_role in ("contact of one client", "contact limited to one site"):
        email = demo.login_of(contact_role)
        flags = await demo.scalar(
            "SELECT array_remove(ARRAY["
            "CASE WHEN portal_access THEN 'portal_access' END, "
            "CASE WHEN receives_visit_reminders THEN 'receives_visit_reminders' END, "
            "CASE WHEN receives_signed_worksheets THEN 'receives_signed_worksheets' END, "
            "CASE WHEN can_view_contracts THEN 'can_view_contracts' END, "
            "CASE WHEN can_view_invoices THEN 'can_view_invoices' END, "
            "CASE WHEN can_open_tickets THEN 'can_open_tickets' END, "
            "CASE WHEN can_book_appointments THEN 'can_book_appointments' END], NULL) "
            "FROM contact WHERE email = :e",
            e=email,
        )
        principal = ContactPrincipal(NOBODY, NOBODY, frozenset(flags))
        found.append((contact_role, principal, await demo.as_(contact_role)))
    for scopes in (("lists:read",), ("reports:read",)):
        secret = await partner_token(demo, "brillanti", scopes)
        found.append(
            (
                f"partner {scopes[0]}",
                PartnerPrincipal(NOBODY, NOBODY, frozenset(scopes), None),
                secret,
            )
        )
    return found


async def test_every_root_field_answers_as_the_policy_says(demo: Demo) -> None:
    staff_schema = views()[Audience.STAFF]._schema
    roots = [("query", n, f, "Query") for n, f in staff_schema.query_type.fields.items()]  # type: ignore[union-attr]
    mutation_type = staff_schema.mutation_type
    if mutation_type is not None:
        roots += [("mutation", n, f, "Mutation") for n, f in mutation_type.fields.items()]
    checked = 0
    for label, caller, token in await principals(demo):
        for operation, name, field, type_name in roots:
            principal = caller
            rule = FIELDS[type_name].get(name)
            if rule is None or name in ("logout", "changePassword"):
                continue  # every root field has a rule; these two would end the session
            query = document(operation, name, field)
            demo.client.cookies.clear()  # only the bearer token speaks for the principal
            response = await demo.gql(query, token=token)
            codes = {e.get("extensions", {}).get("code") for e in response.json().get("errors", [])}
            if operation == "mutation" and name in public_root_fields()[OperationType.MUTATION]:
                principal = Anonymous()  # public operations run anonymous for everyone
            in_view = principal.audience in rule.audiences
            allowed = in_view and rule.check(principal) is None
            context = f"{label} {operation} {name}: {response.text[:300]}"
            if isinstance(principal, Anonymous) and not in_view and token is None:
                assert response.status_code == 401, context
            elif not in_view:
                assert "GRAPHQL_VALIDATION_FAILED" in codes, context
            elif not allowed:
                assert "FORBIDDEN" in codes, context
            else:
                # Allowed: whatever the dummy arguments provoke (NOT_FOUND, BAD_USER_INPUT, a
                # wrong password...), never a refusal of the field itself.
                assert response.status_code != 401, context
                assert not codes & {"FORBIDDEN", "GRAPHQL_VALIDATION_FAILED"}, context
            checked += 1
    assert checked > 100
