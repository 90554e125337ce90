"""Row scope: which rows a request may touch, computed once and applied in SQL by one function.

Every query function in db/queries passes its statement through :func:`restrict`; nothing
filters by organization, client or site any other way. Row-level security in PostgreSQL is the
second, independent wall between organizations (see db/migrations).

The scope's ids reach SQL as four named parameters (``scope_organization``, ``scope_sites``,
``scope_clients``, ``scope_whole_clients``). Restricting with a :class:`RowScope` binds the
request's values to them; restricting with a :class:`ScopeShape` (audience, restricted or not,
flags: no ids) leaves them without a value, for statements built once per shape and run with
:attr:`RowScope.parameters` of each request (db/scoped/nested.py). A shaped statement run without
those parameters fails; it cannot fall back on another request's ids.
"""

from __future__ import annotations

import dataclasses
import functools
import uuid
from typing import Any, TypeVar

import sqlalchemy as sa

from authz.policy import record_rule
from authz.principals import Audience
from authz.scope_shape import ScopeError, ScopeShape

S = TypeVar("S", bound=sa.Select[Any] | sa.Update | sa.Delete)


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

    @functools.cached_property
    def shape(self) -> ScopeShape:
        return ScopeShape(self.audience, self.restricted, self.flags)

    @functools.cached_property
    def parameters(self) -> dict[str, Any]:
        """The values of the scope parameters of a statement restricted with ``self.shape``
        (shared by the request's statements: read only)."""
        parameters: dict[str, Any] = {ORGANIZATION: self.organization_id}
        if self.restricted:
            parameters[SITES] = sorted(self.sites or ())
            parameters[CLIENTS] = sorted(self.clients or ())
            parameters[WHOLE_CLIENTS] = sorted(self.whole_clients or ())
        return parameters


# Either: restrict() binds a RowScope's ids, or leaves a ScopeShape's parameters to be given.
Scoping = RowScope | ScopeShape

ORGANIZATION = "scope_organization"
SITES = "scope_sites"
CLIENTS = "scope_clients"
WHOLE_CLIENTS = "scope_whole_clients"


def restrict(stmt: S, model: Any, scope: Scoping) -> S:
    """Limit ``stmt`` on ``model`` to the rows ``scope`` may see, and to the states it may see."""
    table: sa.Table = model.__table__
    values = scope.parameters if isinstance(scope, RowScope) else None
    shape = scope.shape if isinstance(scope, RowScope) else scope
    conditions: list[sa.ColumnElement[bool]] = [
        table.c.organization_id == _parameter(ORGANIZATION, table.c.organization_id.type, values)
    ]
    if shape.restricted:
        conditions.append(_client_site_condition(table, values))
    rule = record_rule(model, shape)
    if rule is not None:
        conditions.append(rule)
    return stmt.where(*conditions)  # type: ignore[return-value]


def _parameter(name: str, sql_type: Any, values: dict[str, Any] | None) -> sa.BindParameter[Any]:
    if values is None:
        return sa.bindparam(name, type_=sql_type)
    return sa.bindparam(name, values[name], type_=sql_type)


def _any(
    column: sa.ColumnElement[Any], name: str, values: dict[str, Any] | None
) -> sa.ColumnElement[bool]:
    """``column = ANY(:name)``, one array parameter whatever the number of ids."""
    return column == sa.any_(_parameter(name, sa.ARRAY(column.type), values))


# Reference data of the organization that belongs to no client (the ticket form's
# departments, the activity types): a restricted caller sees only what its audience's record
# rule keeps of it.
ORGANIZATION_WIDE = frozenset({"department", "activity_type"})


def _client_site_condition(
    table: sa.Table, values: dict[str, Any] | None
) -> sa.ColumnElement[bool]:
    columns = table.c
    if table.name in ORGANIZATION_WIDE:
        return sa.true()
    if table.name == "client":
        return _any(columns.id, CLIENTS, values)
    if table.name == "site":
        return _any(columns.id, SITES, values)
    if "site_id" not in columns or "client_id" not in columns:
        raise ScopeError(f"table {table.name!r} has no client_id/site_id to scope on")
    in_sites = _any(columns.site_id, SITES, values)
    if not columns.site_id.nullable:
        return in_sites
    client_level = sa.and_(
        columns.site_id.is_(None), _any(columns.client_id, WHOLE_CLIENTS, values)
    )
    return sa.or_(in_sites, client_level)
