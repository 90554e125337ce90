"""The one schema of Sportello, assembled from the domain parts, and its audience views."""

from __future__ import annotations

from functools import cache, lru_cache

from strawberry.tools import merge_types

from authz.principals import Audience, Principal
from authz.rules import capability
from resolvers.activity_type_actions import ActivityTypeMutation
from resolvers.activity_types import ActivityTypeQuery
from resolvers.appointment_actions import AppointmentMutation
from resolvers.appointment_staff_actions import AppointmentStaffMutation
from resolvers.appointments import AppointmentQuery
from resolvers.audit import AuditQuery
from resolvers.billing import BillingQuery
from resolvers.billing_actions import BillingMutation
from resolvers.booking import BookingQuery
from resolvers.branding import BrandingQuery
from resolvers.calendar import CalendarMutation, CalendarQuery
from resolvers.client_actions import ClientActionMutation
from resolvers.clients import ClientQuery
from resolvers.contracts import ContractQuery
from resolvers.document_actions import DocumentMutation
from resolvers.documents import DocumentQuery
from resolvers.equipment import EquipmentQuery
from resolvers.equipment_actions import EquipmentMutation
from resolvers.identity import IdentityMutation, IdentityQuery
from resolvers.imports.mutation import ImportMutation
from resolvers.node import NodeQuery
from resolvers.organization_settings import (
    OrganizationSettingsMutation,
    OrganizationSettingsQuery,
)
from resolvers.outbox import OutboxMutation, OutboxQuery
from resolvers.partner_tokens import PartnerTokenMutation, PartnerTokenQuery
from resolvers.portal_access import PortalAccessMutation, PortalAccessQuery
from resolvers.portal_billing import PortalBillingQuery
from resolvers.privacy import PrivacyMutation
from resolvers.reports import ReportQuery
from resolvers.revision_actions import RevisionMutation
from resolvers.revisions import RevisionQuery
from resolvers.staff import StaffQuery
from resolvers.staff_actions import StaffActionMutation
from resolvers.technician_actions import TechnicianMutation
from resolvers.ticket_actions import TicketMutation
from resolvers.tickets import TicketQuery
from resolvers.timesheet_actions import TimesheetMutation
from resolvers.timesheets import TimesheetQuery
from resolvers.webhooks import WebhookMutation, WebhookQuery
from resolvers.worksheet_actions import WorkSheetMutation
from resolvers.worksheets import WorkSheetQuery
from schema.kit.views import ViewSchema, build_views, holds_any
from schema.meta import MetaQuery

# One part per line, so that adding a domain is adding a line.
Query = merge_types(
    "Query",
    (
        MetaQuery,
        IdentityQuery,
        BrandingQuery,
        NodeQuery,
        ClientQuery,
        PortalAccessQuery,
        PortalBillingQuery,
        PartnerTokenQuery,
        ContractQuery,
        BillingQuery,
        TicketQuery,
        AuditQuery,
        BookingQuery,
        OutboxQuery,
        EquipmentQuery,
        RevisionQuery,
        DocumentQuery,
        AppointmentQuery,
        WorkSheetQuery,
        TimesheetQuery,
        StaffQuery,
        ActivityTypeQuery,
        ReportQuery,
        OrganizationSettingsQuery,
        CalendarQuery,
        WebhookQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        IdentityMutation,
        PortalAccessMutation,
        PartnerTokenMutation,
        OutboxMutation,
        TicketMutation,
        AppointmentMutation,
        AppointmentStaffMutation,
        ActivityTypeMutation,
        ClientActionMutation,
        EquipmentMutation,
        BillingMutation,
        WorkSheetMutation,
        TimesheetMutation,
        RevisionMutation,
        OrganizationSettingsMutation,
        StaffActionMutation,
        TechnicianMutation,
        ImportMutation,
        DocumentMutation,
        CalendarMutation,
        PrivacyMutation,
        WebhookMutation,
    ),
)


@lru_cache(maxsize=256)
def narrowed_view(stand_in: Principal) -> ViewSchema:
    """The view of one capability: without the fields its flags, role or scopes refuse.

    Introspection runs against it, so a contact without invoices does not even learn that
    invoices exist.
    """
    return ViewSchema(
        stand_in.audience,
        query=Query,
        mutation=_mutation_for(stand_in.audience),
        principal=stand_in,
    )


def view_for(principal: Principal, *, narrowed: bool) -> ViewSchema:
    if narrowed:
        return narrowed_view(capability(principal))
    return views()[principal.audience]


def _mutation_for(audience: Audience) -> type | None:
    return Mutation if holds_any(audience, Mutation) else None


@cache
def views() -> dict[Audience, ViewSchema]:
    """Every audience's view, built once per process (building checks the policy table)."""
    return build_views(Query, Mutation)
