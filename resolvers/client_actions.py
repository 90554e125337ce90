"""Staff (ADMIN, OFFICE) create, edit and archive clients, sites and departments.

Every field is checked before anything is written, and a refusal names the input field
(BAD_USER_INPUT); an id of another organization answers exactly like one that does not
exist. Each change is audited with the old and new value of the fields it changed.

Archiving is a soft delete (``archived_at``; README "Back office"): the record stays, because
appointments, tickets, work sheets, invoices and a contact's history point to it, and it
stays readable through them and in every list (its staff-only ``archivedAt`` tells it
apart). What stops is new work: no new site for an archived client, no ticket, booking or
free slot at an archived site, no ticket for an archived department, which also leaves the
``departments`` list (the ticket form's menu). Archiving a client archives its sites with
it. A client or site with open appointments (requested, planned, under way) is not archived:
CONFLICT naming them, to be cancelled or finished first. Archiving is final through the API
and archiving twice changes nothing; an archived record can still be corrected (update).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import strawberry
from strawberry import Info

from authz.policy import BACK_OFFICE_ONLY
from db import models as m
from db.queries import audit
from db.queries import client_actions as actions
from db.scoped import records
from resolvers.kit import audited, changes
from resolvers.kit.inputs import one_line
from schema import client_inputs as inputs
from schema.clients import Client, Site
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput, Conflict
from schema.kit.permissions import permitted
from schema.tickets import Department
from sportello.base.clock import now_utc

ContextInfo = Info[Context, None]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{3,38}$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
SIX_PLACES = Decimal("0.000001")

# GraphQL input field -> (column, most characters, required).
CLIENT_TEXT = {
    "code": ("code", 32, True),
    "name": ("name", 200, True),
    "taxId": ("tax_id", 32, False),
    "email": ("email", 254, False),
    "phone": ("phone", 40, False),
}
SITE_TEXT = {
    "name": ("name", 200, True),
    "address": ("address", 300, True),
    "postalCode": ("postal_code", 16, True),
    "city": ("city", 100, True),
    "province": ("province", 64, False),
    "country": ("country", 2, True),
}
DEPARTMENT_TEXT = {"name": ("name", 120, True)}


def _text(field: str, value: str, limit: int, required: bool) -> str | None:
    """One line of text, trimmed; None for an optional field given empty (clears it)."""
    if not required and not value.strip():
        return None
    return one_line(field, value, limit)


def texts(spec: dict[str, tuple[str, int, bool]], given: dict[str, str | None]) -> dict[str, Any]:
    """The columns of the text fields given (None: left out), each checked."""
    values: dict[str, Any] = {}
    for field, value in given.items():
        if value is not None:
            column, limit, required = spec[field]
            values[column] = _text(field, value, limit, required)
    return values


def check_client(values: dict[str, Any]) -> None:
    """The formats of a client's code, email and phone (shared with the import)."""
    if "code" in values and not CODE.match(values["code"]):
        raise BadUserInput("code", "use letters, digits and . _ / - (starting with one of those)")
    if values.get("email") is not None and not EMAIL.match(values["email"]):
        raise BadUserInput("email", "is not an email address")
    if values.get("phone") is not None and not PHONE.match(values["phone"]):
        raise BadUserInput("phone", "use digits, spaces and + ( ) . / - only")


def client_values(input: inputs.CreateClientInput | inputs.UpdateClientInput) -> dict[str, Any]:
    """The columns of the client fields given, each checked; a new client's optional field
    left out is stored empty, an update's stays as it is."""
    given = {
        "code": input.code,
        "name": input.name,
        "taxId": input.tax_id,
        "email": input.email,
        "phone": input.phone,
    }
    if isinstance(input, inputs.CreateClientInput):
        given |= {field: given[field] or "" for field in ("taxId", "email", "phone")}
    values = texts(CLIENT_TEXT, given)
    check_client(values)
    return values


def _coordinate(field: str, value: Decimal | None, bound: int) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or not -bound <= value <= bound:
        raise BadUserInput(field, f"use a number from -{bound} to {bound}")
    return value.quantize(SIX_PLACES, rounding=ROUND_HALF_EVEN)


