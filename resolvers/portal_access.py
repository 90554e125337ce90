"""Staff managing the client contacts' portal accesses and switching the portal on or off.

Who may call what is in authz/policy.py (ADMIN and OFFICE manage accesses); every change is
audited. Partner tokens are in resolvers/partner_tokens.py, the monthly bill in
resolvers/portal_billing.py.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator
from typing import Any

import strawberry
from strawberry import Info

from authz.identity import login as auth
from authz.policy import BACK_OFFICE_ONLY
from db import models as m
from db.queries import accounts, portal_access, portal_access_actions
from db.scoped import records
from mailer.links import link_mailer
from resolvers.kit import audited
from resolvers.kit.callers import staff_of
from resolvers.kit.inputs import global_ids, text_input
from schema import portal_access as types
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput, NotFound
from schema.kit.permissions import permitted
from sportello.base.clock import now_utc

ContextInfo = Info[Context, None]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LOCALES = ("it", "es", "en")
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


@contextlib.contextmanager
def _taken_is_bad_input() -> Iterator[None]:
    """An email or username taken by a request running at the same time, found by the unique
    index after this request checked: the same answer as when the check finds it."""
    try:
        yield
    except records.Taken as taken:
        raise BadUserInput(taken.field, f"another access already uses this {taken.field}") from None


def _text(field: str, value: str | None, *, required: bool) -> str | None:
    snake = re.sub(r"([A-Z])", r"_\1", field).lower()
    return text_input(field, value, required=required, limit=LIMITS.get(snake, 200))


def _email(value: str) -> str:
    email = _text("email", value, required=True) or ""
    if not EMAIL.match(email):
        raise BadUserInput("email", "is not an email address")
    return email


def _locale(value: str | None) -> str | None:
    if value is not None and value not in LOCALES:
        raise BadUserInput("locale", f"use one of {', '.join(LOCALES)}")
    return value


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


@strawberry.type
class PortalAccessQuery:
    @strawberry.field(
        description="Portal accesses, searched by name, username or email.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
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


@strawberry.type
class PortalAccessMutation:
    @strawberry.mutation(
        description="Give a client contact a portal login in one step.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def create_portal_access(
        self, info: ContextInfo, input: types.CreatePortalAccessInput
    ) -> types.PortalAccess:
        staff = staff_of(info)
        db, org = info.context.db, staff.organization_id
        first_name = _text("firstName", input.first_name, required=True) or ""
        last_name = _text("lastName", input.last_name, required=True) or ""
        email = _email(input.email)
        client_ids = global_ids("clientIds", "Client", input.client_ids)
        site_ids = global_ids("siteIds", "Site", input.site_ids)
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
            access_id = await portal_access_actions.create(db, org, values, now)
        await portal_access_actions.replace_grants(db, org, access_id, client_ids, site_ids, now)
        if input.send_invitation:
            await _invite(info, access_id)
        await audited.record(
            info.context,
            "portal_access_created",
            "Contact",
            access_id,
            {"invited": input.send_invitation},
        )
        return await _one(info, org, access_id)

    @strawberry.mutation(
        description="Change an access; grants are replaced when given.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
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
            updated = await portal_access_actions.update(db, org, access_id, values, now_utc())
        if not updated:
            raise NotFound("portal access")
        if input.client_ids is not strawberry.UNSET or input.site_ids is not strawberry.UNSET:
            current = await _one(info, org, access_id)
            client_ids = (
                global_ids("clientIds", "Client", input.client_ids or [])
                if input.client_ids is not strawberry.UNSET
                else [ids.decode("Client", g.client_id) for g in current.grants if g.client_id]
            )
            site_ids = (
                global_ids("siteIds", "Site", input.site_ids or [])
                if input.site_ids is not strawberry.UNSET
                else [ids.decode("Site", g.site_id) for g in current.grants if g.site_id]
            )
            kept_clients = [c for c in client_ids if c is not None]
            kept_sites = [s for s in site_ids if s is not None]
            await _check_grants(info, org, kept_clients, kept_sites)
            await portal_access_actions.replace_grants(
                db, org, access_id, kept_clients, kept_sites, now_utc()
            )
        await audited.record(
            info.context,
            "portal_access_changed",
            "Contact",
            access_id,
            {"fields": sorted(values) + (["grants"] if input.client_ids or input.site_ids else [])},
        )
        return await _one(info, org, access_id)

    @strawberry.mutation(
        description="Forget the password, end sessions, send a new invitation.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def reset_portal_access_credentials(
        self, info: ContextInfo, id: strawberry.ID
    ) -> types.PortalAccess:
        staff = staff_of(info)
        access_id = ids.decode("PortalAccess", id)
        now = now_utc()
        if access_id is None or not await portal_access_actions.reset_credentials(
            info.context.db, staff.organization_id, access_id, now
        ):
            raise NotFound("portal access")
        await _invite(info, access_id)
        await audited.record(
            info.context, "portal_access_credentials_reset", "Contact", access_id, {}
        )
        return await _one(info, staff.organization_id, access_id)

    @strawberry.mutation(
        description="Delete an access: its sessions end at once, its clients "
        "stay, it is billed up to this month.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def delete_portal_access(self, info: ContextInfo, id: strawberry.ID) -> bool:
        staff = staff_of(info)
        access_id = ids.decode("PortalAccess", id)
        if access_id is None or not await portal_access_actions.delete(
            info.context.db, staff.organization_id, access_id, now_utc()
        ):
            raise NotFound("portal access")
        await audited.record(info.context, "portal_access_deleted", "Contact", access_id, {})
        return True

    @strawberry.mutation(
        description="Switch the client portal on or off for the organization.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def set_portal_enabled(self, info: ContextInfo, enabled: bool) -> bool:
        staff = staff_of(info)
        await portal_access_actions.set_organization_portal(
            info.context.db, staff.organization_id, enabled, now_utc()
        )
        await audited.record(
            info.context,
            "portal_switched",
            "Organization",
            staff.organization_id,
            {"enabled": enabled},
        )
        return enabled

    @strawberry.mutation(
        description="Switch the client portal on or off for one client.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def set_client_portal_enabled(
        self, info: ContextInfo, client_id: strawberry.ID, enabled: bool
    ) -> bool:
        staff = staff_of(info)
        client = ids.decode("Client", client_id)
        if client is None or not await portal_access_actions.set_client_portal(
            info.context.db, staff.organization_id, client, enabled, now_utc()
        ):
            raise NotFound("client")
        await audited.record(
            info.context, "client_portal_switched", "Client", client, {"enabled": enabled}
        )
        return enabled
