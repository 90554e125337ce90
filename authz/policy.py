"""The policy table: read it top to bottom to know who may see what.

Two parts:

- RECORDS: per audience, which rows of each table it may see beyond its row scope (the
  finished states of SPEC §3). A table missing for an audience is denied to it.
- FIELDS: per GraphQL type and field, the :class:`authz.rules.Rule` deciding which audience
  views hold the field and what each principal must have at run time. Staff see every field
  of the schema; a field reachable from the portal or partner view must be decided here, or
  building the views fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from authz.principals import Audience
from authz.rules import (
    BACK_OFFICE,
    PARTNER,
    PORTAL,
    PUBLIC,
    STAFF,
    STAFF_ONLY,
    Rule,
    allow,
    partner,
    portal,
    staff,
)
from authz.scope import RowScope, ScopeError
from db import models as m
from db.models.staff import StaffRole

RecordRule = Callable[[RowScope], sa.ColumnElement[bool] | None]


def everything(_: RowScope) -> None:
    """Every row of the scope."""
    return None


def nothing(_: RowScope) -> sa.ColumnElement[bool]:
    return sa.false()


def with_flag(flag: str, rule: RecordRule = everything) -> RecordRule:
    """The rows of ``rule``, only for a contact holding ``flag``."""

    def check(scope: RowScope) -> sa.ColumnElement[bool] | None:
        return rule(scope) if flag in scope.flags else sa.false()

    check.__doc__ = f"Rows of {rule.__name__}, only with {flag}."
    return check


def signed_work_sheets(_: RowScope) -> sa.ColumnElement[bool]:
    """Can a contact see this work sheet? Only once it is signed."""
    return m.WorkSheet.status == m.WorkSheetStatus.SIGNED  # type: ignore[return-value]


def issued_invoices(_: RowScope) -> sa.ColumnElement[bool]:
    """Can a contact see this invoice? Only closed or paid ones, never drafts or voided ones."""
    return m.Invoice.status.in_([m.InvoiceStatus.CLOSED, m.InvoiceStatus.PAID])  # type: ignore[attr-defined,no-any-return]


def sent_quotes(_: RowScope) -> sa.ColumnElement[bool]:
    """Can a contact see this quote? Every quote that left the office (not a draft)."""
    return m.Quote.status != m.QuoteStatus.DRAFT  # type: ignore[return-value]


def performed_or_next_revisions(_: RowScope) -> sa.ColumnElement[bool]:
    """Can a contact see this revision? Performed ones, and the next one due at the site."""
    later = sa.orm.aliased(m.Revision)
    next_id = (
        sa.select(col(later.id))
        .where(col(later.site_id) == col(m.Revision.site_id), col(later.performed_at).is_(None))
        .order_by(col(later.due_month), col(later.planned_date).nulls_last(), col(later.id))
        .limit(1)
        .correlate(m.Revision)
        .scalar_subquery()
    )
    return sa.or_(col(m.Revision.performed_at).is_not(None), col(m.Revision.id) == next_id)


def visible_interventions(_: RowScope) -> sa.ColumnElement[bool]:
    """Can a contact see this appointment? When its activity type shows on the portal."""
    return sa.exists().where(
        col(m.ActivityType.id) == col(m.Intervention.activity_type_id),
        col(m.ActivityType.portal_visible).is_(True),
    )


def visible_comments(_: RowScope) -> sa.ColumnElement[bool]:
    """Can a contact read this ticket comment? Only those staff marked visible to the client."""
    return m.TicketComment.visible_to_client.is_(True)  # type: ignore[attr-defined,no-any-return]


def visible_documents(scope: RowScope) -> sa.ColumnElement[bool]:
    """Can a contact download this document? Marked visible, and its owner visible to it."""
    owners: list[sa.ColumnElement[bool]] = []
    owner_rules: list[tuple[Any, Any, RecordRule]] = [
        (m.Document.work_sheet_id, m.WorkSheet, signed_work_sheets),
        (m.Document.invoice_id, m.Invoice, PORTAL_RECORDS[m.Invoice]),
        (m.Document.quote_id, m.Quote, sent_quotes),
        (m.Document.contract_id, m.Contract, PORTAL_RECORDS[m.Contract]),
        (m.Document.revision_id, m.Revision, performed_or_next_revisions),
        (m.Document.intervention_id, m.Intervention, visible_interventions),
    ]
    for column, owner, rule in owner_rules:
        condition = rule(scope)
        owner_visible = sa.exists().where(
            owner.id == column, *(() if condition is None else (condition,))
        )
        owners.append(sa.or_(column.is_(None), owner_visible))
    return sa.and_(m.Document.portal_visible.is_(True), *owners)  # type: ignore[attr-defined]


PORTAL_RECORDS: dict[Any, RecordRule] = {
    m.Client: everything,
    m.Site: everything,
    m.Equipment: everything,
    m.Revision: performed_or_next_revisions,
    m.RevisionItem: everything,
    m.WorkSheet: signed_work_sheets,
    m.TimesheetEntry: everything,
    m.Contract: with_flag("can_view_contracts"),
    m.Invoice: with_flag("can_view_invoices", issued_invoices),
    m.Quote: sent_quotes,
    m.Intervention: visible_interventions,
    m.Ticket: everything,
    m.TicketComment: visible_comments,
}
# Documents reuse the rules of their owners above, so they are added once those exist.
PORTAL_RECORDS[m.Document] = visible_documents

# Partners read reports and lists of their organization (or client subset): no drafts either.
PARTNER_RECORDS: dict[Any, RecordRule] = {
    m.Client: everything,
    m.Site: everything,
    m.Equipment: everything,
    m.Revision: everything,
    m.RevisionItem: everything,
    m.WorkSheet: signed_work_sheets,
    m.TimesheetEntry: everything,
    m.Contract: everything,
    m.Invoice: issued_invoices,
    m.Quote: sent_quotes,
    m.Intervention: everything,
    m.Ticket: everything,
}

RECORDS: dict[Audience, dict[Any, RecordRule] | None] = {
    Audience.STAFF: None,  # everything of the organization
    Audience.PORTAL: PORTAL_RECORDS,
    Audience.PARTNER: PARTNER_RECORDS,
    Audience.PUBLIC: {},
}


def record_rule(model: Any, scope: RowScope) -> sa.ColumnElement[bool] | None:
    """The extra condition ``scope``'s audience puts on rows of ``model`` (deny if none)."""
    table = RECORDS[scope.audience]
    if table is None:
        return None
    rule = table.get(model)
    if rule is None:
        raise ScopeError(f"{scope.audience.value} callers have no rule for {model.__name__}")
    return rule(scope)