def site_values(input: inputs.CreateSiteInput | inputs.UpdateSiteInput) -> dict[str, Any]:
    """The columns of the site fields given, each checked (shared with the import)."""
    values = texts(
        SITE_TEXT,
        {
            "name": input.name,
            "address": input.address,
            "postalCode": input.postal_code,
            "city": input.city,
            "province": input.province,
            "country": input.country.upper() if input.country is not None else None,
        },
    )
    if "country" in values and not COUNTRY.match(values["country"]):
        raise BadUserInput("country", "use a two-letter country code (ISO 3166-1), e.g. IT")
    for field, value, bound in (("lat", input.lat, 90), ("lng", input.lng, 180)):
        checked = _coordinate(field, value, bound)
        if checked is not None:
            values[field] = checked
    return values


def department_values(name: str | None, portal_visible: bool | None) -> dict[str, Any]:
    """The columns of the department fields given, each checked (shared with the import)."""
    values = texts(DEPARTMENT_TEXT, {"name": name})
    if portal_visible is not None:
        values["portal_visible"] = portal_visible
    return values


async def _record(
    info: ContextInfo, action: str, subject: str, row: Any, details: dict[str, Any]
) -> None:
    await audited.record(info.context, action, subject, row.id, details)


async def _locked(info: ContextInfo, model: Any, type_name: str, id: strawberry.ID) -> Any:
    """The record ``id`` locked for a change; NOT_FOUND when the caller cannot see it."""
    return await changes.locked(info.context, model, type_name, id, type_name.lower())


async def _unique(
    info: ContextInfo, model: Any, field: str, column: str, values: dict[str, Any], current: Any
) -> None:
    if column in values and await records.taken(
        info.context.db,
        info.context.rows.scope,
        model,
        column,
        values[column],
        current.id if current is not None else None,
    ):
        raise BadUserInput(field, f"another {model.__tablename__} already uses this {field}")


async def _write(
    info: ContextInfo, model: Any, current: Any, values: dict[str, Any], action: str
) -> Any:
    """Insert (``current`` None) or update, audited; the row as written (``current`` when
    there is nothing to change)."""
    if current is not None and not values:
        return current
    context = info.context
    try:
        if current is None:
            row = await records.insert(context.db, context.rows.scope, model, values)
        else:
            row = await records.update(context.db, model, current.id, values)
    except records.Taken as taken:
        field = taken.field
        message = f"another {model.__tablename__} already uses this {field}"
        raise BadUserInput(field, message) from None
    before = {} if current is None else dict(current._mapping)
    await _record(info, action, model.__name__, row, audit.change_details(before, values))
    return row


async def _refuse_open_visits(info: ContextInfo, what: str, **owner: Any) -> None:
    context = info.context
    found = await actions.open_visits(context.db, context.rows.scope, **owner)
    if found:
        named = ", ".join(
            f"{ids.encode('Appointment', v.id)} ({v.starts_at.isoformat()})" for v in found
        )
        raise Conflict(
            f"The {what} has open appointments: {named}. Cancel or finish them, then archive.",
            appointments=[ids.encode("Appointment", v.id) for v in found],
        )


async def _archive(
    info: ContextInfo,
    model: Any,
    id: strawberry.ID,
    open_visits: str | None = None,
    cascade: Callable[[Any], Awaitable[dict[str, Any]]] | None = None,
) -> Any:
    """Archive the record ``id`` (archived already: unchanged), audited; CONFLICT while the
    ``open_visits`` owner ("client", "site") has open appointments. ``cascade`` archives what
    goes with it and gives the audit details that name it."""
    type_name = model.__name__
    current = await _locked(info, model, type_name, id)
    if current.archived_at is not None:
        return current
    if open_visits is not None:
        await _refuse_open_visits(info, open_visits, **{f"{open_visits}_id": current.id})
    values = {"archived_at": now_utc()}
    row = await records.update(info.context.db, model, current.id, values)
    details = audit.change_details(dict(current._mapping), values)
    if cascade is not None:
        details |= await cascade(row)
    await _record(info, f"{type_name.lower()}_archived", type_name, row, details)
    return row


