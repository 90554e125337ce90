"""Staff (ADMIN, OFFICE) manage the organization's staff users: create, edit and deactivate
them (a technician's working week, absences and skills: resolvers/technician_actions.py).

Who may do what. authz/policy.py lets ADMIN and OFFICE call every mutation here (technicians
are refused); the resolver narrows OFFICE by the staff user concerned:

- ADMIN: every staff user and every role;
- OFFICE: technicians only. Office staff plan the field work, so they create TECHNICIAN
  accounts, edit and deactivate technicians and set their hours, absences and skills; who
  administers the organization is an administrator's decision, so an OFFICE caller never
  creates, edits or deactivates an ADMIN or OFFICE account and never changes a role
  (FORBIDDEN).

Guard rails (CONFLICT): nobody deactivates or demotes themselves; the organization's last
active ADMIN is never deactivated or demoted (the administrators are locked first, so two of
them deactivating each other at once cannot both succeed); a technician with open
appointments is not deactivated or given another role, nor an absence over one of them: the
answer names the appointments, to be moved, reassigned or cancelled first.

A new staff user gets an invitation email with a one-use link to choose their password, the
link a portal access gets (authz/identity/login.py ``send_link``); no password is ever mailed.
Deactivating (``archiveStaffUser``) ends their sessions and unused links at once; staff users
are never deleted, since appointments, work sheets and audit events name them. Every change
is audited with the old and new value of each field it changed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import strawberry
from strawberry import Info

from authz.identity import login as auth
from authz.policy import BACK_OFFICE_ONLY
from authz.principals import StaffPrincipal
from db import models as m
from db.queries import accounts, audit
from db.queries import staff_actions as actions
from db.scoped import records
from mailer.links import link_mailer
from resolvers.client_actions import EMAIL, PHONE, SIX_PLACES
from resolvers.kit import audited, changes
from resolvers.kit.callers import staff_of
from resolvers.portal_access import LOCALES
from schema import staff_inputs as inputs
from schema.billing_inputs import optional_text, required_text
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput, Conflict, Forbidden
from schema.kit.permissions import permitted
from schema.staff import StaffUser
from sportello.base.clock import now_utc

ContextInfo = Info[Context, None]

# GraphQL input field -> (column, most characters, required).
TEXTS = {
    "firstName": ("first_name", 100, True),
    "lastName": ("last_name", 100, True),
    "email": ("email", 254, True),
    "phone": ("phone", 40, False),
    "locale": ("locale", 8, False),
    "reason": ("reason", 200, False),
}


def staff_texts(given: Mapping[str, str | None]) -> dict[str, Any]:
    """The columns of the texts given (None: left out), each checked; "" clears an optional one."""
    values: dict[str, Any] = {}
    for field, value in given.items():
        if value is None:
            continue
        column, limit, required = TEXTS[field]
        text = (required_text if required else optional_text)(field, value, limit)
        if text is not None and any(ch < " " or ch == "\x7f" for ch in text):
            raise BadUserInput(field, "must be one line, without control characters")
        values[column] = text
    if values.get("email") is not None and not EMAIL.match(values["email"]):
        raise BadUserInput("email", "is not an email address")
    if values.get("phone") is not None and not PHONE.match(values["phone"]):
        raise BadUserInput("phone", "use digits, spaces and + ( ) . / - only")
    if values.get("locale") is not None and values["locale"] not in LOCALES:
        raise BadUserInput("locale", f"use one of {', '.join(LOCALES)}")
    return values


def _numbers(
    input: inputs.CreateStaffUserInput | inputs.UpdateStaffUserInput, current: Any
) -> dict[str, Any]:
    """Home base and weekly hours given (UNSET: left out). The home base is both coordinates
    or neither, counting the one left out as it is now."""
    given = {
        "home_lat": ("homeLat", input.home_lat, -90, 90, SIX_PLACES),
        "home_lng": ("homeLng", input.home_lng, -180, 180, SIX_PLACES),
        "weekly_hours": (
            "weeklyHours",
            input.weekly_hours,
            0,
            inputs.MAX_WEEKLY_HOURS,
            inputs.TENTHS,
        ),
    }
    values = {
        column: inputs.checked_number(field, value, low, high, places)
        for column, (field, value, low, high, places) in given.items()
        if value is not strawberry.UNSET
    }
    lat = values.get("home_lat", current.home_lat if current is not None else None)
    lng = values.get("home_lng", current.home_lng if current is not None else None)
    if (lat is None) != (lng is None):
        missing = "homeLat" if lat is None else "homeLng"
        raise BadUserInput(missing, "give both homeLat and homeLng, or neither")
    return values


def _office_may(caller: StaffPrincipal, role: m.StaffRole) -> None:
    """OFFICE staff manage technicians only (see the module's docstring)."""
    if caller.role is not m.StaffRole.ADMIN and role is not m.StaffRole.TECHNICIAN:
        raise Forbidden("OFFICE staff manage technicians only; ask an ADMIN.")


async def staff_user(info: ContextInfo, id: strawberry.ID, what: str = "staff user") -> Any:
    """The staff user ``id`` locked for a change; NOT_FOUND when the caller cannot see it."""
    return await changes.locked(info.context, m.StaffUser, "StaffUser", id, what)


async def refuse_open_visits(
    info: ContextInfo,
    technician_id: uuid.UUID,
    what: str,
    during: tuple[dt.datetime, dt.datetime] | None = None,
) -> None:
    """CONFLICT naming the technician's open appointments (in ``during``, if given)."""
    context = info.context
    found = await actions.open_visits_of(context.db, context.rows.scope, technician_id, during)
    if found:
        named = [ids.encode("Appointment", visit.id) for visit in found]
        times = [visit.starts_at.isoformat() for visit in found]
        listed = ", ".join(f"{n} ({t})" for n, t in zip(named, times, strict=True))
        raise Conflict(
            f"{what} open appointments: {listed}. Move, reassign or cancel them first.",
            appointments=named,
        )


def _keep_an_admin(caller: StaffPrincipal, current: Any, admins: list[uuid.UUID], act: str) -> None:
    """Refuse to take ``current`` out of the active administrators when it is the caller
    or the last one."""
    if current.id == caller.user_id:
        raise Conflict(f"You cannot {act} yourself; another ADMIN can.")
    if m.StaffRole(current.role) is m.StaffRole.ADMIN and current.active and admins == [current.id]:
        raise Conflict(f"This is the organization's last active ADMIN: not {act}d.")


async def _invite(info: ContextInfo, staff_id: uuid.UUID) -> None:
    """Queue the invitation mail with a one-use link to choose a password."""
    context = info.context
    account = await accounts.get(context.db, accounts.AccountKind.STAFF, staff_id)
    assert account is not None  # inserted in this transaction
    mail = link_mailer(context.settings.public_url)
    await auth.send_link(context.db, context.settings, account, m.TokenPurpose.INVITATION, mail)


async def _write(info: ContextInfo, current: Any, values: dict[str, Any], action: str) -> Any:
    """Insert (``current`` None) or update a staff user, audited; the row as written."""
    context = info.context
    email = values.get("email")
    other = current.id if current is not None else None
    taken = "another staff user already uses this email"
    scope = context.rows.scope
    if email is not None and await actions.email_taken(context.db, scope, email, other):
        raise BadUserInput("email", taken)
    try:
        row = await actions.write_staff_user(context.db, scope, other, values)
    except records.Taken:
        raise BadUserInput("email", taken) from None
    before = {} if current is None else dict(current._mapping)
    details = audit.change_details(before, values)
    await audited.record(context, action, "StaffUser", row.id, details)
    return row


@strawberry.type
class StaffActionMutation:
    @strawberry.mutation(
        description="Create a staff user (ADMIN; OFFICE creates technicians only) and email "
        "them a one-use link to choose their password.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def create_staff_user(
        self, info: ContextInfo, input: inputs.CreateStaffUserInput
    ) -> StaffUser:
        given = {
            "firstName": input.first_name,
            "lastName": input.last_name,
            "email": input.email,
            "phone": input.phone or "",
            "locale": input.locale or "",
        }
        values = staff_texts(given) | _numbers(input, None)
        # Who may create the account depends on what it is: checked once it is a valid one,
        # before its email is looked up.
        _office_may(staff_of(info), input.role)
        values |= {"role": input.role, "active": True}
        row = await _write(info, None, values, "staff_user_created")
        await _invite(info, row.id)
        return StaffUser.from_row(row)

    @strawberry.mutation(
        description="Edit a staff user (ADMIN; OFFICE edits technicians only). Only an ADMIN "
        "changes a role; nobody demotes themselves or the last active ADMIN (CONFLICT).",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def update_staff_user(
        self, info: ContextInfo, id: strawberry.ID, input: inputs.UpdateStaffUserInput
    ) -> StaffUser:
        caller = staff_of(info)
        context = info.context
        admins = await actions.lock_admins(context.db, context.rows.scope)
        current = await staff_user(info, id)
        _office_may(caller, m.StaffRole(current.role))
        new_role = input.role if input.role is not m.StaffRole(current.role) else None
        if new_role is not None:
            _office_may(caller, m.StaffRole.ADMIN)  # roles are an administrator's decision
        given = {
            "firstName": input.first_name,
            "lastName": input.last_name,
            "email": input.email,
            "phone": input.phone,
            "locale": input.locale,
        }
        values = changes.differing(current, staff_texts(given) | _numbers(input, current))
        if new_role is not None:
            _keep_an_admin(caller, current, admins, "demote")
            if m.StaffRole(current.role) is m.StaffRole.TECHNICIAN:
                await refuse_open_visits(info, current.id, "The technician has")
            values["role"] = new_role
        if not values:
            return StaffUser.from_row(current)
        return StaffUser.from_row(await _write(info, current, values, "staff_user_changed"))

    @strawberry.mutation(
        description="Deactivate a staff user (ADMIN; OFFICE deactivates technicians only): "
        "they can no longer log in and their sessions end at once; what names them stays. "
        "CONFLICT for yourself, the last active ADMIN, or a technician with open appointments.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def archive_staff_user(self, info: ContextInfo, id: strawberry.ID) -> StaffUser:
        caller = staff_of(info)
        context = info.context
        admins = await actions.lock_admins(context.db, context.rows.scope)
        current = await staff_user(info, id)
        _office_may(caller, m.StaffRole(current.role))
        if not current.active:
            return StaffUser.from_row(current)
        _keep_an_admin(caller, current, admins, "deactivate")
        if m.StaffRole(current.role) is m.StaffRole.TECHNICIAN:
            await refuse_open_visits(info, current.id, "The technician has")
        row = await actions.deactivate(context.db, current.id, now_utc())
        details = audit.change_details(dict(current._mapping), {"active": False})
        await audited.record(context, "staff_user_deactivated", "StaffUser", row.id, details)
        return StaffUser.from_row(row)