# GraphQL type -> field -> rule. Filled in with the schema; see the module docstring.
EVERYONE = allow(PUBLIC, STAFF, PORTAL, PARTNER)
# People: anyone but partner tokens, which belong to no person.
PEOPLE = allow(PUBLIC, STAFF, PORTAL)
# A logged-in person; contacts viewed by staff ("view as contact") may not act for them.
SIGNED_IN = allow(STAFF, portal(writes=True))
ACCOUNTS = allow(STAFF, PORTAL)
ADMIN_ONLY = allow(staff(StaffRole.ADMIN))

# Reading records: staff, contacts, and partner tokens with the lists scope.
READERS = allow(STAFF, PORTAL, partner("lists:read"))
# A field of a record type that every audience reaching the record may read.
SHARED = allow(STAFF, PORTAL, PARTNER)
# Contacts see it for their own records; partners do not.
OWN = allow(STAFF, PORTAL)

FIELDS: dict[str, dict[str, Rule]] = {
    "Query": {
        "apiVersion": EVERYONE,
        "viewer": ACCOUNTS,
        "node": READERS,
        "clients": READERS,
        "client": READERS,
        "sites": READERS,
        "site": READERS,
        "portalAccesses": allow(BACK_OFFICE),
        "portalBill": allow(BACK_OFFICE),
        "partnerTokens": ADMIN_ONLY,
    },
    "Mutation": {
        "login": PEOPLE,
        "acceptInvitation": PEOPLE,
        "requestPasswordReset": PEOPLE,
        "resetPassword": PEOPLE,
        "logout": ACCOUNTS,
        "changePassword": SIGNED_IN,
        "createPortalAccess": allow(BACK_OFFICE),
        "updatePortalAccess": allow(BACK_OFFICE),
        "resetPortalAccessCredentials": allow(BACK_OFFICE),
        "deletePortalAccess": allow(BACK_OFFICE),
        "setPortalEnabled": allow(BACK_OFFICE),
        "setClientPortalEnabled": allow(BACK_OFFICE),
        "createPartnerToken": ADMIN_ONLY,
        "revokePartnerToken": ADMIN_ONLY,
    },
    "LoginPayload": {"token": PEOPLE, "expiresAt": PEOPLE, "accountKind": PEOPLE},
    "Viewer": {
        "kind": ACCOUNTS,
        "firstName": ACCOUNTS,
        "lastName": ACCOUNTS,
        "email": ACCOUNTS,
        "locale": ACCOUNTS,
        "organizationName": ACCOUNTS,
        "organizationLogoUrl": ACCOUNTS,
        "portalInfoText": ACCOUNTS,
    },
    "Node": {"id": SHARED},
    "Client": {
        "id": SHARED,
        "code": SHARED,
        "name": SHARED,
        "taxId": OWN,
        "email": OWN,
        "phone": OWN,
        "portalEnabled": STAFF_ONLY,
        "sites": SHARED,
    },
    "Site": {
        "id": SHARED,
        "name": SHARED,
        "address": SHARED,
        "city": SHARED,
        "postalCode": SHARED,
        "province": SHARED,
        "country": SHARED,
        "lat": SHARED,
        "lng": SHARED,
        "client": SHARED,
    },
}

# Connections, edges and page info carry no data of their own: whoever reaches one through a
# field it may read may read its structure.
_STRUCTURE = {
    "Connection": {"edges", "pageInfo", "totalCount"},
    "Edge": {"cursor", "node"},
}


def rule_for(type_name: str, field_name: str) -> Rule | None:
    """The rule deciding ``type_name.field_name``; None when the policy says nothing."""
    rule = FIELDS.get(type_name, {}).get(field_name)
    if rule is not None:
        return rule
    if type_name == "PageInfo":
        return SHARED
    for suffix, fields in _STRUCTURE.items():
        if type_name.endswith(suffix) and field_name in fields:
            return SHARED
    return None
