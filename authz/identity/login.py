"""Logging in and out, one-use links (invitation, password reset) and password changes.

The rules that keep guessing, replaying and enumerating out:

- one answer ("Wrong organization, identifier or password.") for a wrong password, an unknown
  account, an unknown organization and a disabled account, and a dummy argon2 verification
  when there is no hash to check, so the time taken does not tell either;
- a new session (and token) at every login, never reused; only the SHA-256 of tokens is kept;
- link tokens are single use, bound to one account and purpose, expire, and a newer one makes
  the older useless.

Throttling, and why it cannot tell accounts apart. Failures are counted in PostgreSQL, in a
transaction of their own (the failed request's rollback keeps them), under three keys:

- the identifier, normalised (:func:`normalised_identifier`: case, surrounding spaces and a
  phone number's separators do not count), within the organization;
- the client address;
- the account the identifier names, whichever of its email, username or phone spellings.

Past a few free failures each key waits exponentially longer. Only the first two may answer
``RATE_LIMITED``: they are computed from the request's text and address alone, so a made-up
identifier has exactly the counter a real one has, and any sequence of identifiers gets the
same answers whether they name an account or not. The account's counter exists for real
accounts only, so it is silent: while it is blocked, an attempt is refused with the answer
of a wrong password, after the same argon2 verification (its result ignored), and counted
like any failure. Rotating spellings therefore gains nothing (past the account's free failures
no guess is checked, the right password included), and its answers are those of an unknown
identifier. The price: the owner whose account is under attack is told "wrong password"
until the block runs out; a password reset (never throttled) ends it at once. Asking for a
reset answers the same, in the same time, whether the account exists or not: the request
only records what was asked (:func:`request_password_reset`), and the mail worker looks the
account up and queues the link (:func:`answer_reset_request`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from authz import secrets
from authz.password_policy import password_problem
from authz.passwords import hash_in_thread, hash_password, needs_rehash, verify_in_thread
from authz.principals import Caller
from db import models as m
from db.queries import accounts, audit, sessions
from db.queries.accounts import Account
from schema.kit.errors import BadUserInput, RateLimited, Unauthenticated
from sportello.base.clock import now_utc
from sportello.base.settings import Settings

LOGIN_FAILED = "Wrong organization, identifier or password."
LINK_FAILED = "This link is not valid any more; ask for a new one."
# A reset mail at most this often per account, so the endpoint cannot flood a mailbox.
RESET_MAIL_INTERVAL = dt.timedelta(minutes=2)

# Verified against when there is no real hash, so that unknown accounts cost the same time.
_DUMMY_HASH = hash_password("dummy password that matches nothing")


@dataclasses.dataclass(frozen=True)
class NewSession:
    token: str
    expires_at: dt.datetime
    account: Account


# Queues the email carrying a link token (account, purpose, token, expiry), in the caller's
# transaction.
LinkMailer = Callable[[AsyncConnection, Account, m.TokenPurpose, str, dt.datetime], Awaitable[None]]


def require_good_password(password: str, field: str = "password") -> None:
    problem = password_problem(password)
    if problem is not None:
        raise BadUserInput(field, problem)


def normalised_identifier(identifier: str) -> str:
    """The form of an identifier the throttle counts: lower case without surrounding spaces,
    and for a phone number (no "@", six digits or more, as :func:`accounts.find_by_identifier`
    reads it) only its digits and "+". It depends on the text alone, never on the accounts."""
    text = identifier.strip().lower()
    digits = accounts.phone_digits(text)
    if "@" not in text and len(digits) >= accounts.PHONE_DIGITS:
        return digits
    return text


def _identifier_key(organization: str, identifier: str) -> str:
    return f"identifier:{organization.strip().lower()}:{normalised_identifier(identifier)}"[:400]


def _account_key(account: Account) -> str:
    """Every spelling of one account's email, username or phone counts here together."""
    return f"account:{account.kind.value}:{account.id}"


def _address_key(caller: Caller) -> str:
    return f"address:{caller.ip or 'unknown'}"


