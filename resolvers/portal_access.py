"""Staff managing portal accesses, partner tokens and the monthly portal bill.

Who may call what is in authz/policy.py (ADMIN and OFFICE manage accesses and see the bill;
ADMIN alone manages partner tokens); every change is audited.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator
from typing import Any

import strawberry
from strawberry import Info

from authz import secrets
from authz.identity import login as auth
from authz.principals import StaffPrincipal
from db import models as m
from db.queries import accounts, audit, partner_tokens, portal_access, portal_billing
from mailer.links import link_mailer
from schema import portal_access as types
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput, Forbidden, NotFound
from schema.kit.names import full_name
from schema.kit.periods import parse_month
from sportello.base.clock import now_utc

ContextInfo = Info[Context, None]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LOCALES = ("it", "es", "en")
PARTNER_SCOPES = ("reports:read", "lists:read", "exports:read")
MAX_PAGE = 200
LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "username": 100,
    "email": 254,
    "phone": 40,
    "mobile": 40,
    "notes": 2000,
}


def staff_of(info: ContextInfo) -> StaffPrincipal:
    principal = info.context.principal
    if not isinstance(principal, StaffPrincipal):
        raise Forbidden("Staff only.")
    return principal


@contextlib.contextmanager
def _taken_is_bad_input() -> Iterator[None]:
    """An email or username taken by a request running at the same time, found by the unique
    index after this request checked: the same answer as when the check finds it."""
    try:
        yield
    except portal_access.Taken as taken:
        raise BadUserInput(taken.field, f"another access already uses this {taken.field}") from None


def _text(field: str, value: str | None, *, required: bool) -> str | None:
    if value is None:
        if required:
            raise BadUserInput(field, "is required")
        return None
    value = value.strip()
    if required and not value:
        raise BadUserInput(field, "must not be empty")
    snake = re.sub(r"([A-Z])", r"_\1", field).lower()
    if len(value) > LIMITS.get(snake, 200):
        raise BadUserInput(field, f"use at most {LIMITS.get(snake, 200)} characters")
    return value


def _email(value: str) -> str:
    email = _text("email", value, required=True) or ""
    if not EMAIL.match(email):
        raise BadUserInput("email", "is not an email address")
    return email


def _locale(value: str | None) -> str | None:
    if value is not None and value not in LOCALES:
        raise BadUserInput("locale", f"use one of {', '.join(LOCALES)}")
    return value


def _ids(field: str, type_name: str, values: list[strawberry.ID]) -> list[uuid.UUID]:
    decoded = [ids.decode(type_name, value) for value in values]
    if any(value is None for value in decoded):
        raise BadUserInput(field, f"holds an id that is not a {type_name}")
    return [value for value in decoded if value is not None]


def _flags(given: types.PortalFlagsInput | None) -> dict[str, bool]:
    if given is None:
        return {}
    return {
        name: value for name in portal_access.FLAGS if (value := getattr(given, name)) is not None
    }


def access_type(row: portal_access.AccessRow) -> types.PortalAccess:
    return types.PortalAccess(
        id=ids.encode("PortalAccess", row.id),
        first_name=row.first_name,
        last_name=row.last_name,
        username=row.username,
        email=row.email,
        phone=row.phone,
        mobile=row.mobile,
        notes=row.notes,
        locale=row.locale,
        state=types.ContactState(row.state),
        last_login_at=row.last_login_at,
        created_at=row.created_at,
        flags=types.PortalFlags(**row.flags),
        grants=[
            types.PortalGrant(
                client_id=ids.encode("Client", g.client_id) if g.client_id else None,
                site_id=ids.encode("Site", g.site_id) if g.site_id else None,
                name=g.name,
            )
            for g in row.grants
        ],
    )


async def _check_grants(
    info: ContextInfo,
    organization_id: uuid.UUID,
    client_ids: list[uuid.UUID],
    site_ids: list[uuid.UUID],
) -> None:
    if not client_ids and not site_ids:
        raise BadUserInput("clientIds", "grant at least one client or site")
    clients, sites = await portal_access.unknown_targets(
        info.context.db, organization_id, client_ids, site_ids
    )
    if clients:
        raise BadUserInput("clientIds", "holds a client that does not exist")
    if sites:
        raise BadUserInput("siteIds", "holds a site that does not exist")


async def _one(
    info: ContextInfo, organization_id: uuid.UUID, access_id: uuid.UUID
) -> types.PortalAccess:
    rows = await portal_access.list_accesses(
        info.context.db, organization_id, search=None, limit=1, ids=[access_id]
    )
    if not rows:
        raise NotFound("portal access")
    return access_type(rows[0])


async def _invite(info: ContextInfo, access_id: uuid.UUID) -> None:
    context = info.context
    account = await accounts.get(context.db, accounts.AccountKind.CONTACT, access_id)
    assert account is not None
    await auth.send_link(
        context.db,
        context.settings,
        account,
        m.TokenPurpose.INVITATION,
        link_mailer(context.settings.public_url),
    )


async def _audit(
    info: ContextInfo, action: str, subject_type: str, subject_id: uuid.UUID, **details: Any
) -> None:
    staff = staff_of(info)
    actor = audit.ActorRef("STAFF", staff.user_id)
    await audit.record(
        info.context.db,
        staff.organization_id,
        action,
        actor=actor,
        ip=info.context.caller.ip,
        subject_type=subject_type,
        subject_id=subject_id,
        details=details,
    )


@strawberry.type
class PortalAccessQuery:
    @strawberry.field(description="Portal accesses, searched by name, username or email.")
    async def portal_accesses(
        self, info: ContextInfo, search: str | None = None, first: int = 50
    ) -> list[types.PortalAccess]:
        staff = staff_of(info)
        if not 1 <= first <= MAX_PAGE:
            raise BadUserInput("first", f"must be between 1 and {MAX_PAGE}")
        rows = await portal_access.list_accesses(
            info.context.db, staff.organization_id, search=(search or "")[:100], limit=first
        )
        return [access_type(row) for row in rows]

    @strawberry.field(description="Portal accesses billed for a month (YYYY-MM).")
    async def portal_bill(self, info: ContextInfo, month: str) -> types.PortalBill:
        staff = staff_of(info)
        first_day = parse_month(month, "month")
        bill = await portal_billing.month_bill(info.context.db, staff.organization_id, first_day)
        return types.PortalBill(
            month=month,
            currency=bill.currency,
            unit_fee_cents=bill.unit_fee_cents,
            vat_rate_percent=str(bill.vat_rate_percent),
            access_count=len(bill.accesses),
            net_cents=bill.net_cents,
            vat_cents=bill.vat_cents,
            total_cents=bill.total_cents,
            accesses=[
                types.BilledAccess(
                    access_id=ids.encode("PortalAccess", a.id),
                    name=full_name(a.first_name, a.last_name),
                    email=a.email,
                    created_at=a.created_at,
                    deleted_at=a.deleted_at,
                )
                for a in bill.accesses
            ],
        )

    @strawberry.field(description="Partner API tokens of the organization (never the secret).")
    async def partner_tokens(self, info: ContextInfo) -> list[types.PartnerToken]:
        staff = staff_of(info)
        rows = await partner_tokens.list_tokens(info.context.db, staff.organization_id)
        return [token_type(row) for row in rows]


def token_type(row: partner_tokens.TokenRow) -> types.PartnerToken:
    return types.PartnerToken(
        id=ids.encode("PartnerToken", row.id),
        name=row.name,
        last_four=row.last_four,
        scopes=row.scopes,
        client_ids=[ids.encode("Client", c) for c in row.client_ids],
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


@strawberry.type
class PortalAccessMutation:
    @strawberry.mutation(description="Give a client contact a portal login in one step.")
    async def create_portal_access(
        self, info: ContextInfo, input: types.CreatePortalAccessInput
    ) -> types.PortalAccess:
        staff = staff_of(info)
        db, org = info.context.db, staff.organization_id
        first_name = _text("firstName", input.first_name, required=True) or ""
        last_name = _text("lastName", input.last_name, required=True) or ""
        email = _email(input.email)
        client_ids = _ids("clientIds", "Client", input.client_ids)
        site_ids = _ids("siteIds", "Site", input.site_ids)
        await _check_grants(info, org, client_ids, site_ids)
        if await portal_access.email_taken(db, org, email):
            raise BadUserInput("email", "another access already uses this email")
        username = _text("username", input.username or None, required=False)
        if username is None:
            username = await portal_access.free_username(db, org, first_name, last_name)
        elif await portal_access.username_taken(db, org, username):
            raise BadUserInput("username", "another access already uses this username")
        values = {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "username": username,
            "phone": _text("phone", input.phone, required=False),
            "mobile": _text("mobile", input.mobile, required=False),
            "notes": _text("notes", input.notes, required=False) or "",
            "locale": _locale(input.locale),
            **{name: False for name in portal_access.FLAGS},
            "portal_access": True,
            **_flags(input.flags),
        }
        now = now_utc()
        with _taken_is_bad_input():
            access_id = await portal_access.create(db, org, values, now)
        await portal_access.replace_grants(db, org, access_id, client_ids, site_ids, now)
        if input.send_invitation:
            await _invite(info, access_id)
        await _audit(
            info, "portal_access_created", "Contact", access_id, invited=input.send_invitation
        )
        return await _one(info, org, access_id)

    @strawberry.mutation(description="Change an access; grants are replaced when given.")
    async def update_portal_access(
        self, info: ContextInfo, id: strawberry.ID, input: types.UpdatePortalAccessInput
    ) -> types.PortalAccess:
        staff = staff_of(info)
        db, org = info.context.db, staff.organization_id
        access_id = ids.decode("PortalAccess", id)
        if access_id is None:
            raise NotFound("portal access")
        values: dict[str, Any] = {}
        for field in ("first_name", "last_name"):
            given = getattr(input, field)
            if given is not strawberry.UNSET:
                camel = re.sub(r"_(\w)", lambda x: x.group(1).upper(), field)
                values[field] = _text(camel, given, required=True)
        for field in ("phone", "mobile", "notes"):
            given = getattr(input, field)
            if given is not strawberry.UNSET:
                values[field] = _text(field, given, required=False) or (
                    "" if field == "notes" else None
                )
        if input.locale is not strawberry.UNSET:
            values["locale"] = _locale(input.locale)
        if input.email is not strawberry.UNSET:
            values["email"] = _email(input.email or "")
            if await portal_access.email_taken(db, org, values["email"], but=access_id):
                raise BadUserInput("email", "another access already uses this email")
        if input.username is not strawberry.UNSET:
            values["username"] = _text("username", input.username, required=True)
            if await portal_access.username_taken(db, org, values["username"], but=access_id):
                raise BadUserInput("username", "another access already uses this username")
        if input.flags is not strawberry.UNSET:
            values.update(_flags(input.flags))
        with _taken_is_bad_input():
            updated = await portal_access.update(db, org, access_id, values, now_utc())
        if not updated:
            raise NotFound("portal access")
        if input.client_ids is not strawberry.UNSET or input.site_ids is not strawberry.UNSET:
            current = await _one(info, org, access_id)
            client_ids = (
                _ids("clientIds", "Client", input.client_ids or [])
                if input.client_ids is not strawberry.UNSET
                else [ids.decode("Client", g.client_id) for g in current.grants if g.client_id]
            )
            site_ids = (
                _ids("siteIds", "Site", input.site_ids or [])
                if input.site_ids is not strawberry.UNSET
                else [ids.decode("Site", g.site_id) for g in current.grants if g.site_id]
            )
            kept_clients = [c for c in client_ids if c is not None]
            kept_sites = [s for s in site_ids if s is not None]
            await _check_grants(info, org, kept_clients, kept_sites)
            await portal_access.replace_grants(
                db, org, access_id, kept_clients, kept_sites, now_utc()
            )
        await _audit(
            info,
            "portal_access_changed",
            "Contact",
            access_id,
            fields=sorted(values) + (["grants"] if input.client_ids or input.site_ids else []),
        )
        return await _one(info, org, access_id)

    @strawberry.mutation(description="Forget the password, end sessions, send a new invitation.")
    async def reset_portal_access_credentials(
        self, info: ContextInfo, id: strawberry.ID
    ) -> types.PortalAccess:
        staff = staff_of(info)
        access_id = ids.decode("PortalAccess", id)
        now = now_utc()
        if access_id is None or not await portal_access.reset_credentials(
            info.context.db, staff.organization_id, access_id, now
        ):
            raise NotFound("portal access")
        await _invite(info, access_id)
        await _audit(info, "portal_access_credentials_reset", "Contact", access_id)
        return await _one(info, staff.organization_id, access_id)

    @strawberry.mutation(
        description="Delete an access: its sessions end at once, its clients "
        "stay, it is billed up to this month."
    )
    async def delete_portal_access(self, info: ContextInfo, id: strawberry.ID) -> bool:
        staff = staff_of(info)
        access_id = ids.decode("PortalAccess", id)
        if access_id is None or not await portal_access.delete(
            info.context.db, staff.organization_id, access_id, now_utc()
        ):
            raise NotFound("portal access")
        await _audit(info, "portal_access_deleted", "Contact", access_id)
        return True

    @strawberry.mutation(description="Switch the client portal on or off for the organization.")
    async def set_portal_enabled(self, info: ContextInfo, enabled: bool) -> bool:
        staff = staff_of(info)
        await portal_access.set_organization_portal(
            info.context.db, staff.organization_id, enabled, now_utc()
        )
        await _audit(
            info, "portal_switched", "Organization", staff.organization_id, enabled=enabled
        )
        return enabled

    @strawberry.mutation(description="Switch the client portal on or off for one client.")
    async def set_client_portal_enabled(
        self, info: ContextInfo, client_id: strawberry.ID, enabled: bool
    ) -> bool:
        staff = staff_of(info)
        client = ids.decode("Client", client_id)
        if client is None or not await portal_access.set_client_portal(
            info.context.db, staff.organization_id, client, enabled, now_utc()
        ):
            raise NotFound("client")
        await _audit(info, "client_portal_switched", "Client", client, enabled=enabled)
        return enabled

    @strawberry.mutation(description="Create a partner API token; the secret is shown once.")
    async def create_partner_token(
        self, info: ContextInfo, input: types.CreatePartnerTokenInput
    ) -> types.CreatedPartnerToken:
        staff = staff_of(info)
        db, org = info.context.db, staff.organization_id
        name = _text("name", input.name, required=True) or ""
        unknown = sorted(set(input.scopes) - set(PARTNER_SCOPES))
        if not input.scopes or unknown:
            raise BadUserInput("scopes", f"use some of {', '.join(PARTNER_SCOPES)}")
        client_ids = _ids("clientIds", "Client", input.client_ids)
        if set(client_ids) - await partner_tokens.existing_clients(db, org, client_ids):
            raise BadUserInput("clientIds", "holds a client that does not exist")
        now = now_utc()
        if input.expires_at is not None and input.expires_at <= now:
            raise BadUserInput("expiresAt", "must be in the future")
        secret, digest = secrets.new_secret(secrets.PARTNER)
        token_id = await partner_tokens.create(
            db,
            org,
            name=name,
            token_hash=digest,
            last_four=secret[-4:],
            scopes=input.scopes,
            client_ids=client_ids,
            expires_at=input.expires_at,
            created_by_id=staff.user_id,
            now=now,
        )
        await _audit(
            info,
            "partner_token_created",
            "PartnerToken",
            token_id,
            scopes=sorted(set(input.scopes)),
            clients=len(client_ids),
        )
        row = next(t for t in await partner_tokens.list_tokens(db, org) if t.id == token_id)
        return types.CreatedPartnerToken(secret=secret, partner_token=token_type(row))

    @strawberry.mutation(description="Revoke a partner token; it stops working at once.")
    async def revoke_partner_token(self, info: ContextInfo, id: strawberry.ID) -> bool:
        staff = staff_of(info)
        token_id = ids.decode("PartnerToken", id)
        if token_id is None or not await partner_tokens.revoke(
            info.context.db, staff.organization_id, token_id, now_utc()
        ):
            raise NotFound("partner token")
        await _audit(info, "partner_token_revoked", "PartnerToken", token_id)
        return True
