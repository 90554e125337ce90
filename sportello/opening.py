"""The one way an HTTP route opens a request: authenticate, refuse, bind the organization.

Every route that serves a caller (``/graphql``, the exports, files, evidence packs, labels,
a contact's data, the logo's changes, the playground) opens its request with :func:`opened`,
or :func:`open_request` when its answer streams after the route returns:

- the caller is authenticated as /graphql does it (cookie or bearer; ``check_origin=False``
  for downloads, which a link opens without an Origin);
- a caller the route does not serve is refused with a :class:`~sportello.errors.Refusal`:
  401 without credentials (or with credentials that open nothing), 403 for a cookie sent
  from another origin, a preview refused or a principal the route's :class:`Gate` does not
  admit; ``hidden`` replaces all of these by one answer that says nothing (a 404);
- the request's connection holds one transaction, bound to the caller's organization
  (row-level security, db/tenancy.py). Nothing is committed unless the route commits.

Routes wrapped by :func:`~sportello.errors.answering` answer every Refusal in the one JSON
error shape (sportello/errors.py); /graphql answers it with its request id.
"""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncTransaction
from starlette.requests import Request

from authz.identity.authenticate import (
    ANONYMOUS,
    AUTHENTICATION_REQUIRED,
    Identity,
    authenticate,
    bind,
    client_address,
)
from authz.principals import ContactPrincipal, Principal
from authz.rules import Rule
from authz.scope import RowScope
from db.queries import audit
from schema.kit.errors import ApiError
from sportello.base.clock import now_utc
from sportello.base.settings import Settings
from sportello.errors import Refusal
from sportello.state import AppState


@dataclasses.dataclass(frozen=True)
class Gate:
    """The callers a route serves: those ``rule`` admits; anyone else is refused (403) with
    ``refusal``, a sentence that says who the route is for."""

    rule: Rule | None
    refusal: str

    def admits(self, principal: Principal) -> bool:
        return self.rule is not None and self.rule.check(principal) is None


# /graphql: every caller, anonymous ones included (the schema's views decide the rest).
EVERYONE = None


@dataclasses.dataclass(frozen=True)
class Opened:
    """An opened request: who is calling and its connection, bound to the organization."""

    state: AppState
    db: AsyncConnection
    transaction: AsyncTransaction
    identity: Identity
    # The caller's address, as the audit records it.
    address: str | None

    @property
    def settings(self) -> Settings:
        return self.state.settings

    @property
    def principal(self) -> Principal:
        return self.identity.principal

    @property
    def scope(self) -> RowScope:
        """The caller's row scope (set for every caller a Gate admits)."""
        assert self.identity.scope is not None
        return self.identity.scope

    async def audit(
        self,
        action: str,
        subject_type: str,
        subject_id: uuid.UUID,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Record ``action`` in the organization's audit, in the request's transaction, by the
        caller from its address; by the staff member previewing the portal as a contact, with
        that contact in ``details.asContact``."""
        actor = self.principal
        if isinstance(actor, ContactPrincipal) and actor.viewed_by is not None:
            details = {**(details or {}), "asContact": str(actor.contact_id)}
            actor = actor.viewed_by
        await audit.record(
            self.db,
            self.scope.organization_id,
            action,
            actor=audit.actor_of(actor),
            ip=self.address,
            subject_type=subject_type,
            subject_id=subject_id,
            details=details,
        )

    async def close(self, *, clean: bool = True) -> None:
        """End the request's connection; a transaction not committed is rolled back. Not
        ``clean`` (the request failed, a statement may still run): closed for good
        (db/engine.py ``RequestConnections``)."""
        await self.state.connections.give_back(self.db, clean=clean)


async def identify(
    db: AsyncConnection, request: Request, settings: Settings, *, check_origin: bool = True
) -> Identity:
    """The request's identity, or the Refusal of credentials that open nothing (401) or may
    not be used here (403: a cookie from another origin, a preview refused)."""
    try:
        return await authenticate(db, request, settings, now_utc(), check_origin=check_origin)
    except ApiError as refused:
        status = 403 if refused.code == "FORBIDDEN" else 401
        raise Refusal(status, refused.code, refused.message) from None


async def open_request(
    request: Request,
    gate: Gate | None,
    *,
    check_origin: bool = True,
    hidden: Refusal | None = None,
    public: bool = False,
) -> Opened:
    """The request authenticated, admitted by ``gate`` (EVERYONE: any caller) and bound to its
    organization; the caller closes it (:meth:`Opened.close`). ``public``: the request runs
    as an anonymous caller whoever sent it (logging in: a stale session must not get in the
    way, nor bind the request to its organization)."""
    state: AppState = request.app.state.sportello
    settings = state.settings
    db = await state.connections.take()
    try:
        transaction = await db.begin()
        identity = ANONYMOUS
        if not public:
            identity = await identify(db, request, settings, check_origin=check_origin)
        if gate is not None:
            if identity.scope is None:
                raise Refusal(401, "UNAUTHENTICATED", AUTHENTICATION_REQUIRED)
            if not gate.admits(identity.principal):
                raise Refusal(403, "FORBIDDEN", gate.refusal)
        await bind(db, identity)
    except BaseException as failed:
        await state.connections.give_back(db, clean=_answered(failed))
        if hidden is not None and isinstance(failed, Refusal):
            raise hidden from None
        raise
    return Opened(state, db, transaction, identity, client_address(request, settings))


@contextlib.asynccontextmanager
async def opened(
    request: Request,
    gate: Gate | None,
    *,
    check_origin: bool = True,
    hidden: Refusal | None = None,
    public: bool = False,
) -> AsyncIterator[Opened]:
    """:func:`open_request` for the length of the block, closed after it."""
    opening = await open_request(
        request, gate, check_origin=check_origin, hidden=hidden, public=public
    )
    try:
        yield opening
    except BaseException as failed:
        await opening.close(clean=_answered(failed))
        raise
    await opening.close()


def _answered(failed: BaseException) -> bool:
    """Whether a request that raised ``failed`` ended cleanly: a Refusal is the route's
    answer, raised between statements; anything else may have left one running."""
    return isinstance(failed, Refusal)
