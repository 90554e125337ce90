"""Field decisions kept per document and principal capability, never shared across two."""

from __future__ import annotations

import uuid

from authz.checks import FieldChecks
from authz.principals import Audience, ContactPrincipal, StaffPrincipal
from db.models.staff import StaffRole
from sportello.assembly import views
from sportello.graphql_documents import document_field_uses

QUERY = "{ invoices(first: 1) { totalCount } contracts(first: 1) { totalCount } }"
REFUSED = "Cannot use Query.invoices: not enabled for this portal access."
NULLED = {("Query", "invoices"): REFUSED}
BOOKING = """mutation { bookAppointment(input: {siteId: "x", activityTypeId: "y",
  startsAt: "2030-01-01T00:00:00Z", idempotencyKey: "k"}) { id } }"""


def contact(*flags: str, viewed: bool = False) -> ContactPrincipal:
    viewer = StaffPrincipal(uuid.uuid4(), uuid.uuid4(), StaffRole.ADMIN) if viewed else None
    return ContactPrincipal(uuid.uuid4(), uuid.uuid4(), frozenset(flags), viewed_by=viewer)


def test_each_capability_gets_its_own_decisions_on_one_document() -> None:
    """A flag-gated read the contact lacks does not refuse the document: it is left to the
    executor to answer null (``nulled``)."""
    uses = document_field_uses(QUERY, views()[Audience.PORTAL])
    both = ("can_view_invoices", "can_view_contracts")
    cases = [
        (contact(*both), {}),
        (contact("can_view_contracts"), NULLED),
        (contact(*both), {}),
        (contact("can_view_contracts"), NULLED),
        (contact("can_view_contracts", viewed=True), NULLED),
        (contact(*both, viewed=True), {}),
    ]
    for principal, expected in cases:
        checks = FieldChecks(principal)
        assert checks.refusals(uses) == []
        assert checks.nulled == expected
    # Two principals of one capability share the decisions: the repeated ones evaluated none.
    assert len(uses.refused) == 4
    again = FieldChecks(contact("can_view_contracts"))
    assert again.refusals(uses) == []
    assert again.nulled == NULLED
    assert again.evaluations == 0


def test_writes_a_flag_or_the_preview_refuses_still_refuse_the_whole_document() -> None:
    uses = document_field_uses(BOOKING, views()[Audience.PORTAL])
    for principal, reason in (
        (contact("portal_access"), "not enabled for this portal access"),
        (contact("can_book_appointments", viewed=True), "the portal preview is read-only"),
    ):
        checks = FieldChecks(principal)
        assert [error.message for error in checks.refusals(uses)] == [
            f"Cannot use Mutation.bookAppointment: {reason}."
        ]
        assert checks.nulled == {}
    allowed = FieldChecks(contact("can_book_appointments"))
    assert allowed.refusals(uses) == []
