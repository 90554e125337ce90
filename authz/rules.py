"""The vocabulary of the policy table: who may read a field or call an operation.

A :class:`Rule` lists the audiences whose schema view holds the field and, per audience, what
the principal must also have at run time: a contact feature flag, a staff role or a partner
scope. The view builder reads the audiences; the request checks the requirements once per
field per request (see authz/checks.py), never once per returned object.
"""

from __future__ import annotations

import dataclasses
import uuid

from authz.principals import (
    Audience,
    ContactPrincipal,
    PartnerPrincipal,
    Principal,
    StaffPrincipal,
)
from db.models.staff import StaffRole


@dataclasses.dataclass(frozen=True)
class Grant:
    """One audience may use the field, given ``flag``, ``roles`` or ``scope`` where set."""

    audience: Audience
    flag: str | None = None
    roles: frozenset[StaffRole] | None = None
    scope: str | None = None
    writes: bool = False


@dataclasses.dataclass(frozen=True)
class Rule:
    grants: tuple[Grant, ...]

    @property
    def audiences(self) -> frozenset[Audience]:
        return frozenset(grant.audience for grant in self.grants)

    def check(self, principal: Principal) -> str | None:
        """None when ``principal`` may use the field, else the reason it may not."""
        grant = next((g for g in self.grants if g.audience is principal.audience), None)
        if grant is None:
            return "not available to this caller"
        if isinstance(principal, ContactPrincipal):
            if grant.flag is not None and grant.flag not in principal.flags:
                return "not enabled for this portal access"
            if grant.writes and principal.read_only:
                return "the portal preview is read-only"
        if (
            isinstance(principal, StaffPrincipal)
            and grant.roles is not None
            and principal.role not in grant.roles
        ):
            return "your role does not allow this"
        if (
            isinstance(principal, PartnerPrincipal)
            and grant.scope is not None
            and grant.scope not in principal.scopes
        ):
            return f"the token lacks the scope {grant.scope}"
        return None


def capability(principal: Principal) -> Principal:
    """A stand-in with the same audience, flags, role or scopes and no identity: what
    :meth:`Rule.check` reads of a principal. Principals with one capability may use the same
    fields: they share one narrowed view (sportello/assembly.py) and one set of field decisions per
    document (authz/checks.py)."""
    nobody = uuid.UUID(int=0)
    if isinstance(principal, StaffPrincipal):
        return StaffPrincipal(nobody, nobody, principal.role)
    if isinstance(principal, ContactPrincipal):
        viewer = StaffPrincipal(nobody, nobody, StaffRole.ADMIN) if principal.read_only else None
        return ContactPrincipal(nobody, nobody, principal.flags, viewed_by=viewer)
    if isinstance(principal, PartnerPrincipal):
        return PartnerPrincipal(nobody, nobody, principal.scopes, None)
    return principal


def allow(*grants: Grant | Audience) -> Rule:
    """A rule from grants; a bare audience is a grant with no requirement."""
    return Rule(tuple(g if isinstance(g, Grant) else Grant(g) for g in grants))


def staff(*roles: StaffRole) -> Grant:
    return Grant(Audience.STAFF, roles=frozenset(roles) if roles else None)


def portal(flag: str | None = None, *, writes: bool = False) -> Grant:
    return Grant(Audience.PORTAL, flag=flag, writes=writes)


def partner(scope: str | None = None) -> Grant:
    return Grant(Audience.PARTNER, scope=scope)


PUBLIC = Grant(Audience.PUBLIC)
STAFF = Grant(Audience.STAFF)
PORTAL = Grant(Audience.PORTAL)
PARTNER = Grant(Audience.PARTNER)
BACK_OFFICE = staff(StaffRole.ADMIN, StaffRole.OFFICE)

# A field decided as staff-only: explicit, so the completeness check knows it was considered.
STAFF_ONLY = allow(STAFF)
