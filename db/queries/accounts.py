"""Accounts that can log in (staff users and contacts), their one-use link tokens, and the
password reset requests waiting for the mail worker."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.principals import (
    CONTACT_FLAGS,
    ContactPrincipal,
    Principal,
    StaffPrincipal,
    flags_of,
)
from db import models as m
from db.models.base import table_of

STAFF = table_of(m.StaffUser)
CONTACT = table_of(m.Contact)
ORGANIZATION = table_of(m.Organization)
TOKEN = table_of(m.AccountToken)
SESSION = table_of(m.Session)
RESET_REQUEST = table_of(m.PasswordResetRequest)


class AccountKind(enum.StrEnum):
    STAFF = "STAFF"
    CONTACT = "CONTACT"


@dataclasses.dataclass(frozen=True)
class Account:
    kind: AccountKind
    id: uuid.UUID
    organization_id: uuid.UUID
    email: str
    first_name: str
    locale: str
    password_hash: str | None
    # May log in now: an active staff user; an active, not deleted contact with portal access
    # in an organization whose portal is on.
    usable: bool


def account_of(principal: Principal) -> tuple[AccountKind, uuid.UUID] | None:
    """The staff user or contact a principal acts as; None for anonymous callers and partners."""
    if isinstance(principal, StaffPrincipal):
        return AccountKind.STAFF, principal.user_id
    if isinstance(principal, ContactPrincipal):
        return AccountKind.CONTACT, principal.contact_id
    return None


# An identifier without "@" holding at least this many digits may be a phone number.
PHONE_DIGITS = 6


def phone_digits(identifier: str) -> str:
    """A phone number as compared: its digits and "+", whatever separates them."""
    return re.sub(r"[^0-9+]", "", identifier)


def _phone_matches(column: sa.ColumnElement[str], identifier: str) -> sa.ColumnElement[bool]:
    return sa.func.regexp_replace(column, "[^0-9+]", "", "g") == phone_digits(identifier)


def _select(
    kind: AccountKind, table: sa.Table, usable: sa.ColumnElement[bool]
) -> sa.Select[tuple[object, ...]]:
    """What :class:`Account` is made of, for the accounts of ``table``."""
    return sa.select(
        sa.literal(kind.value).label("kind"),
        table.c.id,
        table.c.organization_id,
        table.c.email,
        table.c.first_name,
        sa.func.coalesce(table.c.locale, ORGANIZATION.c.locale).label("locale"),
        table.c.password_hash,
        usable.label("usable"),
    ).join(ORGANIZATION, ORGANIZATION.c.id == table.c.organization_id)


def _staff_select() -> sa.Select[tuple[object, ...]]:
    return _select(AccountKind.STAFF, STAFF, STAFF.c.active)


def _contact_select() -> sa.Select[tuple[object, ...]]:
    usable = sa.and_(
        CONTACT.c.state == m.ContactState.ACTIVE.value,
        CONTACT.c.deleted_at.is_(None),
        CONTACT.c.portal_access.is_(True),
        ORGANIZATION.c.portal_enabled.is_(True),
    )
    return _select(AccountKind.CONTACT, CONTACT, usable)


def _account(row: sa.Row[tuple[object, ...]] | None) -> Account | None:
    if row is None:
        return None
    values = row._mapping
    return Account(
        kind=AccountKind(values["kind"]),
        id=values["id"],
        organization_id=values["organization_id"],
        email=values["email"],
        first_name=values["first_name"],
        locale=values["locale"],
        password_hash=values["password_hash"],
        usable=bool(values["usable"]),
    )


async def organization_id_by_slug(db: AsyncConnection, slug: str) -> uuid.UUID | None:
    found = await db.scalar(sa.select(ORGANIZATION.c.id).where(ORGANIZATION.c.slug == slug))
    return found if isinstance(found, uuid.UUID) else None


async def find_by_identifier(
    db: AsyncConnection, organization_id: uuid.UUID, identifier: str
) -> Account | None:
    """The account an email, username or phone number names in an organization.

    Staff first: a person who is both staff and contact logs in as staff. Deleted contacts
    are never found.
    """
    identifier = identifier.strip()
    if not identifier:
        return None
    if "@" in identifier:
        staff_match = sa.func.lower(STAFF.c.email) == identifier.lower()
        contact_match = sa.func.lower(CONTACT.c.email) == identifier.lower()
    else:
        phone = len(phone_digits(identifier)) >= PHONE_DIGITS
        staff_match = _phone_matches(STAFF.c.phone, identifier) if phone else sa.false()
        contact_match = sa.or_(
            sa.func.lower(CONTACT.c.username) == identifier.lower(),
            _phone_matches(CONTACT.c.mobile, identifier) if phone else sa.false(),
            _phone_matches(CONTACT.c.phone, identifier) if phone else sa.false(),
        )
    staff = await db.execute(
        _staff_select().where(STAFF.c.organization_id == organization_id, staff_match).limit(1)
    )
    found = _account(staff.first())
    if found is not None:
        return found
    contact = await db.execute(
        _contact_select()
        .where(
            CONTACT.c.organization_id == organization_id,
            CONTACT.c.deleted_at.is_(None),
            contact_match,
        )
        .order_by(CONTACT.c.created_at, CONTACT.c.id)
        .limit(1)
    )
    return _account(contact.first())


async def get(db: AsyncConnection, kind: AccountKind, account_id: uuid.UUID) -> Account | None:
    if kind is AccountKind.STAFF:
        statement = _staff_select().where(STAFF.c.id == account_id)
    else:
        statement = _contact_select().where(
            CONTACT.c.id == account_id, CONTACT.c.deleted_at.is_(None)
        )
    return _account((await db.execute(statement)).first())


def _account_column(kind: AccountKind, table: sa.Table) -> sa.Column[uuid.UUID]:
    return table.c.staff_user_id if kind is AccountKind.STAFF else table.c.contact_id


async def set_password(
    db: AsyncConnection, account: Account, password_hash: str, now: dt.datetime
) -> None:
    """Store a new hash; an invited contact becomes active. Ends every session of the account."""
    if account.kind is AccountKind.STAFF:
        await db.execute(
            STAFF.update().where(STAFF.c.id == account.id).values(password_hash=password_hash)
        )
    else:
        await db.execute(
            CONTACT.update()
            .where(CONTACT.c.id == account.id)
            .values(
                password_hash=password_hash,
                state=sa.case(
                    (CONTACT.c.state == m.ContactState.INVITED.value, m.ContactState.ACTIVE.value),
                    else_=CONTACT.c.state,
                ),
            )
        )
    await end_sessions(db, account.kind, account.id, now)


async def rehash(db: AsyncConnection, account: Account, password_hash: str) -> None:
    """Replace a hash made with older parameters (on a successful login)."""
    table = STAFF if account.kind is AccountKind.STAFF else CONTACT
    await db.execute(
        table.update().where(table.c.id == account.id).values(password_hash=password_hash)
    )


async def mark_login(db: AsyncConnection, account: Account, now: dt.datetime) -> None:
    table = STAFF if account.kind is AccountKind.STAFF else CONTACT
    await db.execute(table.update().where(table.c.id == account.id).values(last_login_at=now))


async def end_sessions(
    db: AsyncConnection, kind: AccountKind, account_id: uuid.UUID, now: dt.datetime
) -> None:
    """Revoke every open session of an account."""
    await db.execute(
        SESSION.update()
        .where(_account_column(kind, SESSION) == account_id, SESSION.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def end_access(
    db: AsyncConnection, kind: AccountKind, account_id: uuid.UUID, now: dt.datetime
) -> None:
    """Revoke every open session of an account and stop its unused links (an account deleted
    or switched off)."""
    await end_sessions(db, kind, account_id, now)
    await db.execute(
        TOKEN.update()
        .where(_account_column(kind, TOKEN) == account_id, TOKEN.c.used_at.is_(None))
        .values(superseded_at=sa.func.coalesce(TOKEN.c.superseded_at, now))
    )


async def issue_link_token(
    db: AsyncConnection,
    account: Account,
    purpose: m.TokenPurpose,
    token_hash: bytes,
    expires_at: dt.datetime,
    now: dt.datetime,
) -> None:
    """Store a new one-use token; every earlier unused token of that purpose stops working."""
    column = _account_column(account.kind, TOKEN)
    await db.execute(
        TOKEN.update()
        .where(
            column == account.id,
            TOKEN.c.purpose == purpose.value,
            TOKEN.c.used_at.is_(None),
            TOKEN.c.superseded_at.is_(None),
        )
        .values(superseded_at=now)
    )
    await db.execute(
        TOKEN.insert().values(
            id=uuid.uuid4(),
            created_at=now,
            organization_id=account.organization_id,
            token_hash=token_hash,
            purpose=purpose.value,
            staff_user_id=account.id if account.kind is AccountKind.STAFF else None,
            contact_id=account.id if account.kind is AccountKind.CONTACT else None,
            expires_at=expires_at,
        )
    )


async def lock(db: AsyncConnection, account: Account) -> None:
    """Hold the account's row until the caller's transaction ends: what is decided about it
    meanwhile (a link to send or not) is decided once at a time."""
    table = STAFF if account.kind is AccountKind.STAFF else CONTACT
    await db.execute(sa.select(table.c.id).where(table.c.id == account.id).with_for_update())


async def last_link_issued_at(
    db: AsyncConnection, account: Account, purpose: m.TokenPurpose
) -> dt.datetime | None:
    column = _account_column(account.kind, TOKEN)
    found = await db.scalar(
        sa.select(sa.func.max(TOKEN.c.created_at)).where(
            column == account.id, TOKEN.c.purpose == purpose.value
        )
    )
    return found if isinstance(found, dt.datetime) else None


async def consume_link_token(
    db: AsyncConnection, token_hash: bytes, purposes: tuple[m.TokenPurpose, ...], now: dt.datetime
) -> Account | None:
    """The account of a valid token, marking it used in the same statement (one use only)."""
    row = (
        await db.execute(
            TOKEN.update()
            .where(
                TOKEN.c.token_hash == token_hash,
                TOKEN.c.purpose.in_([p.value for p in purposes]),
                TOKEN.c.used_at.is_(None),
                TOKEN.c.superseded_at.is_(None),
                TOKEN.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(TOKEN.c.staff_user_id, TOKEN.c.contact_id)
        )
    ).first()
    if row is None:
        return None
    if row.staff_user_id is not None:
        return await get(db, AccountKind.STAFF, row.staff_user_id)
    return await get(db, AccountKind.CONTACT, row.contact_id)


async def is_invited(db: AsyncConnection, contact_id: uuid.UUID) -> bool:
    """A contact that has not set a password yet (and is not deleted or disabled)."""
    state = await db.scalar(
        sa.select(CONTACT.c.state).where(CONTACT.c.id == contact_id, CONTACT.c.deleted_at.is_(None))
    )
    return bool(state == m.ContactState.INVITED.value)


async def contact_flags(
    db: AsyncConnection, organization_id: uuid.UUID, contact_id: uuid.UUID
) -> frozenset[str] | None:
    """The feature flags that are on for a contact of the organization; None if there is none."""
    row = (
        await db.execute(
            sa.select(*(CONTACT.c[name] for name in CONTACT_FLAGS)).where(
                CONTACT.c.id == contact_id,
                CONTACT.c.organization_id == organization_id,
                CONTACT.c.deleted_at.is_(None),
            )
        )
    ).first()
    if row is None:
        return None
    return flags_of(row)


@dataclasses.dataclass(frozen=True)
class ResetRequest:
    """A password reset someone asked for, as typed (authz/identity/login.py)."""

    id: uuid.UUID
    organization_id: uuid.UUID
    identifier: str
    ip: str | None


async def record_reset_request(
    db: AsyncConnection, slug: str, identifier: str, ip: str | None
) -> None:
    """Queue a reset request for the organization ``slug``: one statement whatever the slug
    and identifier name (an unknown organization inserts no row), so that its time tells
    nothing about which accounts exist."""
    await db.execute(
        RESET_REQUEST.insert().from_select(
            ["id", "organization_id", "identifier", "ip"],
            sa.select(
                sa.func.gen_random_uuid(),
                ORGANIZATION.c.id,
                sa.literal(identifier, sa.String),
                sa.literal(ip, sa.String),
            ).where(ORGANIZATION.c.slug == slug),
        )
    )


async def claim_reset_request(db: AsyncConnection) -> ResetRequest | None:
    """Take the oldest waiting reset request off the queue, skipping those another worker
    holds; None when there is none. The deletion commits with the caller's transaction (and
    the mail it queues), or is undone with it."""
    oldest = (
        sa.select(RESET_REQUEST.c.id)
        .order_by(RESET_REQUEST.c.created_at, RESET_REQUEST.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    row = (
        await db.execute(
            RESET_REQUEST.delete()
            .where(RESET_REQUEST.c.id == oldest)
            .returning(
                RESET_REQUEST.c.id,
                RESET_REQUEST.c.organization_id,
                RESET_REQUEST.c.identifier,
                RESET_REQUEST.c.ip,
            )
        )
    ).first()
    return None if row is None else ResetRequest(*row)
