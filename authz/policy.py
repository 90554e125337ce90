"""The policy table: read it top to bottom to know who may see what.

Two parts:

- RECORDS: per audience, which rows of each table it may see beyond its row scope (the
  finished states of SPEC §3). A table missing for an audience is denied to it.
- FIELDS: per GraphQL type and field, the :class:`authz.rules.Rule` deciding which audience
  views hold the field and what each principal must have at run time. Staff see every field
  of the schema; a field reachable from the portal or partner view must be decided here, or
  building the views fails.

The table stays the one list of every field's rule, and each field also names its rule where
it is declared (schema/<domain>.py, resolvers/*.py), as a Strawberry permission:
``code: str = readable(SHARED)``, ``@strawberry.field(extensions=permitted(READERS))``
(schema/kit/permissions.py). Building the views checks that each declaration names the rule
written here, and fails naming every field where they differ; each view serves the field with
its rule as its Strawberry permission class, one object per field. A rule used at a
declaration has a name here, so that both places write the same one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import cache
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
from authz.scope_shape import ScopeError, ScopeShape
from db import models as m
from db.models.staff import StaffRole

# A record rule sees only a contact's feature flags (never ids), so that what it builds is
# the same for every caller with those flags and is built once (record_rule caches it).
RecordRule = Callable[[frozenset[str]], sa.ColumnElement[bool] | None]


def everything(_: frozenset[str]) -> None:
    """Every row of the scope."""
    return None


def nothing(_: frozenset[str]) -> sa.ColumnElement[bool]:
    return sa.false()


def with_flag(flag: str, rule: RecordRule = everything) -> RecordRule:
    """The rows of ``rule``, only for a contact holding ``flag``."""

    def check(flags: frozenset[str]) -> sa.ColumnElement[bool] | None:
        return rule(flags) if flag in flags else sa.false()

    check.__doc__ = f"Rows of {rule.__name__}, only with {flag}."
    return check


def signed_work_sheets(_: frozenset[str]) -> sa.ColumnElement[bool]:
    """Can a contact see this work sheet? Only once it is signed."""
    return m.WorkSheet.status == m.WorkSheetStatus.SIGNED  # type: ignore[return-value]


def issued_invoices(_: frozenset[str]) -> sa.ColumnElement[bool]:
    """Can a contact see this invoice? Only closed or paid ones, never drafts or voided ones.

    Two comparisons rather than IN: an IN list is expanded again at every execution."""
    status = sa.inspect(m.Invoice).c.status
    return sa.or_(status == m.InvoiceStatus.CLOSED, status == m.InvoiceStatus.PAID)


def sent_quotes(_: frozenset[str]) -> sa.ColumnElement[bool]:
    """Can a contact see this quote? Every quote that left the office (not a draft)."""
    return m.Quote.status != m.QuoteStatus.DRAFT  # type: ignore[return-value]


def performed_or_next_revisions(_: frozenset[str]) -> sa.ColumnElement[bool]:
    """Can a contact see this revision? Performed ones, the next one due at the site, and
    cancelled ones (a cancelled "next" stays in the list, marked, rather than vanish)."""
    return _performed_or_next()


def _performed_or_next() -> sa.ColumnElement[bool]:
    later = m.Revision.__table__.alias("later_revision")  # type: ignore[attr-defined]
    next_id = (
        sa.select(later.c.id)
        .where(
            later.c.site_id == col(m.Revision.site_id),
            later.c.performed_at.is_(None),
            later.c.cancelled_at.is_(None),
        )
        .order_by(later.c.due_month, later.c.planned_date.nulls_last(), later.c.id)
        .limit(1)
        .correlate(m.Revision)
        .scalar_subquery()
    )
    return sa.or_(
        col(m.Revision.performed_at).is_not(None),
        col(m.Revision.cancelled_at).is_not(None),
        col(m.Revision.id) == next_id,
    )


def visible_interventions(_: frozenset[str]) -> sa.ColumnElement[bool]:
    """Can a contact see this appointment? When its activity type shows on the portal."""
    return _visible_activity()


def _visible_activity() -> sa.ColumnElement[bool]:
    # An alias of its own, so that a query already joining activity_type keeps its FROM.
    activity = m.ActivityType.__table__.alias("visible_activity")  # type: ignore[attr-defined]
    return (
        sa.exists()
        .where(
            activity.c.id == col(m.Intervention.activity_type_id),
            activity.c.portal_visible.is_(True),
        )
        .correlate(m.Intervention)
    )


def visible_comments(_: frozenset[str]) -> sa.ColumnElement[bool]:
    """Can a contact read this ticket comment? Only those staff marked visible to the client."""
    return m.TicketComment.visible_to_client.is_(True)  # type: ignore[attr-defined,no-any-return]


def portal_activity_types(_: frozenset[str]) -> sa.ColumnElement[bool]:
    """Can a contact see this activity type? Those shown on the portal."""
    return m.ActivityType.portal_visible.is_(True)  # type: ignore[attr-defined,no-any-return]


def portal_departments(_: frozenset[str]) -> sa.ColumnElement[bool]:
    """Can a contact see this department? Those offered in the portal's ticket form."""
    return m.Department.portal_visible.is_(True)  # type: ignore[attr-defined,no-any-return]


