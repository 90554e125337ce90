"""Run-time checks of the policy table, decided once per request per field.

The view already left out what the audience may never read. What depends on the principal at
run time (a contact's feature flags, the staff role a mutation needs, a partner token's scopes)
is checked here before execution: one decision per (type, field) however many objects the
field resolves for. A refused field stops the whole request before any SQL, except a read
gated by a contact's feature flag (authz/policy.py null_when_refused): that one is left to the
read plan (schema/kit/read_plans.py), which answers it ``null`` with a FORBIDDEN error at its path
without calling its resolver, and runs the rest of the document.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from graphql import FieldNode, GraphQLError, ValidationRule
from graphql.type import get_named_type

from authz.policy import null_when_refused, rule_for
from authz.principals import Principal
from authz.rules import capability


class FieldChecks:
    """The decisions of one request.

    ``evaluations`` counts this request's policy evaluations and ``evaluated`` those of the
    process, so that a test can prove the count does not grow with the rows returned.
    """

    evaluated: ClassVar[int] = 0

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.decisions: dict[tuple[str, str], str | None] = {}
        self.evaluations = 0
        # (type, field) -> the message of the FORBIDDEN error the field answers with null,
        # set by refusals() for the executor.
        self.nulled: Mapping[tuple[str, str], str] = {}
        # Whether refusals() let the request's document through: every field of it is then
        # decided, refused (nulled) or allowed.
        self.admitted = False

    def reason(self, type_name: str, field_name: str) -> str | None:
        """Why ``principal`` may not use ``type_name.field_name``, or None when it may."""
        key = (type_name, field_name)
        if key not in self.decisions:
            rule = rule_for(type_name, field_name)
            self.evaluations += 1
            FieldChecks.evaluated += 1
            # A field with no rule is one the view gave this audience whole (staff).
            self.decisions[key] = None if rule is None else rule.check(self.principal)
        return self.decisions[key]

    def refusal(self, type_name: str, field_name: str) -> str | None:
        """The error message refusing ``type_name.field_name`` to ``principal``, or None when
        it may be used: the document's decision once its uses were decided (no evaluation),
        else the rule's."""
        refused = self.nulled.get((type_name, field_name))
        if refused is not None or self.admitted:
            return refused
        reason = self.reason(type_name, field_name)
        return None if reason is None else message(type_name, field_name, reason)

    def refusals(self, uses: FieldUses) -> list[GraphQLError]:
        """A FORBIDDEN error for every use of a field ``principal`` may not use, which
        refuses the whole document; the refused flag-gated reads go to :attr:`nulled`
        instead, for the executor to answer null at their paths.

        Decided once per (document, view, capability of the principal) and kept with the
        document's uses: the same document from the next contact with the same flags costs
        one dictionary lookup.
        """
        key = capability(self.principal)
        decided = uses.refused.get(key)
        if decided is None:
            refused = [
                (type_name, node, reason)
                for type_name, node in uses
                if (reason := self.reason(type_name, node.name.value)) is not None
            ]
            stopping = tuple(
                (type_name, node, reason)
                for type_name, node, reason in refused
                if not null_when_refused(type_name, node.name.value)
            )
            nulled = {
                (type_name, node.name.value): message(type_name, node.name.value, reason)
                for type_name, node, reason in refused
                if null_when_refused(type_name, node.name.value)
            }
            decided = uses.refused[key] = Refused(stopping, nulled)
        self.nulled = decided.nulled
        self.admitted = not decided.stopping
        return [
            GraphQLError(
                message(type_name, node.name.value, reason),
                node,
                extensions={"code": "FORBIDDEN"},
            )
            for type_name, node, reason in decided.stopping
        ]


def message(type_name: str, field_name: str, reason: str) -> str:
    return f"Cannot use {type_name}.{field_name}: {reason}."


@dataclasses.dataclass(frozen=True)
class Refused:
    """What one capability may not use of one document: the uses that refuse it whole, and
    the flag-gated reads answered null, by (type, field), with their error's message."""

    stopping: tuple[tuple[str, FieldNode, str], ...]
    nulled: Mapping[tuple[str, str], str]


# A field of a document with the name of the type it is selected on.
FieldUse = tuple[str, FieldNode]


@dataclasses.dataclass(eq=False)
class FieldUses:
    """The field uses of one document in one view, and the refusals decided on them per
    principal capability (:func:`authz.rules.capability`)."""

    uses: tuple[FieldUse, ...]
    refused: dict[Principal, Refused] = dataclasses.field(default_factory=dict)

    def __iter__(self) -> Iterator[FieldUse]:
        return iter(self.uses)


def field_use_rule(uses: list[FieldUse]) -> type[ValidationRule]:
    """A validation rule that appends every field selection of the document it walks, in
    document order, with its parent type, to ``uses``.

    It runs beside the rules of the spec, in their one walk of the document (its uses mean
    something only when that walk found no error). They depend on the document and the
    schema only, so callers collect them once per pair and check them against each
    request's principal with :meth:`FieldChecks.refusals`.
    """

    class Collect(ValidationRule):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = self.context.get_parent_type()
            if parent is not None:
                uses.append((get_named_type(parent).name, node))

    return Collect
