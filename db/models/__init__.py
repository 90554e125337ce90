"""Every table of Sportello; importing this package registers them all on SQLModel.metadata."""

from __future__ import annotations

from sqlmodel import SQLModel

from db.models.activity_types import ActivityKind, ActivityType
from db.models.appointments import Intervention, InterventionOrigin, InterventionStatus
from db.models.audit import AuditEvent
from db.models.billing import Invoice, InvoiceStatus, Quote, QuoteStatus
from db.models.calendar import CalendarFeed
from db.models.clients import Client, Site
from db.models.contacts import Contact, ContactState, PortalGrant
from db.models.contracts import Contract
from db.models.documents import DOCUMENT_OWNERS, Document, DocumentKind
from db.models.equipment import Equipment
from db.models.identity import (
    AccountToken,
    LoginThrottle,
    PartnerToken,
    PartnerTokenClient,
    PartnerUsage,
    PasswordResetRequest,
    Session,
    TokenPurpose,
)
from db.models.organizations import Organization
from db.models.outbox import OutboxMessage, OutboxStatus
from db.models.revisions import ItemOutcome, Revision, RevisionItem, RevisionResult
from db.models.staff import Absence, StaffRole, StaffUser, TechnicianSkill, WorkingHours
from db.models.tickets import Department, Ticket, TicketComment, TicketStatus, Urgency
from db.models.timesheets import ClockSource, TimesheetEntry
from db.models.usage import AccountUsage, AddressUsage
from db.models.webhooks import WebhookDelivery, WebhookEndpoint, WebhookEvent
from db.models.worksheets import WorkSheet, WorkSheetStatus

metadata = SQLModel.metadata

__all__ = [
    "DOCUMENT_OWNERS",
    "Absence",
    "AccountToken",
    "AccountUsage",
    "ActivityKind",
    "ActivityType",
    "AddressUsage",
    "AuditEvent",
    "CalendarFeed",
    "Client",
    "ClockSource",
    "Contact",
    "ContactState",
    "Contract",
    "Department",
    "Document",
    "DocumentKind",
    "Equipment",
    "Intervention",
    "InterventionOrigin",
    "InterventionStatus",
    "Invoice",
    "InvoiceStatus",
    "ItemOutcome",
    "LoginThrottle",
    "Organization",
    "OutboxMessage",
    "OutboxStatus",
    "PartnerToken",
    "PartnerTokenClient",
    "PartnerUsage",
    "PasswordResetRequest",
    "PortalGrant",
    "Quote",
    "QuoteStatus",
    "Revision",
    "RevisionItem",
    "RevisionResult",
    "Session",
    "Site",
    "StaffRole",
    "StaffUser",
    "TechnicianSkill",
    "Ticket",
    "TicketComment",
    "TicketStatus",
    "TimesheetEntry",
    "TokenPurpose",
    "Urgency",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "WorkSheet",
    "WorkSheetStatus",
    "WorkingHours",
    "metadata",
]