def _owner_visible(owner_column: str, flags: frozenset[str]) -> sa.ColumnElement[bool]:
    """The document's owner through ``owner_column`` exists and the contact may see it (the
    owner's rule is PORTAL_RECORDS', below)."""
    owner = m.DOCUMENT_OWNERS[owner_column]
    condition = PORTAL_RECORDS[owner](flags)
    column = getattr(m.Document, owner_column)
    return sa.exists().where(owner.id == column, *(() if condition is None else (condition,)))


def _portal_visible() -> sa.ColumnElement[bool]:
    return m.Document.portal_visible.is_(True)  # type: ignore[attr-defined,no-any-return]


def visible_documents(flags: frozenset[str]) -> sa.ColumnElement[bool]:
    """Can a contact download this document? Marked visible, and its owner visible to it."""
    owners = [
        sa.or_(getattr(m.Document, name).is_(None), _owner_visible(name, flags))
        for name in m.DOCUMENT_OWNERS
    ]
    return sa.and_(_portal_visible(), *owners)


@dataclasses.dataclass(frozen=True)
class OwnedDocuments:
    """The documents of one type of owner (a work sheet's documents), a key of the record
    rules of its own: the rows of ``document`` reached through ``owner_column``.

    A contact's rule for them checks that owner alone: a document has exactly one owner
    (constraint ``one_owner``), so for a document whose ``owner_column`` is set the other five
    owners' conditions of :func:`visible_documents` hold, and a document whose column is
    not set fails the owner's EXISTS. The rule is therefore :func:`visible_documents` for the
    documents of such owners and hides every other document (tests/authz/test_owned_documents.py
    checks that both keep the same documents). Written as visible_documents, one ``IS NULL OR
    EXISTS`` per owner type, the rule made most of what authorization cost the portal
    dashboard (bench/RESULTS.md, "Read API per field").
    """

    owner_column: str

    @property
    def __table__(self) -> sa.Table:
        return m.Document.__table__  # type: ignore[attr-defined,no-any-return]

    @property
    def __name__(self) -> str:
        return f"documents through {self.owner_column}"


def _documents_through(owner_column: str) -> RecordRule:
    def visible(flags: frozenset[str]) -> sa.ColumnElement[bool]:
        return sa.and_(_portal_visible(), _owner_visible(owner_column, flags))

    visible.__doc__ = f"Visible documents of a visible owner through {owner_column}."
    return visible


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
    m.Department: portal_departments,
    m.ActivityType: portal_activity_types,
}
# Documents reuse the rules of their owners above, so they are added once those exist.
PORTAL_RECORDS[m.Document] = visible_documents
PORTAL_RECORDS.update(
    {OwnedDocuments(column): _documents_through(column) for column in m.DOCUMENT_OWNERS}
)

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
    m.Department: everything,
    m.ActivityType: everything,
}

