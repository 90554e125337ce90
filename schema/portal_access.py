"""Portal accesses as staff manage them, partner tokens, and the monthly portal bill."""

from __future__ import annotations

import datetime as dt

import strawberry

from authz.policy import ACCOUNTS
from db import models as m
from schema.kit.permissions import readable

ContactState = m.ContactState
strawberry.enum(ContactState)


@strawberry.type(description="What an access may use of the portal.")
class PortalFlags:
    portal_access: bool = readable(ACCOUNTS)
    receives_visit_reminders: bool = readable(ACCOUNTS)
    receives_signed_worksheets: bool = readable(ACCOUNTS)
    can_view_contracts: bool = readable(ACCOUNTS)
    can_view_invoices: bool = readable(ACCOUNTS)
    can_open_tickets: bool = readable(ACCOUNTS)
    can_book_appointments: bool = readable(ACCOUNTS)


@strawberry.input(description="Feature flags; a flag left out keeps its value (or is off).")
class PortalFlagsInput:
    portal_access: bool | None = None
    receives_visit_reminders: bool | None = None
    receives_signed_worksheets: bool | None = None
    can_view_contracts: bool | None = None
    can_view_invoices: bool | None = None
    can_open_tickets: bool | None = None
    can_book_appointments: bool | None = None


@strawberry.type(description="A client or a single site an access may see.")
class PortalGrant:
    client_id: strawberry.ID | None
    site_id: strawberry.ID | None
    name: str


@strawberry.type(description="A client contact's login to the portal.")
class PortalAccess:
    id: strawberry.ID
    first_name: str
    last_name: str
    username: str
    email: str
    phone: str | None
    mobile: str | None
    notes: str
    locale: str | None
    state: ContactState
    last_login_at: dt.datetime | None
    created_at: dt.datetime
    flags: PortalFlags
    grants: list[PortalGrant]


@strawberry.input
class CreatePortalAccessInput:
    first_name: str
    last_name: str
    email: str
    username: str | None = strawberry.UNSET
    phone: str | None = None
    mobile: str | None = None
    notes: str = ""
    locale: str | None = None
    client_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    site_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    flags: PortalFlagsInput | None = None
    send_invitation: bool = True


@strawberry.input(description="Fields left out keep their value; grants are replaced if given.")
class UpdatePortalAccessInput:
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    username: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    mobile: str | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET
    locale: str | None = strawberry.UNSET
    client_ids: list[strawberry.ID] | None = strawberry.UNSET
    site_ids: list[strawberry.ID] | None = strawberry.UNSET
    flags: PortalFlagsInput | None = strawberry.UNSET


@strawberry.type
class BilledAccess:
    access_id: strawberry.ID
    name: str
    email: str
    created_at: dt.datetime
    deleted_at: dt.datetime | None


@strawberry.type(description="Portal accesses billed for one month; amounts in cents.")
class PortalBill:
    month: str
    currency: str
    unit_fee_cents: int
    vat_rate_percent: str
    access_count: int
    net_cents: int
    vat_cents: int
    total_cents: int
    accesses: list[BilledAccess]


@strawberry.type(description="A partner API token; its secret is shown only when created.")
class PartnerToken:
    id: strawberry.ID
    name: str
    last_four: str
    scopes: list[str]
    client_ids: list[strawberry.ID]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


@strawberry.type
class CreatedPartnerToken:
    secret: str = strawberry.field(description="Shown once; store it now.")
    partner_token: PartnerToken


@strawberry.input
class CreatePartnerTokenInput:
    name: str
    scopes: list[str]
    client_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    expires_at: dt.datetime | None = None
