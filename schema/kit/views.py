"""One schema, served to each audience as the view that holds only what it may read.

The types are defined once (schema/<domain>.py). A :class:`ViewSchema` keeps, for each type,
the fields the policy table (authz/policy.py FIELDS) grants to its audience; a field left out
is absent from the view's SDL and introspection and cannot be selected, filtered or ordered on.

- staff: every field, except those whose rule names audiences without staff;
- portal, partner: only fields with an explicit rule naming them; building fails when a field
  reachable from these views has no rule at all (deny by default, and nothing forgotten);
- public: only fields whose rule names the public audience.

In the portal view, a read that a contact's feature flag gates (authz/policy.py
null_when_refused) is nullable whatever its declared type: a contact without the flag gets
``null`` there with a FORBIDDEN error at its path (schema/kit/reading.py), and the rest of the
answer, its parent included, stays.

Every field the policy table decides declares its rule where it is written, as a Strawberry
permission (schema/kit/permissions.py ``readable``, ``permitted``); building a view fails when
a declaration and the table name different rules, for any field of a type the view reaches.
The view serves the field with the table's one ``FieldPolicy`` in place of the declared
permission: Strawberry's executor checks it before the field's resolver, and the read plans
take the decision the request's checks made for the whole document.

With a ``principal``, the view also drops the fields that principal's flags, role or scopes do
not allow: that narrower view answers its introspection (see sportello/graphql_route.py).
"""

from __future__ import annotations

import copy
from typing import Any

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import StrawberryObjectDefinition, StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.types.private import is_private

from authz.policy import null_when_refused
from authz.principals import Audience, Principal
from authz.rules import Rule
from schema.kit.periods import CALENDAR_SCALARS
from schema.kit.permissions import disagreement, field_policy, governed


class PolicyError(RuntimeError):
    """The policy table and the schema disagree; the message lists every field to decide."""


_names = NameConverter()

# Audiences whose view only holds explicitly granted fields.
_EXPLICIT = (Audience.PORTAL, Audience.PARTNER, Audience.PUBLIC)


def graphql_type_name(type_definition: StrawberryObjectDefinition) -> str:
    return _names.from_type(type_definition)


def graphql_field_name(field: StrawberryField) -> str:
    return _names.from_field(field)


class ViewSchema(strawberry.Schema):
    """The schema as one audience (and optionally one principal) sees it."""

    def __init__(
        self,
        audience: Audience,
        *,
        query: type,
        mutation: type | None = None,
        types: tuple[type, ...] = (),
        principal: Principal | None = None,
    ) -> None:
        # get_fields runs during super().__init__, so the view's identity must be set first.
        self.audience = audience
        self.principal = principal
        self.undecided: set[str] = set()
        self.disagreements: set[str] = set()
        self._served: dict[tuple[str, str], StrawberryField] = {}
        super().__init__(
            query=query,
            mutation=mutation,
            types=types,
            # Date and DateTime refuse days outside the calendar (schema/kit/periods.py).
            config=StrawberryConfig(disable_field_suggestions=True, scalar_map=CALENDAR_SCALARS),
        )
        if self.disagreements:
            listed = "\n".join(sorted(self.disagreements))
            raise PolicyError(
                "fields declare a rule other than authz/policy.py FIELDS names (write the "
                f"table's rule at the declaration):\n{listed}"
            )
        if self.undecided and audience in (Audience.PORTAL, Audience.PARTNER):
            listed = ", ".join(sorted(self.undecided))
            raise PolicyError(
                f"fields reachable from the {audience.value} view have no rule in "
                f"authz/policy.py FIELDS: {listed}"
            )

    def get_fields(self, type_definition: StrawberryObjectDefinition) -> list[StrawberryField]:
        type_name = graphql_type_name(type_definition)
        # Private fields never reach GraphQL; they need no decision.
        fields = [field for field in type_definition.fields if not is_private(field.type)]
        if not type_definition.is_input:
            # Inputs declare nothing: the table alone says which of their fields a view
            # accepts (the operation taking one declares its own rule).
            self._compare(type_name, fields)
        return [
            self._as_served(type_name, field)
            for field in fields
            if self._holds(type_name, graphql_field_name(field))
        ]

    def _compare(self, type_name: str, fields: list[StrawberryField]) -> None:
        """Note every field of ``type_name`` whose declared rule is not the table's."""
        for field in fields:
            differs = disagreement(type_name, graphql_field_name(field), field)
            if differs is not None:
                self.disagreements.add(differs)

    def _as_served(self, type_name: str, field: StrawberryField) -> StrawberryField:
        """``field`` as this view serves it: carrying its policy's permission class
        (schema/kit/permissions.py), and nullable in the portal view when a feature flag
        gates it: a contact without the flag gets null there and a FORBIDDEN error at its
        path (authz/policy.py null_when_refused, schema/kit/reading.py), and the null must
        not erase its parent."""
        key = (type_name, field.python_name)
        served = self._served.get(key)
        if served is None:
            # A copy for this view only (the declaration stays as written); it keeps the
            # resolver, arguments and metadata (its declaration, schema/kit/declared.py).
            served = governed(type_name, graphql_field_name(field), field)
            if (
                self.audience is Audience.PORTAL
                and not isinstance(field.type, StrawberryOptional)
                and null_when_refused(type_name, graphql_field_name(field))
            ):
                served = copy.copy(served) if served is field else served
                served.type = StrawberryOptional(field.type)
            self._served[key] = served
        return served

    def _holds(self, type_name: str, field_name: str) -> bool:
        rule = _rule(type_name, field_name)
        if rule is None:
            if self.audience in _EXPLICIT:
                self.undecided.add(f"{type_name}.{field_name}")
            return self.audience is Audience.STAFF
        if self.audience not in rule.audiences:
            return False
        return self.principal is None or rule.check(self.principal) is None


def holds_any(audience: Audience, root: type) -> bool:
    """Whether the audience's view keeps at least one field of a root type (else it has none)."""
    definition: StrawberryObjectDefinition = root.__strawberry_definition__  # type: ignore[attr-defined]
    type_name = graphql_type_name(definition)
    for field in definition.fields:
        rule = _rule(type_name, graphql_field_name(field))
        if audience is Audience.STAFF and (rule is None or audience in rule.audiences):
            return True
        if rule is not None and audience in rule.audiences:
            return True
    return False


def _rule(type_name: str, field_name: str) -> Rule | None:
    """The rule of the field's one permission (schema/kit/permissions.py), if it has one."""
    policy = field_policy(type_name, field_name)
    return None if policy is None else policy.rule


def build_views(
    query: type, mutation: type | None, types: tuple[type, ...] = ()
) -> dict[Audience, ViewSchema]:
    """Every audience's view of the schema built from ``query`` and ``mutation``."""
    return {
        audience: ViewSchema(
            audience,
            query=query,
            mutation=mutation if mutation and holds_any(audience, mutation) else None,
            types=types,
        )
        for audience in Audience
    }


def sdl(view: ViewSchema) -> str:
    """The SDL committed under schema/sdl/ and diffed in a test."""
    return view.as_str() + "\n"


def field_names(view: ViewSchema) -> dict[str, set[str]]:
    """Type name -> field names present in ``view`` (for the authorization matrix)."""
    result: dict[str, set[str]] = {}
    for name, graphql_type in view._schema.type_map.items():
        fields: Any = getattr(graphql_type, "fields", None)
        if name.startswith("__") or not fields:
            continue
        result[name] = set(fields)
    return result