RECORDS: dict[Audience, dict[Any, RecordRule] | None] = {
    Audience.STAFF: None,  # everything of the organization
    Audience.PORTAL: PORTAL_RECORDS,
    Audience.PARTNER: PARTNER_RECORDS,
    Audience.PUBLIC: {},
}


def record_rule(model: Any, scope: ScopeShape) -> sa.ColumnElement[bool] | None:
    """The extra condition ``scope``'s audience puts on rows of ``model`` (deny if none)."""
    return _record_rule(model, scope.audience, scope.flags)


@cache
def _record_rule(
    model: Any, audience: Audience, flags: frozenset[str]
) -> sa.ColumnElement[bool] | None:
    # Built once per (model, audience, flags): a handful of combinations, and the conditions
    # (EXISTS subqueries for documents) cost more to build than to run.
    table = RECORDS[audience]
    if table is None:
        return None
    rule = table.get(model)
    if rule is None:
        raise ScopeError(f"{audience.value} callers have no rule for {model.__name__}")
    return rule(flags)


# GraphQL type -> field -> rule. Filled in with the schema; see the module docstring.
EVERYONE = allow(PUBLIC, STAFF, PORTAL, PARTNER)
# People: anyone but partner tokens, which belong to no person.
PEOPLE = allow(PUBLIC, STAFF, PORTAL)
# A logged-in person; contacts viewed by staff ("view as contact") may not act for them.
SIGNED_IN = allow(STAFF, portal(writes=True))
ACCOUNTS = allow(STAFF, PORTAL)
ADMIN_ONLY = allow(staff(StaffRole.ADMIN))
# The back office: ADMIN and OFFICE staff, not technicians.
BACK_OFFICE_ONLY = allow(BACK_OFFICE)
# Technicians, for their own clock-ins.
TECHNICIANS_ONLY = allow(staff(StaffRole.TECHNICIAN))
# Contacts alone (a contact's own calendar feed).
CONTACTS_ONLY = allow(PORTAL)

# Reading records: staff, contacts, and partner tokens with the lists scope.
READERS = allow(STAFF, PORTAL, partner("lists:read"))
# A field of a record type that every audience reaching the record may read.
SHARED = allow(STAFF, PORTAL, PARTNER)
# Contacts see it for their own records; partners do not.
OWN = allow(STAFF, PORTAL)
# Contracts and invoices: contacts only with the matching feature flag (SPEC §3).
CONTRACT_LISTS = allow(STAFF, portal("can_view_contracts"), partner("lists:read"))
INVOICE_LISTS = allow(STAFF, portal("can_view_invoices"), partner("lists:read"))
# A record's contracts and invoices: contacts with the matching flag, partners through the
# record they reach.
RECORD_CONTRACTS = allow(STAFF, portal("can_view_contracts"), PARTNER)
RECORD_INVOICES = allow(STAFF, portal("can_view_invoices"), PARTNER)
# Booking: contacts with the flag see the free slots and book (not while previewing).
BOOKING_SLOTS = allow(STAFF, portal("can_book_appointments"))
BOOKING = allow(STAFF, portal("can_book_appointments", writes=True))
TICKET_OPENING = allow(STAFF, portal("can_open_tickets", writes=True))
# Partner reports (SPEC §7): staff for the whole organization, tokens with reports:read for
# theirs; contacts have their own statistics.
REPORTS = allow(STAFF, partner("reports:read"))
# Ticket statistics: contacts read their own as well.
STATISTICS = allow(STAFF, PORTAL, partner("reports:read"))