@strawberry.type
class ClientActionMutation:
    @strawberry.mutation(
        description="Create a client (ADMIN, OFFICE).", extensions=permitted(BACK_OFFICE_ONLY)
    )
    async def create_client(self, info: ContextInfo, input: inputs.CreateClientInput) -> Client:
        values = client_values(input)
        await _unique(info, m.Client, "code", "code", values, None)
        return Client.from_row(await _write(info, m.Client, None, values, "client_created"))

    @strawberry.mutation(
        description="Edit a client (ADMIN, OFFICE); portalEnabled has its own.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def update_client(
        self, info: ContextInfo, id: strawberry.ID, input: inputs.UpdateClientInput
    ) -> Client:
        current = await _locked(info, m.Client, "Client", id)
        values = changes.differing(current, client_values(input))
        await _unique(info, m.Client, "code", "code", values, current)
        return Client.from_row(await _write(info, m.Client, current, values, "client_changed"))

    @strawberry.mutation(
        description="Archive a client and its sites (ADMIN, OFFICE): no new work for them; "
        "their records stay. CONFLICT while it has open appointments.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def archive_client(self, info: ContextInfo, id: strawberry.ID) -> Client:
        async def sites(client: Any) -> dict[str, Any]:
            archived = await actions.archive_sites_of(
                info.context.db, client.id, client.archived_at
            )
            return {"archivedSites": [ids.encode("Site", site) for site in archived]}

        return Client.from_row(await _archive(info, m.Client, id, "client", sites))

    @strawberry.mutation(
        description="Create a site of a client (ADMIN, OFFICE).",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def create_site(self, info: ContextInfo, input: inputs.CreateSiteInput) -> Site:
        context = info.context
        client_id = ids.decode("Client", input.client_id)
        client = (
            await records.row_for_update(context.db, context.rows.scope, m.Client, client_id)
            if client_id is not None
            else None
        )
        if client is None:
            raise BadUserInput("clientId", "no such client")
        if client.archived_at is not None:
            raise BadUserInput("clientId", "the client is archived; sites go to clients in use")
        values = site_values(input) | {"client_id": client.id}
        return Site.from_row(await _write(info, m.Site, None, values, "site_created"))

    @strawberry.mutation(
        description="Edit a site (ADMIN, OFFICE); it keeps its client.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def update_site(
        self, info: ContextInfo, id: strawberry.ID, input: inputs.UpdateSiteInput
    ) -> Site:
        current = await _locked(info, m.Site, "Site", id)
        values = changes.differing(current, site_values(input))
        return Site.from_row(await _write(info, m.Site, current, values, "site_changed"))

    @strawberry.mutation(
        description="Archive a site (ADMIN, OFFICE): no new tickets, bookings or slots there; "
        "its records stay. CONFLICT while it has open appointments.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def archive_site(self, info: ContextInfo, id: strawberry.ID) -> Site:
        return Site.from_row(await _archive(info, m.Site, id, "site"))

    @strawberry.mutation(
        description="Create a ticket department (ADMIN, OFFICE).",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def create_department(
        self, info: ContextInfo, input: inputs.CreateDepartmentInput
    ) -> Department:
        values = department_values(input.name, input.portal_visible)
        await _unique(info, m.Department, "name", "name", values, None)
        row = await _write(info, m.Department, None, values, "department_created")
        return Department.from_row(row)

    @strawberry.mutation(
        description="Edit a ticket department (ADMIN, OFFICE).",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def update_department(
        self, info: ContextInfo, id: strawberry.ID, input: inputs.UpdateDepartmentInput
    ) -> Department:
        current = await _locked(info, m.Department, "Department", id)
        values = changes.differing(current, department_values(input.name, input.portal_visible))
        await _unique(info, m.Department, "name", "name", values, current)
        row = await _write(info, m.Department, current, values, "department_changed")
        return Department.from_row(row)

    @strawberry.mutation(
        description="Archive a department (ADMIN, OFFICE): no new tickets for it; its tickets "
        "keep it.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def archive_department(self, info: ContextInfo, id: strawberry.ID) -> Department:
        return Department.from_row(await _archive(info, m.Department, id))
