"""Row scope: which rows a request may touch, computed once and applied in SQL by one function.

Every query function in db/queries passes its statement through :func:`restrict`; nothing
filters by organization, client or site any other way. Row-level security in PostgreSQL is the
second, independent wall between organizations (see db/migrations).
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, TypeVar

import sqlalchemy as sa

from authz.principals import Audience
from db.pagination import any_of

S = TypeVar("S", bound=sa.Select[Any] | sa.Update | sa.Delete)


class ScopeError(LookupError):
    """A table was queried that the row scope has no rule for; add one to authz/policy.py."""


@dataclasses.dataclass(frozen=True)
class RowScope:
    """The rows one request may see.

    ``None`` in the id sets means the whole organization (staff, unrestricted partners).
    For a contact: ``sites`` holds every site it sees (a client grant is expanded to all the
    client's sites); ``whole_clients`` the clients granted whole, whose client-level records
    (a client-wide contract or invoice) it also sees; ``clients`` every client it may know by
    name (whole ones plus the clients of its granted sites).
    ``flags``: a contact's feature flags, for the record rules that depend on them.
    """

    organization_id: uuid.UUID
    audience: Audience
    clients: frozenset[uuid.UUID] | None = None
    whole_clients: frozenset[uuid.UUID] | None = None
    sites: frozenset[uuid.UUID] | None = None
    flags: frozenset[str] = frozenset()

    @property
    def restricted(self) -> bool:
        return self.sites is not None


def restrict(stmt: S, model: Any, scope: RowScope) -> S:
    """Limit ``stmt`` on ``model`` to the rows ``scope`` may see, and to the states it may see."""
    from authz.policy import record_rule  # the policy table imports models; keep this lazy

    table: sa.Table = model.__table__
    conditions: list[sa.ColumnElement[bool]] = [table.c.organization_id == scope.organization_id]
    if scope.restricted:
        conditions.append(_client_site_condition(table, scope))
    rule = record_rule(model, scope)
    if rule is not None:
        conditions.append(rule)
    return stmt.where(*conditions)  # type: ignore[return-value]


def _any(column: sa.ColumnElement[Any], ids: frozenset[uuid.UUID] | None) -> sa.ColumnElement[bool]:
    return any_of(column, sorted(ids or ()))


# Reference data of the organization that belongs to no client (the ticket form's
# departments, the activity types): a restricted caller sees only what its audience's record
# rule keeps of it.
ORGANIZATION_WIDE = frozenset({"department", "activity_type"})


def _client_site_condition(table: sa.Table, scope: RowScope) -> sa.ColumnElement[bool]:
    columns = table.c
    if table.name in ORGANIZATION_WIDE:
        return sa.true()
    if table.name == "client":
        return _any(columns.id, scope.clients)
    if table.name == "site":
        return _any(columns.id, scope.sites)
    if "site_id" not in columns or "client_id" not in columns:
        raise ScopeError(f"table {table.name!r} has no client_id/site_id to scope on")
    in_sites = _any(columns.site_id, scope.sites)
    if not columns.site_id.nullable:
        return in_sites
    client_level = sa.and_(columns.site_id.is_(None), _any(columns.client_id, scope.whole_clients))
    return sa.or_(in_sites, client_level)
