"""What every resolver gets as ``info.context``: one per request."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.requests import Request

from authz.checks import FieldChecks
from authz.principals import Caller, Principal
from authz.scope import RowScope
from db.scoped.loaders import Loaders
from schema.kit.errors import Unauthenticated
from sportello.base.settings import Settings


@dataclasses.dataclass
class Context:
    """The request's principal, row scope, database session and loaders.

    ``db`` is the request's one connection, inside the request's one transaction: resolvers
    and loaders share it (FACTS: one connection per request, not per resolver). The route
    commits it when the operation succeeds and rolls it back on any error, so a failed
    mutation leaves nothing behind; what must be kept even then (a failed login's count, its
    audit event) is written through ``engine`` in a transaction of its own.
    ``scope`` is None for anonymous callers, who read nothing.
    """

    settings: Settings
    principal: Principal
    scope: RowScope | None
    db: AsyncConnection
    engine: AsyncEngine
    checks: FieldChecks
    request_id: str
    request: Request | None = None
    session_id: uuid.UUID | None = None
    caller: Caller = dataclasses.field(default_factory=lambda: Caller(None, None))
    # Per-request DataLoaders within the row scope (db/scoped/loaders.py); None for anonymous
    # callers.
    loaders: Loaders | None = None
    # Statements running for several loads at once (schema/kit/batched.py ``_shared``).
    fetching: dict[Any, asyncio.Future[Any]] = dataclasses.field(default_factory=dict)
    # What login and logout want done with the session cookie once the request succeeded.
    set_session_token: str | None = None
    clear_session_cookie: bool = False

    @property
    def rows(self) -> Loaders:
        """The request's loaders; only callers with a row scope have them."""
        if self.loaders is None:
            raise Unauthenticated("Log in first.")
        return self.loaders
