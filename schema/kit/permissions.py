"""The policy table's rules as Strawberry permission classes: the resolver-level check of
each field, as the design card asks.

A field's rule is written where the field is declared (schema/<domain>.py, resolvers/*.py),
as a Strawberry permission: :func:`readable` for a data field, ``extensions=permitted(rule)``
for a field with a resolver or a mutation, a ``rule=`` keyword for the field helpers
(schema/kit/batched.py ``related``, ``children``...). It names the rule of authz/policy.py,
which stays the one place listing every field's rule: building the views
(schema/kit/views.py) checks that each declaration names the table's rule, and fails naming
every field where they differ.

Every field the policy table (authz/policy.py FIELDS) decides is served, in every view that
holds it, with one :class:`FieldPolicy` in place of its declared permission: a Strawberry
``BasePermission`` holding that field's :class:`authz.rules.Rule`, in a
``PermissionExtension``. One object per (type, field), shared by the views and the read plans
(schema/kit/read_plans.py); its rule is the one the field checks (authz/checks.py) evaluate,
the same object.

Who runs it:

- Strawberry's executor (the fallback, sportello/graphql_route.py) calls ``has_permission``
  before the field's resolver, as for any permission class: a refused flag-gated read answers
  ``null`` with a FORBIDDEN error at its path, the rest of the answer intact.
- A read plan does not call it per object: the request's :class:`authz.checks.FieldChecks`
  decided every field of the document once per (document, capability) before execution,
  refused the document or marked the read for a ``null`` (``nulled``). A resolver the plan
  calls (a root lookup) still passes through it, and the answer is that same decision.

``has_permission`` reads the decision from the request's checks (``info.context.checks``,
authz/checks.py ``refusal``): the document's, made once per (document, capability) before
execution, so it evaluates nothing per object; a context without checks is refused (deny by
default)."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import strawberry
from strawberry import Info
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types.field import StrawberryField

from authz.checks import FieldChecks, message
from authz.policy import rule_for
from authz.rules import STAFF_ONLY, Rule
from schema.kit.errors import FieldRefused


class FieldPolicy(BasePermission):
    """Who may read ``type_name.field_name``: the policy table's rule of that field."""

    def __init__(self, type_name: str, field_name: str, rule: Rule) -> None:
        self.type_name = type_name
        self.field_name = field_name
        self.rule = rule

    def __repr__(self) -> str:
        return f"FieldPolicy({self.type_name}.{self.field_name})"

    def has_permission(self, source: Any, info: Info[Any, Any], **kwargs: Any) -> bool:
        checks = getattr(info.context, "checks", None)
        refused = (
            checks.refusal(self.type_name, self.field_name)
            if isinstance(checks, FieldChecks)
            else message(self.type_name, self.field_name, "no caller was checked")
        )
        if refused is None:
            return True
        raise FieldRefused(refused)


class Declared(BasePermission):
    """Who may use a field, as its declaration states it: the policy table's rule of that
    field. The views serve the field with its :class:`FieldPolicy` instead, once they checked
    that both name the same rule; a schema built otherwise refuses the field."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    def __repr__(self) -> str:
        return f"Declared({self.rule})"

    def has_permission(self, source: Any, info: Info[Any, Any], **kwargs: Any) -> bool:
        raise FieldRefused(
            "Cannot use this field: it is served outside the audience views, which check it."
        )


def permitted(rule: Rule | None) -> list[FieldExtension]:
    """The extensions declaring that ``rule`` decides who may use the field (none without a
    rule): ``@strawberry.field(extensions=permitted(READERS))``."""
    if rule is None:
        return []
    return [PermissionExtension(permissions=[Declared(rule)], use_directives=False)]


def readable(rule: Rule, description: str | None = None) -> Any:
    """A data field that ``rule`` decides: ``code: str = readable(SHARED)``."""
    return strawberry.field(description=description, extensions=permitted(rule))


def imported_key() -> Any:
    """A record's ``external_ref``: its key in the system ``sportello import`` brings it from,
    for staff alone (one field object per type: call it in each)."""
    return readable(
        STAFF_ONLY,
        description="Its key in the system it is imported from (staff only; sportello import).",
    )


def declared_rule(field: StrawberryField) -> Rule | None:
    """The rule the declaration of ``field`` names, if any."""
    for extension in field.extensions:
        if isinstance(extension, PermissionExtension):
            for permission in extension.permissions:
                if isinstance(permission, Declared):
                    return permission.rule
    return None


def disagreement(type_name: str, field_name: str, field: StrawberryField) -> str | None:
    """How the declaration of ``type_name.field_name`` and the policy table disagree on its
    rule, or None when they name the same one."""
    declared, table = declared_rule(field), rule_for(type_name, field_name)
    if declared == table:
        return None
    if declared is None:
        return f"{type_name}.{field_name} declares no rule; the table has {table}"
    if table is None:
        return f"{type_name}.{field_name} declares {declared}; the table has none"
    return f"{type_name}.{field_name} declares {declared}; the table has {table}"


@cache
def field_policy(type_name: str, field_name: str) -> FieldPolicy | None:
    """The one permission of ``type_name.field_name``; None when the policy table says
    nothing of it (a field only the staff view holds, whole)."""
    rule = rule_for(type_name, field_name)
    return None if rule is None else FieldPolicy(type_name, field_name, rule)


def governed(type_name: str, field_name: str, field: StrawberryField) -> StrawberryField:
    """A copy of ``field`` carrying its policy's permission in place of the one declared
    (``field`` itself when it has neither). The copy keeps the resolver, arguments and
    metadata; no schema directive is added, so the SDL stays what the views served before."""
    policy = field_policy(type_name, field_name)
    kept = [extension for extension in field.extensions if not _declares(extension)]
    if policy is None and len(kept) == len(field.extensions):
        return field
    served = copy.copy(field)
    served.extensions = kept
    if policy is not None:
        served.extensions.append(PermissionExtension(permissions=[policy], use_directives=False))
    return served


def _declares(extension: FieldExtension) -> bool:
    return isinstance(extension, PermissionExtension) and any(
        isinstance(permission, Declared) for permission in extension.permissions
    )


def is_policy(extension: FieldExtension) -> bool:
    """Whether ``extension`` only applies a field's policy (the read plans decided it)."""
    return isinstance(extension, PermissionExtension) and all(
        isinstance(permission, FieldPolicy) for permission in extension.permissions
    )


def own_extensions(field: StrawberryField) -> list[FieldExtension]:
    """The field's extensions but its policy's."""
    return [extension for extension in field.extensions if not is_policy(extension)]


def policy_of(field: StrawberryField) -> FieldPolicy | None:
    """The policy permission ``field`` carries, if any."""
    for extension in field.extensions:
        if isinstance(extension, PermissionExtension):
            for permission in extension.permissions:
                if isinstance(permission, FieldPolicy):
                    return permission
    return None