async def _record_failures(
    engine: AsyncEngine, settings: Settings, now: dt.datetime, keys: dict[str, int]
) -> None:
    """Count a failure under each key (with its free failures), in one statement and a
    transaction of its own: the failed request's rollback keeps them."""
    async with engine.begin() as independent:
        await sessions.record_failures(independent, keys, now, settings.login_max_backoff_seconds)


async def start_session(
    db: AsyncConnection, settings: Settings, account: Account, caller: Caller, now: dt.datetime
) -> NewSession:
    token, token_hash = secrets.new_secret(secrets.SESSION)
    expires_at = now + dt.timedelta(hours=settings.session_absolute_hours)
    await sessions.create(db, account, token_hash, now, expires_at, caller.ip, caller.user_agent)
    await accounts.mark_login(db, account, now)
    return NewSession(token, expires_at, account)


async def login(
    db: AsyncConnection,
    engine: AsyncEngine,
    settings: Settings,
    *,
    organization: str,
    identifier: str,
    password: str,
    caller: Caller,
) -> NewSession:
    """A new session for valid credentials; Unauthenticated or RateLimited otherwise.

    RateLimited comes from the identifier's and the address's counters only; a blocked
    account is refused like a wrong password (see the module's docstring).
    """
    now = now_utc()
    organization_id = await accounts.organization_id_by_slug(db, organization.strip().lower())
    account = (
        await accounts.find_by_identifier(db, organization_id, identifier[:254])
        if organization_id is not None
        else None
    )
    failures = {
        _identifier_key(organization, identifier): settings.login_free_failures,
        _address_key(caller): settings.login_free_failures_per_address,
    }
    account_key = _account_key(account) if account is not None else None
    keys = [*failures, *([account_key] if account_key else [])]
    waits = await sessions.waits(db, keys, now)
    wait = max(waits.get(key, 0) for key in failures)
    if wait:
        raise RateLimited("Too many failed logins; try again later.", wait)
    silenced = account_key is not None and waits.get(account_key, 0) > 0

    stored = account.password_hash if account is not None else None
    matches = await verify_in_thread(stored or _DUMMY_HASH, password[:1024]) and stored is not None
    if account is None or not matches or not account.usable or silenced:
        if account_key is not None:
            failures[account_key] = settings.login_free_failures
        await _record_failures(engine, settings, now, failures)
        if organization_id is not None:
            async with engine.begin() as independent:
                await audit.record(
                    independent,
                    organization_id,
                    "login_failed",
                    actor=account,
                    ip=caller.ip,
                    details={"reason": _failure_reason(account, matches, silenced)},
                )
        raise Unauthenticated(LOGIN_FAILED)

    assert stored is not None
    assert account_key is not None
    if needs_rehash(stored):
        await accounts.rehash(db, account, await hash_in_thread(password))
    await sessions.clear(db, [account_key, _identifier_key(organization, identifier)])
    started = await start_session(db, settings, account, caller, now)
    await audit.record(db, account.organization_id, "login", actor=account, ip=caller.ip)
    return started


def _failure_reason(account: Account | None, matches: bool, silenced: bool) -> str:
    """For the audit trail only; the caller always gets LOGIN_FAILED."""
    if account is None:
        return "unknown account"
    if silenced:
        return "account throttled"
    if not matches:
        return "wrong password"
    return "account disabled"


async def logout(db: AsyncConnection, session_id: uuid.UUID) -> None:
    await sessions.revoke(db, session_id, now_utc())


async def send_link(
    db: AsyncConnection,
    settings: Settings,
    account: Account,
    purpose: m.TokenPurpose,
    mail: LinkMailer,
) -> None:
    """Issue a one-use link token (older ones stop working) and queue the email carrying it."""
    now = now_utc()
    token, token_hash = secrets.new_secret(secrets.LINK)
    lifetime = (
        dt.timedelta(hours=settings.invitation_hours)
        if purpose is m.TokenPurpose.INVITATION
        else dt.timedelta(minutes=settings.reset_minutes)
    )
    await accounts.issue_link_token(db, account, purpose, token_hash, now + lifetime, now)
    await mail(db, account, purpose, token, now + lifetime)


