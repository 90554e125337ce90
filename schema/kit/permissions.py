"""The policy table's rules as Strawberry permission classes: the resolver-level check of
each field, as the design card asks.

Every field the policy table (authz/policy.py FIELDS) decides carries, in every view that
holds it, one :class:`FieldPolicy`: a Strawberry ``BasePermission`` holding that field's
:class:`authz.rules.Rule`, in a ``PermissionExtension`` (schema/kit/views.py attaches it; the
declarations in schema/ stay as they are, and the table stays the one place listing them).
One object per (type, field), shared by the views and the read plans (schema/kit/read_plans.py);
its rule is the one the field checks (authz/checks.py) evaluate, the same object.

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
default).
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from strawberry import Info
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types.field import StrawberryField

from authz.checks import FieldChecks, message
from authz.policy import rule_for
from authz.rules import Rule
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


@cache
def field_policy(type_name: str, field_name: str) -> FieldPolicy | None:
    """The one permission of ``type_name.field_name``; None when the policy table says
    nothing of it (a field only the staff view holds, whole)."""
    rule = rule_for(type_name, field_name)
    return None if rule is None else FieldPolicy(type_name, field_name, rule)


def governed(type_name: str, field_name: str, field: StrawberryField) -> StrawberryField:
    """A copy of ``field`` carrying its policy's permission (``field`` itself when it has
    none). The copy keeps the resolver, arguments and metadata; no schema directive is added,
    so the SDL stays what the views served before."""
    policy = field_policy(type_name, field_name)
    if policy is None:
        return field
    served = copy.copy(field)
    served.extensions = [
        *field.extensions,
        PermissionExtension(permissions=[policy], use_directives=False),
    ]
    return served


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
