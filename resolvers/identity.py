"""Logging in and out, one-use links, password changes, and ``viewer``."""

from __future__ import annotations

import strawberry
from strawberry import Info

from authz.identity import login as auth
from authz.policy import ACCOUNTS, PEOPLE, SIGNED_IN
from authz.principals import CONTACT_FLAGS, ContactPrincipal, Principal
from db import models as m
from db.queries import accounts
from db.queries.viewer import viewer as viewer_row
from schema.identity import LoginPayload, Viewer
from schema.kit.context import Context
from schema.kit.errors import Unauthenticated
from schema.kit.permissions import permitted
from schema.portal_access import PortalFlags

ContextInfo = Info[Context, None]


def payload(info: ContextInfo, started: auth.NewSession) -> LoginPayload:
    """The new session for the caller, and the cookie for browsers."""
    info.context.set_session_token = started.token
    return LoginPayload(
        token=started.token,
        expires_at=started.expires_at,
        account_kind=started.account.kind,
    )


def features_of(principal: Principal) -> PortalFlags | None:
    """A contact's feature flags as authentication read them (no SQL); None for staff."""
    if not isinstance(principal, ContactPrincipal):
        return None
    return PortalFlags(**{flag: flag in principal.flags for flag in CONTACT_FLAGS})


@strawberry.type
class IdentityQuery:
    @strawberry.field(description="The account making the request.", extensions=permitted(ACCOUNTS))
    async def viewer(self, info: ContextInfo) -> Viewer:
        mine = accounts.account_of(info.context.principal)
        if mine is None:
            raise Unauthenticated("Log in first.")
        row = await viewer_row(info.context.db, *mine)
        return Viewer(
            kind=row.kind,
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            locale=row.locale,
            organization_name=row.organization_name,
            organization_logo_url=row.organization_logo_url,
            portal_info_text=row.portal_info_text,
            time_zone=row.time_zone,
            features=features_of(info.context.principal),
            previewing=isinstance(info.context.principal, ContactPrincipal)
            and info.context.principal.read_only,
        )


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(
        description="Log in with an email, username or phone number.", extensions=permitted(PEOPLE)
    )
    async def login(
        self, info: ContextInfo, organization: str, identifier: str, password: str
    ) -> LoginPayload:
        context = info.context
        started = await auth.login(
            context.db,
            context.engine,
            context.settings,
            organization=organization,
            identifier=identifier,
            password=password,
            caller=context.caller,
        )
        return payload(info, started)

    @strawberry.mutation(description="End the current session.", extensions=permitted(ACCOUNTS))
    async def logout(self, info: ContextInfo) -> bool:
        context = info.context
        if context.session_id is not None:
            await auth.logout(context.db, context.session_id)
        context.clear_session_cookie = True
        return True

    @strawberry.mutation(
        description="Set the first password from an invitation link.", extensions=permitted(PEOPLE)
    )
    async def accept_invitation(self, info: ContextInfo, token: str, password: str) -> LoginPayload:
        return await _use_link(info, token, password, (m.TokenPurpose.INVITATION,))

    @strawberry.mutation(
        description="Email a password reset link if the account exists; the answer is the "
        "same either way.",
        extensions=permitted(PEOPLE),
    )
    async def request_password_reset(
        self, info: ContextInfo, organization: str, identifier: str
    ) -> bool:
        context = info.context
        # Only recorded here; the mail worker looks the account up and queues the link.
        await auth.request_password_reset(
            context.db, organization=organization, identifier=identifier, caller=context.caller
        )
        return True

    @strawberry.mutation(
        description="Set a new password from a reset link.", extensions=permitted(PEOPLE)
    )
    async def reset_password(self, info: ContextInfo, token: str, password: str) -> LoginPayload:
        # A reset link also works for an invited contact's first access (seed 004).
        return await _use_link(info, token, password, (m.TokenPurpose.PASSWORD_RESET,))

    @strawberry.mutation(
        description="Change the password: every session of the account ends, this one too, "
        "and the answer is a new session that replaces it (browsers get its cookie).",
        extensions=permitted(SIGNED_IN),
    )
    async def change_password(
        self, info: ContextInfo, current_password: str, new_password: str
    ) -> LoginPayload:
        context = info.context
        mine = accounts.account_of(context.principal)
        account = await accounts.get(context.db, *mine) if mine else None
        if account is None:
            raise Unauthenticated("Log in first.")
        started = await auth.change_password(
            context.db,
            context.engine,
            context.settings,
            account,
            current=current_password,
            new=new_password,
            caller=context.caller,
        )
        return payload(info, started)


async def _use_link(
    info: ContextInfo, token: str, password: str, purposes: tuple[m.TokenPurpose, ...]
) -> LoginPayload:
    context = info.context
    started = await auth.use_link(
        context.db,
        context.settings,
        token=token,
        password=password,
        purposes=purposes,
        caller=context.caller,
    )
    return payload(info, started)