async def request_password_reset(
    db: AsyncConnection, *, organization: str, identifier: str, caller: Caller
) -> None:
    """Record the request for the mail worker; the caller learns nothing either way.

    One insert, the same whether the organization and the account exist or not (an unknown
    organization inserts no row, in the same statement), so neither the answer nor its time
    tells them apart. The row is part of the request's transaction: a request that rolls back
    asks for nothing.
    """
    await accounts.record_reset_request(
        db, organization.strip().lower(), identifier.strip()[:254], caller.ip
    )


async def answer_reset_request(
    db: AsyncConnection,
    settings: Settings,
    request: accounts.ResetRequest,
    mail: LinkMailer,
) -> None:
    """The mail worker's part: queue a reset link when the identifier names an account that
    may reset, at most one per RESET_MAIL_INTERVAL (so the endpoint cannot flood a mailbox).

    Runs in the transaction that took the request off the queue: the link, its mail in the
    outbox and the request's deletion commit together or not at all. Invited contacts get a
    link too: their first access may go through "forgot password".
    """
    account = await accounts.find_by_identifier(db, request.organization_id, request.identifier)
    if account is None or not await _may_reset(db, account):
        return
    # Two workers answering requests for one account (by two spellings) take turns here, so
    # the second sees the first one's link and sends none.
    await accounts.lock(db, account)
    last = await accounts.last_link_issued_at(db, account, m.TokenPurpose.PASSWORD_RESET)
    if last is not None and last > now_utc() - RESET_MAIL_INTERVAL:
        return
    await send_link(db, settings, account, m.TokenPurpose.PASSWORD_RESET, mail)
    await audit.record(
        db, account.organization_id, "password_reset_requested", actor=account, ip=request.ip
    )


async def _may_reset(db: AsyncConnection, account: Account) -> bool:
    """Active accounts, and contacts still waiting to set their first password."""
    if account.usable:
        return True
    return account.kind is accounts.AccountKind.CONTACT and await accounts.is_invited(
        db, account.id
    )


async def use_link(
    db: AsyncConnection,
    settings: Settings,
    *,
    token: str,
    password: str,
    purposes: tuple[m.TokenPurpose, ...],
    caller: Caller,
) -> NewSession:
    """Set the password through a valid link token and log in; ends every older session."""
    require_good_password(password)
    now = now_utc()
    account = None
    if secrets.looks_like(token, secrets.LINK):
        account = await accounts.consume_link_token(db, secrets.digest(token), purposes, now)
    if account is None:
        raise BadUserInput("token", LINK_FAILED)
    await accounts.set_password(db, account, await hash_in_thread(password), now)
    # A new password chosen through the link ends the wait of earlier failed logins.
    await sessions.clear(db, [_account_key(account)])
    refreshed = await accounts.get(db, account.kind, account.id)
    await audit.record(db, account.organization_id, "password_changed", actor=account, ip=caller.ip)
    if refreshed is None or not refreshed.usable:
        raise Unauthenticated(LOGIN_FAILED)
    return await start_session(db, settings, refreshed, caller, now)


async def change_password(
    db: AsyncConnection,
    engine: AsyncEngine,
    settings: Settings,
    account: Account,
    *,
    current: str,
    new: str,
    caller: Caller,
) -> NewSession:
    """Replace the password knowing the current one; every session ends, a new one starts.

    Wrong guesses of the current password count against the account like failed logins, so a
    stolen session cannot be used to guess the password without limit.
    """
    now = now_utc()
    account_key = _account_key(account)
    # The caller is logged in as this account: its own counter may answer RATE_LIMITED here.
    wait = (await sessions.waits(db, [account_key], now)).get(account_key, 0)
    if wait:
        raise RateLimited("Too many wrong passwords; try again later.", wait)
    if not await verify_in_thread(account.password_hash or _DUMMY_HASH, current[:1024]):
        await _record_failures(engine, settings, now, {account_key: settings.login_free_failures})
        raise BadUserInput("currentPassword", "the current password is wrong")
    require_good_password(new, "newPassword")
    await sessions.clear(db, [account_key])
    await accounts.set_password(db, account, await hash_in_thread(new), now)
    await audit.record(db, account.organization_id, "password_changed", actor=account, ip=caller.ip)
    return await start_session(db, settings, account, caller, now)