# The figures of the partner reports (schema/reports.py), each decided by REPORTS; in this order
# they are also the columns of the reports' CSV exports (sportello/exports/reports.py).
INTERVENTION_COUNTS = ("total", "requested", "planned", "inProgress", "done", "cancelled")
HOURS = ("hours", "entries")
TICKET_FIGURES = (
    "opened",
    "resolved",
    "stillOpen",
    "medianFirstResponseMinutes",
    "p90FirstResponseMinutes",
    "medianResolutionMinutes",
    "p90ResolutionMinutes",
)
COMPLIANCE = (
    "performed",
    "passed",
    "passedWithRemarks",
    "failed",
    "passRate",
    "nonCompliantEquipment",
)
EQUIPMENT_STATUS = ("total", "compliant", "nonCompliant", "notChecked", "notRevised")
SITE_COLUMNS = ("clientId", "clientName", "siteId", "siteName")

FIELDS: dict[str, dict[str, Rule]] = {
    "Query": {
        "apiVersion": EVERYONE,
        "viewer": ACCOUNTS,
        # The login page's branding: public, and answers nothing but PortalBranding's fields.
        "portalBranding": PEOPLE,
        "node": READERS,
        "clients": READERS,
        "client": READERS,
        "sites": READERS,
        "site": READERS,
        "portalAccesses": BACK_OFFICE_ONLY,
        "portalBill": BACK_OFFICE_ONLY,
        "partnerTokens": ADMIN_ONLY,
        "availableSlots": BOOKING_SLOTS,
        "outboxMessages": BACK_OFFICE_ONLY,
        "contracts": CONTRACT_LISTS,
        "contract": CONTRACT_LISTS,
        "quotes": READERS,
        "quote": READERS,
        "invoices": INVOICE_LISTS,
        "invoice": INVOICE_LISTS,
        "tickets": READERS,
        "ticket": READERS,
        "ticketStatistics": STATISTICS,
        "departments": ACCOUNTS,
        "auditEvents": BACK_OFFICE_ONLY,
        # Calendar feeds (resolvers/calendar.py): the office reads any contact's, a contact
        # their own (issued by the office; contacts write nothing).
        "calendarFeed": BACK_OFFICE_ONLY,
        "myCalendarFeed": CONTACTS_ONLY,
        # Partner webhooks (resolvers/webhooks.py): ADMIN only, like partner tokens.
        "webhookEndpoints": ADMIN_ONLY,
        "webhookDeliveries": ADMIN_ONLY,
        "organizationSettings": BACK_OFFICE_ONLY,
        "appointments": READERS,
        "appointment": READERS,
        "calendar": READERS,
        "workSheets": READERS,
        "workSheet": READERS,
        "timesheetEntries": READERS,
        "technicianTimesheetEntries": STAFF_ONLY,
        "staffUsers": STAFF_ONLY,
        "activityTypes": READERS,
        "equipment": READERS,
        "equipmentItem": READERS,
        "revisions": READERS,
        "revision": READERS,
        # Partner tokens read no files (PARTNER_RECORDS has no documents).
        "documents": OWN,
        "document": OWN,
        "interventionReport": REPORTS,
        "hoursReport": REPORTS,
        "ticketReport": REPORTS,
        "revisionComplianceReport": REPORTS,
        "equipmentStatusReport": REPORTS,
    },
    "Mutation": {
        "login": PEOPLE,
        "acceptInvitation": PEOPLE,
        "requestPasswordReset": PEOPLE,
        "resetPassword": PEOPLE,
        "logout": ACCOUNTS,
        "changePassword": SIGNED_IN,
        "createPortalAccess": BACK_OFFICE_ONLY,
        "updatePortalAccess": BACK_OFFICE_ONLY,
        "resetPortalAccessCredentials": BACK_OFFICE_ONLY,
        "deletePortalAccess": BACK_OFFICE_ONLY,
        # GDPR erasure (resolvers/privacy.py): irreversible, so ADMIN alone.
        "eraseContact": ADMIN_ONLY,
        "setPortalEnabled": BACK_OFFICE_ONLY,
        "setClientPortalEnabled": BACK_OFFICE_ONLY,
        "createPartnerToken": ADMIN_ONLY,
        "revokePartnerToken": ADMIN_ONLY,
        "issueCalendarFeed": BACK_OFFICE_ONLY,
        "revokeCalendarFeed": BACK_OFFICE_ONLY,
        "createWebhookEndpoint": ADMIN_ONLY,
        "disableWebhookEndpoint": ADMIN_ONLY,
        "replayWebhookDelivery": ADMIN_ONLY,
        # Organization settings (resolvers/organization_settings.py); the logo: POST /branding/logo.
        "updateOrganizationSettings": ADMIN_ONLY,
        "retryOutboxMessage": BACK_OFFICE_ONLY,
        "openTicket": TICKET_OPENING,
        "setTicketStatus": BACK_OFFICE_ONLY,
        "addTicketComment": BACK_OFFICE_ONLY,
        "assignTicket": BACK_OFFICE_ONLY,
        "bookAppointment": BOOKING,
        "rescheduleAppointment": BOOKING,
        "confirmAppointment": BACK_OFFICE_ONLY,
        "cancelAppointment": BACK_OFFICE_ONLY,
        # The office places appointments and assigns technicians
        # (resolvers/appointment_staff_actions.py).
        "createAppointment": BACK_OFFICE_ONLY,
        "assignAppointment": BACK_OFFICE_ONLY,
        "signWorkSheet": BACK_OFFICE_ONLY,
        "createActivityType": BACK_OFFICE_ONLY,
        "updateActivityType": BACK_OFFICE_ONLY,
        # Field work (resolvers/worksheet_actions.py, resolvers/timesheet_actions.py): every
        # staff member drafts work sheets (a TECHNICIAN only for their own appointments, which
        # the resolver checks); technicians clock in and out for themselves; ADMIN and OFFICE
        # correct entries.
        "createWorkSheet": STAFF_ONLY,
        "updateWorkSheet": STAFF_ONLY,
        "clockIn": TECHNICIANS_ONLY,
        "clockOut": TECHNICIANS_ONLY,
        "correctTimesheetEntry": BACK_OFFICE_ONLY,
        # Records (resolvers/client_actions.py): clients, sites, departments.
        "createClient": BACK_OFFICE_ONLY,
        "updateClient": BACK_OFFICE_ONLY,
        "archiveClient": BACK_OFFICE_ONLY,
        "createSite": BACK_OFFICE_ONLY,
        "updateSite": BACK_OFFICE_ONLY,
        "archiveSite": BACK_OFFICE_ONLY,
        "createDepartment": BACK_OFFICE_ONLY,
        "updateDepartment": BACK_OFFICE_ONLY,
        "archiveDepartment": BACK_OFFICE_ONLY,
        # Documents (resolvers/document_actions.py): hide from the portal, delete.
        "setDocumentPortalVisible": BACK_OFFICE_ONLY,
        "deleteDocument": BACK_OFFICE_ONLY,
        # Import and sync by external reference (resolvers/imports/).
        "importRecords": BACK_OFFICE_ONLY,
        # Back office: equipment, contracts, quotes and invoices (resolvers/*_actions.py).
        **dict.fromkeys(
            (
                "createEquipment",
                "updateEquipment",
                "archiveEquipment",
                "createContract",
                "updateContract",
                "createQuote",
                "updateQuote",
                "setQuoteStatus",
                "createInvoice",
                "updateInvoice",
                "setInvoiceStatus",
            ),
            BACK_OFFICE_ONLY,
        ),
        # Revisions (resolvers/revision_actions.py): plan, record, correct, cancel.
        **dict.fromkeys(
            (
                "createRevision",
                "updateRevision",
                "recordRevisionResult",
                "correctRevisionResult",
                "cancelRevision",
            ),
            BACK_OFFICE_ONLY,
        ),
        # Staff users (resolvers/staff_actions.py): ADMIN manages everyone; the resolver keeps
        # OFFICE to technicians (no ADMIN or OFFICE account, no role change).
        **dict.fromkeys(
            (
                "createStaffUser",
                "updateStaffUser",
                "archiveStaffUser",
                "setWorkingHours",
                "addAbsence",
                "removeAbsence",
                "setTechnicianSkills",
            ),
            BACK_OFFICE_ONLY,
        ),
    },
    "CalendarFeed": dict.fromkeys(("url", "issuedAt", "fetchCount", "lastFetchedAt"), OWN),
    "PortalBranding": dict.fromkeys(("name", "logoUrl", "infoText", "defaultLocale"), PEOPLE),
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
        "timeZone": ACCOUNTS,
        "features": ACCOUNTS,
        "previewing": ACCOUNTS,
    },
    # A contact's own flags, read through viewer.features (staff also read them on accesses).
    "PortalFlags": dict.fromkeys(
        (
            "portalAccess",
            "receivesVisitReminders",
            "receivesSignedWorksheets",
            "canViewContracts",
            "canViewInvoices",
            "canOpenTickets",
            "canBookAppointments",
        ),
        ACCOUNTS,
    ),
    "Node": {"id": SHARED},
    "BookAppointmentInput": {
        field: OWN for field in ("siteId", "activityTypeId", "startsAt", "notes", "idempotencyKey")
    },
    "OpenTicketInput": {
        field: OWN
        for field in (
            "siteId",
            "departmentId",
            "referencePerson",
            "notes",
            "phone",
            "equipmentId",
            "urgency",
            "idempotencyKey",
        )
    },
    "Slot": {
        "startsAt": OWN,
        "endsAt": OWN,
        "technicianName": OWN,
        "addedTravelMinutes": OWN,
        "travelBeforeMinutes": OWN,
        "travelAfterMinutes": OWN,
        "comesFrom": STAFF_ONLY,
        "goesTo": STAFF_ONLY,
    },
    "Client": {
        "id": SHARED,
        "code": SHARED,
        "name": SHARED,
        "taxId": OWN,
        "email": OWN,
        "phone": OWN,
        "portalEnabled": STAFF_ONLY,
        "externalRef": STAFF_ONLY,
        "archivedAt": STAFF_ONLY,
        "sites": SHARED,
        "contracts": RECORD_CONTRACTS,
        "quotes": SHARED,
        "invoices": RECORD_INVOICES,
        "tickets": SHARED,
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
        "externalRef": STAFF_ONLY,
        "archivedAt": STAFF_ONLY,
        "client": SHARED,
        "contracts": RECORD_CONTRACTS,
        "quotes": SHARED,
        "invoices": RECORD_INVOICES,
        "tickets": SHARED,
        "equipment": SHARED,
        "nextRevision": SHARED,
        "lastRevision": SHARED,
        "appointments": SHARED,
        "workSheets": SHARED,
        "timesheetEntries": SHARED,
    },
    # Visits, work sheets and clock-ins: partners get what reports need; notes, geo positions
    # and the people behind a technician's name stay with staff (SPEC §3).
    "Appointment": {
        "id": SHARED,
        "startsAt": SHARED,
        "endsAt": SHARED,
        "status": SHARED,
        "origin": SHARED,
        "site": SHARED,
        "client": SHARED,
        "activityType": SHARED,
        "technician": SHARED,
        "notes": STAFF_ONLY,
        "reschedules": SHARED,
        "rescheduledBy": SHARED,
        "ticketId": SHARED,
        "workSheets": SHARED,
    },
    "Technician": {"displayName": SHARED, "staffUser": STAFF_ONLY},
    "ActivityType": {
        "id": SHARED,
        "name": SHARED,
        "kind": SHARED,
        "durationMinutes": SHARED,
        "portalVisible": STAFF_ONLY,
        "portalBookable": OWN,
        "portalTitle": OWN,
        "portalDescription": OWN,
        "portalLongDescription": OWN,
        "rescheduleAllowedStatuses": OWN,
        "rescheduleMinLeadHours": OWN,
    },
    "WorkSheet": {
        "documents": OWN,
        "id": SHARED,
        "number": SHARED,
        "date": SHARED,
        "description": SHARED,
        "materials": SHARED,
        "status": SHARED,
        "signedBy": OWN,
        "signedAt": SHARED,
        "internalNotes": STAFF_ONLY,
        "appointment": SHARED,
        "site": SHARED,
        "client": SHARED,
    },
    "TimesheetEntry": {
        "id": SHARED,
        "clockIn": SHARED,
        "clockOut": SHARED,
        "durationMinutes": SHARED,
        "source": SHARED,
        "site": SHARED,
        "client": SHARED,
        "appointment": SHARED,
        "technician": SHARED,
        "lat": STAFF_ONLY,
        "lng": STAFF_ONLY,
        "internalNotes": STAFF_ONLY,
    },
    "Equipment": {
        "id": SHARED,
        "kind": SHARED,
        "model": SHARED,
        "serialNumber": SHARED,
        "location": SHARED,
        "installedOn": SHARED,
        "externalRef": STAFF_ONLY,
        "archivedAt": STAFF_ONLY,
        "site": SHARED,
        "lastResult": SHARED,
    },
    "EquipmentCheck": {"outcome": SHARED, "performedAt": SHARED},
    # Contacts see performed revisions and each site's next one (PORTAL_RECORDS); the office's
    # notes stay internal; the inspector's findings per item are the client's to read.
    # Documents are the client's: partner tokens read no files.
    "Revision": {
        "id": SHARED,
        "dueMonth": SHARED,
        "plannedDate": SHARED,
        "performedAt": SHARED,
        "result": SHARED,
        "cancelledAt": SHARED,
        "notes": STAFF_ONLY,
        "contractId": RECORD_CONTRACTS,
        "site": SHARED,
        "items": SHARED,
        "outcomes": SHARED,
        "documents": OWN,
    },
    "RevisionItem": {"outcome": SHARED, "notes": OWN, "equipment": SHARED},
    "RevisionOutcomes": {"compliant": SHARED, "nonCompliant": SHARED, "notChecked": SHARED},
    "Document": {
        "id": OWN,
        "kind": OWN,
        "fileName": OWN,
        "mimeType": OWN,
        "sizeBytes": OWN,
        "sha256": OWN,
        "createdAt": OWN,
        "downloadUrl": OWN,
        "portalVisible": STAFF_ONLY,
    },
    "Contract": {
        "documents": OWN,
        "id": SHARED,
        "number": SHARED,
        "kind": SHARED,
        "description": SHARED,
        "startsOn": SHARED,
        "expiresOn": SHARED,
        "externalRef": STAFF_ONLY,
        "daysToExpiry": SHARED,
        "client": SHARED,
        "site": SHARED,
    },
    "Quote": {
        "documents": OWN,
        "id": SHARED,
        "number": SHARED,
        "title": SHARED,
        "issuedOn": SHARED,
        "validUntil": SHARED,
        "status": SHARED,
        "netCents": SHARED,
        "vatCents": SHARED,
        "totalCents": SHARED,
        "currency": SHARED,
        "costCents": STAFF_ONLY,
        "marginCents": STAFF_ONLY,
        "client": SHARED,
        "site": SHARED,
    },
    "Invoice": {
        "documents": OWN,
        "id": SHARED,
        "number": SHARED,
        "issuedOn": SHARED,
        "dueOn": SHARED,
        "paidOn": SHARED,
        "status": SHARED,
        "netCents": SHARED,
        "vatCents": SHARED,
        "totalCents": SHARED,
        "currency": SHARED,
        "costCents": STAFF_ONLY,
        "marginCents": STAFF_ONLY,
        "client": SHARED,
        "site": SHARED,
    },
    # Partners get what reports need; the people, free text and conversation stay with staff
    # and the client's contacts.
    "Ticket": {
        "id": SHARED,
        "number": SHARED,
        "client": SHARED,
        "site": SHARED,
        "department": SHARED,
        "equipmentId": SHARED,
        "referencePerson": OWN,
        "phone": OWN,
        "notes": OWN,
        "urgency": SHARED,
        "status": SHARED,
        "openedAt": SHARED,
        "openedBy": OWN,
        "comments": OWN,
    },
    "TicketComment": {
        "body": OWN,
        "createdAt": OWN,
        "author": OWN,
        "visibleToClient": STAFF_ONLY,
    },
    # Contacts and staff show as first name and last initial; the full name is for staff.
    "TicketAuthor": {"kind": OWN, "displayName": OWN, "fullName": STAFF_ONLY},
    "Department": {
        "id": SHARED,
        "name": SHARED,
        "portalVisible": STAFF_ONLY,
        "externalRef": STAFF_ONLY,
        "archivedAt": STAFF_ONLY,
    },
    "TicketStatistics": {
        "total": SHARED,
        "byStatus": SHARED,
        "byUrgency": SHARED,
        "perMonth": SHARED,
    },
    "TicketStatusCount": {"status": SHARED, "count": SHARED},
    "TicketUrgencyCount": {"urgency": SHARED, "count": SHARED},
    "TicketMonthCount": {"month": SHARED, "count": SHARED},
    # Reports hold aggregates and names of clients, sites and activity types: no people.
    "InterventionReport": {"totals": REPORTS, "rows": REPORTS},
    "InterventionFigures": dict.fromkeys(INTERVENTION_COUNTS, REPORTS),
    "InterventionReportRow": dict.fromkeys(
        (*INTERVENTION_COUNTS, "periodStart", "groupId", "groupName"), REPORTS
    ),
    "HoursReport": {"totals": REPORTS, "rows": REPORTS},
    "HoursFigures": dict.fromkeys(HOURS, REPORTS),
    "HoursReportRow": dict.fromkeys((*HOURS, "periodStart", *SITE_COLUMNS), REPORTS),
    "TicketReport": {"totals": REPORTS, "byUrgency": REPORTS},
    "TicketFigures": dict.fromkeys(TICKET_FIGURES, REPORTS),
    "TicketUrgencyFigures": dict.fromkeys((*TICKET_FIGURES, "urgency"), REPORTS),
    "RevisionComplianceReport": {"totals": REPORTS, "rows": REPORTS},
    "RevisionComplianceFigures": dict.fromkeys(COMPLIANCE, REPORTS),
    "RevisionComplianceRow": dict.fromkeys((*COMPLIANCE, "periodStart", *SITE_COLUMNS), REPORTS),
    "EquipmentStatusReport": {"totals": REPORTS, "rows": REPORTS},
    "EquipmentStatusFigures": dict.fromkeys(EQUIPMENT_STATUS, REPORTS),
    "EquipmentStatusRow": dict.fromkeys((*EQUIPMENT_STATUS, *SITE_COLUMNS), REPORTS),
}

# Connections, edges and page info carry no data of their own: whoever reaches one through a
# field it may read may read its structure.
_STRUCTURE = {
    "Connection": {"edges", "pageInfo", "totalCount"},
    "Edge": {"cursor", "node"},
}


def null_when_refused(type_name: str, field_name: str) -> bool:
    """Is this a read that a contact's feature flag gates (a site's invoices)?

    Then the portal view holds the field nullable, and a contact without the flag gets
    ``null`` with a FORBIDDEN error at the field's path, the rest of the answer intact, rather
    than a refused document (SPEC §9): the web client may send one document to every contact.
    Writes (mutations) stay refused whole.
    """
    if type_name == "Mutation":
        return False
    rule = rule_for(type_name, field_name)
    return rule is not None and any(
        grant.audience is Audience.PORTAL and grant.flag is not None and not grant.writes
        for grant in rule.grants
    )


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
