"""Field decisions kept per document and principal capability, never shared across two."""

from __future__ import annotations

import uuid

from authz.checks import FieldChecks
from authz.principals import Audience, ContactPrincipal, StaffPrincipal
from db.models.staff import StaffRole
from schema.build import views
from sportello.graphql_route import document_field_uses

QUERY = "{ invoices(first: 1) { totalCount } contracts(first: 1) { totalCount } }"
REFUSED = "Cannot use Query.invoices: not enabled for this portal access."


def contact(*flags: str, viewed: bool = False) -> ContactPrincipal:
    viewer = StaffPrincipal(uuid.uuid4(), uuid.uuid4(), StaffRole.ADMIN) if viewed else None
    return ContactPrincipal(uuid.uuid4(), uuid.uuid4(), frozenset(flags), viewed_by=viewer)


def test_each_capability_gets_its_own_decisions_on_one_document() -> None:
    uses = document_field_uses(QUERY, views()[Audience.PORTAL])
    both = ("can_view_invoices", "can_view_contracts")
    cases = [
        (contact(*both), []),
        (contact("can_view_contracts"), [REFUSED]),
        (contact(*both), []),
        (contact("can_view_contracts"), [REFUSED]),
        (contact("can_view_contracts", viewed=True), [REFUSED]),
        (contact(*both, viewed=True), []),
    ]
    for principal, expected in cases:
        checks = FieldChecks(principal)
        assert [error.message for error in checks.refusals(uses)] == expected
    # Two principals of one capability share the decisions: the repeated ones evaluated none.
    assert len(uses.refused) == 4
    again = FieldChecks(contact("can_view_contracts"))
    assert [error.message for error in again.refusals(uses)] == [REFUSED]
    assert again.evaluations == 0
