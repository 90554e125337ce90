"""The back office's lists as CSV: portal accesses, staff users, the audit trail and the
portal bill of a month. Only staff views hold these fields; the rule of each root field
(authz/policy.py) decides which staff may download them, as in the API."""

from __future__ import annotations

import re
from typing import Any

import sportello.exports.arguments as arg
import sportello.exports.columns as col
from authz.principals import CONTACT_FLAGS
from db.queries import audit_events, portal_access, portal_billing, staff
from schema.kit.names import full_name
from schema.staff import StaffRole
from sportello.exports.base import Column, Export, text

_ACCESS = "PortalAccess"
_BILLED = "BilledAccess"
# The fields of PortalFlags: the contact's flag columns, camelCased as GraphQL names them.
_FLAGS = tuple(re.sub(r"_([a-z])", lambda m: m[1].upper(), flag) for flag in CONTACT_FLAGS)


def _full_name(row: Any) -> str:
    return full_name(row.first_name, row.last_name)


STAFF_LISTS: dict[str, Export] = {
    "portalAccesses": Export(
        query_field="portalAccesses",
        parameters=frozenset({"search"}),
        build=lambda scope, p: portal_access.accesses_statement(scope, text(p, "search")),
        ordering=portal_access.ACCESS_ORDER,
        columns=(
            col.id_column(_ACCESS),
            *col.mirrored(_ACCESS, "firstName", "lastName", "username", "email", "phone"),
            *col.mirrored(_ACCESS, "mobile", "locale", "state", "lastLoginAt", "createdAt"),
            *col.mirrored(_ACCESS, "notes"),
            *col.mirrored("PortalFlags", *_FLAGS),
            *col.grants(),
        ),
    ),
    "staffUsers": Export(
        query_field="staffUsers",
        parameters=frozenset({"search", "role", "active"}),
        build=lambda scope, p: staff.staff_statement(
            scope,
            staff.StaffFilter(
                search=text(p, "search"),
                roles=arg.choices_of(p, "role", StaffRole),
                active=arg.flag(p, "active"),
            ),
        ),
        ordering=staff.STAFF_ORDER,
        columns=(
            col.id_column("StaffUser"),
            *col.mirrored("StaffUser", "firstName", "lastName", "email", "phone", "role"),
            *col.mirrored("StaffUser", "active", "homeLat", "homeLng", "weeklyHours"),
        ),
    ),
    # Newest first, like the API; ``from`` and ``to`` without an offset are UTC, as there.
    "auditEvents": Export(
        query_field="auditEvents",
        parameters=frozenset({"action", "from", "to"}),
        build=lambda scope, p: audit_events.with_actor_names(
            audit_events.audit_statement(
                scope,
                audit_events.AuditFilter(text(p, "action"), *arg.span(p, arg.utc_time)),
            )
        ),
        ordering=audit_events.AUDIT_ORDER,
        columns=(
            *col.mirrored("AuditEvent", "createdAt", "action", "actorType", "actorId"),
            Column("actor_name", "AuditEvent", "actorId", col.attribute("actor_name")),
            *col.mirrored("AuditEvent", "subjectType", "subjectId", "ip", "details"),
        ),
    ),
    # One row per access billed for the month, with the bill's terms on each: the net amount
    # is the sum of unit_fee_cents; VAT is computed on that total (portalBill gives both).
    "portalBill": Export(
        query_field="portalBill",
        parameters=frozenset({"month"}),
        build=lambda scope, p: portal_billing.billed_statement(scope, arg.month(p)),
        ordering=portal_access.ACCESS_ORDER,
        columns=(
            Column("access_id", _BILLED, "accessId", col.link(_ACCESS, "id")),
            Column("name", _BILLED, "name", _full_name),
            *col.mirrored(_BILLED, "email"),
            *col.grants(),
            *col.mirrored(_BILLED, "createdAt", "deletedAt"),
            *col.mirrored("PortalBill", "currency", "unitFeeCents", "vatRatePercent"),
        ),
        period=lambda p: p["month"],
    ),
}
