"""The lists that can be downloaded as CSV (sportello/export_route.py serves them).

Each export names the GraphQL root field whose rule decides who may download it, builds its
statement from the caller's row scope and the query parameters (named like the GraphQL
arguments), and lists its columns in order, each mirroring a GraphQL field whose rule decides
whether the caller gets that column.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope
from db.pagination import Ordering
from db.queries import (
    appointments,
    billing,
    clients,
    contracts,
    documents,
    equipment,
    reports,
    revisions,
    tickets,
    timesheets,
    worksheets,
)
from schema import ids
from schema.activity_types import AppointmentStatus
from schema.billing import InvoiceStatus, QuoteStatus
from schema.documents import DocumentKind
from schema.errors import NotFound
from schema.revisions import RevisionResult
from schema.staff import Technician
from schema.tickets import TicketStatus, TicketUrgency
from schema.worksheets import WorkSheetStatus


class ExportInputError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclasses.dataclass(frozen=True)
class Column:
    header: str
    type_name: str
    field_name: str
    value: Callable[[Any], Any]


@dataclasses.dataclass(frozen=True)
class Export:
    query_field: str
    parameters: frozenset[str]
    build: Callable[[RowScope, Mapping[str, str]], Any]
    ordering: Ordering
    columns: tuple[Column, ...]
    # Run before the first row: raises NotFound when a filter names a record out of sight.
    check: Callable[[AsyncConnection, RowScope, Mapping[str, str]], Awaitable[None]] | None = None

    def statement(self, scope: RowScope, params: Mapping[str, str]) -> Any:
        unknown = sorted(set(params) - self.parameters)
        if unknown:
            raise ExportInputError(unknown[0], "is not a filter of this list")
        return self.build(scope, params)


def global_id(params: Mapping[str, str], name: str, type_name: str) -> uuid.UUID | None:
    """A filter by id; a malformed id filters like one that does not exist (nothing)."""
    return ids.filter_id(type_name, params.get(name))


def text(params: Mapping[str, str], name: str, limit: int = 100) -> str | None:
    value = params.get(name)
    if value is not None and len(value) > limit:
        raise ExportInputError(name, f"use at most {limit} characters")
    return value


def column(header: str, type_name: str, field_name: str, attribute: str | None = None) -> Column:
    key = attribute or header
    return Column(header, type_name, field_name, lambda row: row._mapping[key])


EXPORTS: dict[str, Export] = {
    "clients": Export(
        query_field="clients",
        parameters=frozenset({"search"}),
        build=lambda scope, p: clients.clients_statement(scope, text(p, "search")),
        ordering=clients.CLIENT_ORDER,
        columns=(
            column("code", "Client", "code"),
            column("name", "Client", "name"),
            column("tax_id", "Client", "taxId"),
            column("email", "Client", "email"),
            column("phone", "Client", "phone"),
        ),
    ),
    "sites": Export(
        query_field="sites",
        parameters=frozenset({"search", "clientId"}),
        build=lambda scope, p: clients.sites_with_client_statement(
            scope, text(p, "search"), global_id(p, "clientId", "Client")
        ),
        ordering=clients.SITE_ORDER,
        columns=(
            column("client", "Site", "client", "client_name"),
            column("name", "Site", "name"),
            column("address", "Site", "address"),
            column("postal_code", "Site", "postalCode"),
            column("city", "Site", "city"),
            column("province", "Site", "province"),
            column("country", "Site", "country"),
            column("lat", "Site", "lat"),
            column("lng", "Site", "lng"),
        ),
    ),
}


# ---- Partner reports (db/queries/reports.py): the parameters are the GraphQL arguments.


def _day(params: Mapping[str, str], name: str) -> dt.date:
    value = params.get(name)
    if value is None:
        raise ExportInputError(name, "is required (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ExportInputError(name, "give a day as YYYY-MM-DD") from None


def _choice(params: Mapping[str, str], name: str, default: str, choices: Any) -> Any:
    value = params.get(name, default)
    if value not in choices.__members__:
        raise ExportInputError(name, f"use one of {', '.join(choices.__members__)}")
    return choices[value]


def _report_filter(params: Mapping[str, str]) -> reports.ReportFilter:
    since, until = _day(params, "from"), _day(params, "to")
    problem = reports.period_error(since, until)
    if problem is not None:
        raise ExportInputError("to", problem)
    client = global_id(params, "clientId", "Client")
    return reports.ReportFilter(since, until, client, global_id(params, "siteId", "Site"))


def _period(params: Mapping[str, str]) -> Any:
    return _choice(params, "period", "MONTH", reports.Period)


async def _filters_visible(db: AsyncConnection, scope: RowScope, params: Mapping[str, str]) -> None:
    """A client or site filter out of the caller's sight is NOT_FOUND, as in the API."""
    hidden = await reports.hidden_filter(db, scope, _report_filter(params))
    if hidden is not None:
        raise NotFound(hidden)


# Report columns whose value is a global id: the GraphQL id, never the raw uuid.
_ID_COLUMNS = {"clientId": "Client", "siteId": "Site"}


def _mirror(type_name: str, *fields: str) -> tuple[Column, ...]:
    """Columns mirroring report fields; headers are the snake_case names of the SQL columns."""
    columns = []
    for field in fields:
        header = "".join(f"_{c.lower()}" if c.isupper() else c for c in field)
        id_type = _ID_COLUMNS.get(field)
        if id_type is None:
            columns.append(column(header, type_name, field))
        else:
            columns.append(Column(header, type_name, field, _encoder(header, id_type)))
    return tuple(columns)


def _encoder(header: str, id_type: str) -> Callable[[Any], Any]:
    return lambda row: ids.encode(id_type, row._mapping[header])


def _report(
    name: str,
    build: Callable[[RowScope, Mapping[str, str]], Any],
    ordering: Ordering,
    columns: tuple[Column, ...],
    *extra: str,
) -> Export:
    parameters = frozenset({"from", "to", "clientId", "siteId", *extra})
    return Export(name, parameters, build, ordering, columns, check=_filters_visible)


_SITE = ("clientId", "clientName", "siteId", "siteName")
_ROW = "InterventionReportRow"

EXPORTS.update(
    {
        "interventionReport": _report(
            "interventionReport",
            lambda scope, p: (
                reports.interventions(
                    scope,
                    _report_filter(p),
                    _period(p),
                    _choice(p, "groupBy", "CLIENT", reports.Grouping),
                ).rows
            ),
            reports.INTERVENTION_ORDER,
            (
                *_mirror(_ROW, "periodStart"),
                Column("group_id", _ROW, "groupId", lambda r: ids.encode(r.group_type, r.group_id)),
                *_mirror(_ROW, "groupName", "total", "requested", "planned", "inProgress"),
                *_mirror(_ROW, "done", "cancelled"),
            ),
            "period",
            "groupBy",
        ),
        "hoursReport": _report(
            "hoursReport",
            lambda scope, p: reports.hours(scope, _report_filter(p), _period(p)).rows,
            reports.SITE_PERIOD_ORDER,
            _mirror("HoursReportRow", "periodStart", *_SITE, "hours", "entries"),
            "period",
        ),
        "ticketReport": _report(
            "ticketReport",
            lambda scope, p: reports.tickets(scope, _report_filter(p)).rows,
            reports.TICKET_ORDER,
            _mirror(
                "TicketUrgencyFigures",
                "urgency",
                "opened",
                "resolved",
                "stillOpen",
                "medianFirstResponseMinutes",
                "p90FirstResponseMinutes",
                "medianResolutionMinutes",
                "p90ResolutionMinutes",
            ),
        ),
        "revisionComplianceReport": _report(
            "revisionComplianceReport",
            lambda scope, p: reports.compliance(scope, _report_filter(p), _period(p)).rows,
            reports.SITE_PERIOD_ORDER,
            _mirror(
                "RevisionComplianceRow",
                "periodStart",
                *_SITE,
                "performed",
                "passed",
                "passedWithRemarks",
                "failed",
                "passRate",
                "nonCompliantEquipment",
            ),
            "period",
        ),
        "equipmentStatusReport": _report(
            "equipmentStatusReport",
            lambda scope, p: reports.equipment(scope, _report_filter(p)).rows,
            reports.SITE_ORDER,
            _mirror(
                "EquipmentStatusRow",
                *_SITE,
                "total",
                "compliant",
                "nonCompliant",
                "notChecked",
                "notRevised",
            ),
        ),
    }
)


# ---- The lists of the API (db/queries/<domain>.py): parameters are the list's arguments.


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _values(params: Mapping[str, str], name: str, choices: Any) -> tuple[str, ...] | None:
    """An enum list argument, comma-separated (``status=OPEN,IN_PROGRESS``); None when absent."""
    value = params.get(name)
    if value is None:
        return None
    members = tuple(part.strip() for part in value.split(","))
    for member in members:
        if member not in choices.__members__:
            raise ExportInputError(name, f"use one or more of {', '.join(choices.__members__)}")
    return tuple(str(choices[member].value) for member in members)


def _value(params: Mapping[str, str], name: str, choices: Any) -> str | None:
    """A single enum argument; None when absent."""
    values = _values(params, name, choices)
    if values is not None and len(values) != 1:
        raise ExportInputError(name, "give one value")
    return values[0] if values is not None else None


def _date(params: Mapping[str, str], name: str) -> dt.date | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ExportInputError(name, "give a day as YYYY-MM-DD") from None


def _time(params: Mapping[str, str], name: str) -> dt.datetime | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ExportInputError(name, "give a time with its offset, as 2026-11-23T08:00:00+01:00")
    return moment


def _span(params: Mapping[str, str], read: Callable[[Mapping[str, str], str], Any]) -> Any:
    """The ``from``/``to`` period of a list, refused when it ends before it starts."""
    since, until = read(params, "from"), read(params, "to")
    if since is not None and until is not None and until < since:
        raise ExportInputError("to", "must not be before from")
    return since, until


def _site(params: Mapping[str, str]) -> uuid.UUID | None:
    return global_id(params, "siteId", "Site")


def _client(params: Mapping[str, str]) -> uuid.UUID | None:
    return global_id(params, "clientId", "Client")


def _fields(type_name: str, *fields: str, **computed: Callable[[Any], Any]) -> tuple[Column, ...]:
    """Columns mirroring fields of ``type_name``, headed and read by their snake_case names.

    ``computed`` maps a field to its value when it is not the row's column of the same name.
    """
    columns = []
    for field in fields:
        header = _snake(field)
        value = computed.get(field) or _attribute(header)
        columns.append(Column(header, type_name, field, value))
    return tuple(columns)


def _attribute(name: str) -> Callable[[Any], Any]:
    return lambda row: _enum_value(row._mapping[name])


def _link(type_name: str, attribute: str) -> Callable[[Any], Any]:
    """A relation field as the global id of the record it names (empty when none)."""

    def value(row: Any) -> Any:
        key = row._mapping[attribute]
        return ids.encode(type_name, key) if key is not None else None

    return value


def _technician() -> tuple[Column, ...]:
    """The technician as contacts read it (first name, initial); its staff user id for staff."""

    def name(row: Any) -> str | None:
        technician = Technician.from_row(row)
        return technician.display_name if technician is not None else None

    return (
        Column("technician", "Technician", "displayName", name),
        Column("technician_id", "Technician", "staffUser", _link("StaffUser", "technician_id")),
    )


def _places_of(type_name: str, *fields: str) -> tuple[Column, ...]:
    """Columns of relation fields (``client``, ``site``, ...) holding global ids."""
    types = {"client": ("Client", "client_id"), "site": ("Site", "site_id")}
    types |= {"appointment": ("Appointment", "intervention_id")}
    columns = []
    for field in fields:
        target, attribute = types[field]
        columns.append(Column(f"{field}_id", type_name, field, _link(target, attribute)))
    return tuple(columns)


def _minutes(row: Any) -> int | None:
    if row.clock_out is None:
        return None
    return int((row.clock_out - row.clock_in).total_seconds() // 60)


def _author(full: bool) -> Callable[[Any], Any]:
    def value(row: Any) -> str | None:
        first, last = row.author_first_name, row.author_last_name
        if first is None:
            return None
        return f"{first} {last}" if full else (f"{first} {last[:1]}." if last else first)

    return value


def _id(type_name: str) -> Column:
    return Column("id", type_name, "id", _link(type_name, "id"))


def _bill(type_name: str, *fields: str) -> tuple[Column, ...]:
    """Columns of quotes and invoices: cost and margin are staff-only fields."""
    return (
        _id(type_name),
        *_fields(type_name, *fields, "status", "netCents", "vatCents", "totalCents", "currency"),
        *_fields(type_name, "costCents", "marginCents", marginCents=_margin),
        *_places_of(type_name, "client", "site"),
    )


def _margin(row: Any) -> int:
    return int(row.net_cents - row.cost_cents)


def _bill_filter(params: Mapping[str, str], statuses: Any) -> billing.BillFilter:
    since, until = _span(params, _date)
    return billing.BillFilter(
        site_id=_site(params),
        client_id=_client(params),
        issued_from=since,
        issued_to=until,
        statuses=_values(params, "status", statuses),
    )


def _list(
    name: str,
    build: Callable[[RowScope, Mapping[str, str]], Any],
    ordering: Ordering,
    columns: tuple[Column, ...],
    *parameters: str,
) -> Export:
    return Export(name, frozenset({"siteId", "clientId", *parameters}), build, ordering, columns)


def _appointments(scope: RowScope, p: Mapping[str, str]) -> Any:
    since, until = _span(p, _time)
    status = _values(p, "status", AppointmentStatus)
    where = appointments.AppointmentFilter(
        site_id=_site(p), client_id=_client(p), since=since, until=until, statuses=status
    )
    return appointments.appointments_statement(scope, where)


def _work_sheets(scope: RowScope, p: Mapping[str, str]) -> Any:
    since, until = _span(p, _date)
    status = _values(p, "status", WorkSheetStatus)
    where = worksheets.WorkSheetFilter(
        site_id=_site(p), client_id=_client(p), since=since, until=until, statuses=status
    )
    return worksheets.work_sheets_statement(scope, where)


def _entries(scope: RowScope, p: Mapping[str, str]) -> Any:
    since, until = _span(p, _time)
    where = timesheets.TimesheetFilter(
        site_id=_site(p), client_id=_client(p), since=since, until=until
    )
    return timesheets.entries_statement(scope, where)


def _revisions(scope: RowScope, p: Mapping[str, str]) -> Any:
    start, end = _span(p, _date)
    result = _value(p, "result", RevisionResult)
    return revisions.revisions_statement(
        scope, site_id=_site(p), client_id=_client(p), start=start, end=end, result=result
    )


_APPOINTMENT = "Appointment"
_SHEET = "WorkSheet"
_ENTRY = "TimesheetEntry"

EXPORTS.update(
    {
        "contracts": _list(
            "contracts",
            lambda scope, p: contracts.contracts_statement(
                scope,
                contracts.ContractFilter(
                    site_id=_site(p),
                    client_id=_client(p),
                    expiring_before=_date(p, "expiringBefore"),
                ),
            ),
            contracts.CONTRACT_ORDER,
            (
                _id("Contract"),
                *_fields("Contract", "number", "kind", "description", "startsOn", "expiresOn"),
                *_fields("Contract", "daysToExpiry"),
                *_places_of("Contract", "client", "site"),
            ),
            "expiringBefore",
        ),
        "quotes": _list(
            "quotes",
            lambda scope, p: billing.quotes_statement(scope, _bill_filter(p, QuoteStatus)),
            billing.QUOTE_ORDER,
            _bill("Quote", "number", "title", "issuedOn", "validUntil"),
            "from",
            "to",
            "status",
        ),
        "invoices": _list(
            "invoices",
            lambda scope, p: billing.invoices_statement(scope, _bill_filter(p, InvoiceStatus)),
            billing.INVOICE_ORDER,
            _bill("Invoice", "number", "issuedOn", "dueOn", "paidOn"),
            "from",
            "to",
            "status",
        ),
        "tickets": _list(
            "tickets",
            lambda scope, p: tickets.listed_tickets(
                scope,
                tickets.TicketFilter(
                    site_id=_site(p),
                    client_id=_client(p),
                    statuses=_values(p, "status", TicketStatus),
                    urgencies=_values(p, "urgency", TicketUrgency),
                ),
            ),
            tickets.TICKET_ORDER,
            (
                _id("Ticket"),
                *_fields("Ticket", "number", "urgency", "status", "openedAt", "referencePerson"),
                *_fields("Ticket", "phone", "notes"),
                Column("opened_by", "TicketAuthor", "displayName", _author(full=False)),
                Column("opened_by_full_name", "TicketAuthor", "fullName", _author(full=True)),
                Column("equipment_id", "Ticket", "equipmentId", _link("Equipment", "equipment_id")),
                *_places_of("Ticket", "client", "site"),
            ),
            "status",
            "urgency",
        ),
        "appointments": _list(
            "appointments",
            _appointments,
            appointments.APPOINTMENT_ORDER,
            (
                _id(_APPOINTMENT),
                *_fields(_APPOINTMENT, "startsAt", "endsAt", "status", "origin", "notes"),
                *_technician(),
                Column("ticket_id", _APPOINTMENT, "ticketId", _link("Ticket", "ticket_id")),
                Column(
                    "activity_type_id",
                    _APPOINTMENT,
                    "activityType",
                    _link("ActivityType", "activity_type_id"),
                ),
                *_places_of(_APPOINTMENT, "client", "site"),
            ),
            "from",
            "to",
            "status",
        ),
        "workSheets": _list(
            "workSheets",
            _work_sheets,
            worksheets.WORK_SHEET_ORDER,
            (
                _id(_SHEET),
                *_fields(_SHEET, "number", "date", date=_attribute("work_date")),
                *_fields(_SHEET, "description", "materials", "status", "signedBy", "signedAt"),
                *_fields(_SHEET, "internalNotes"),
                *_places_of(_SHEET, "appointment", "client", "site"),
            ),
            "from",
            "to",
            "status",
        ),
        "timesheetEntries": _list(
            "timesheetEntries",
            _entries,
            timesheets.ENTRY_ORDER,
            (
                _id(_ENTRY),
                *_fields(
                    _ENTRY, "clockIn", "clockOut", "durationMinutes", durationMinutes=_minutes
                ),
                *_fields(_ENTRY, "source"),
                *_technician(),
                *_fields(_ENTRY, "lat", "lng", "internalNotes"),
                *_places_of(_ENTRY, "appointment", "client", "site"),
            ),
            "from",
            "to",
        ),
        "equipment": _list(
            "equipment",
            lambda scope, p: equipment.equipment_statement(
                scope,
                site_id=_site(p),
                client_id=_client(p),
                kind=text(p, "kind"),
                search=text(p, "search"),
            ),
            equipment.EQUIPMENT_ORDER,
            (
                _id("Equipment"),
                *_fields("Equipment", "kind", "model", "serialNumber", "location", "installedOn"),
                *_places_of("Equipment", "site"),
            ),
            "kind",
            "search",
        ),
        "revisions": _list(
            "revisions",
            _revisions,
            revisions.REVISION_ORDER,
            (
                _id("Revision"),
                *_fields("Revision", "dueMonth", "plannedDate", "performedAt", "result", "notes"),
                Column("contract_id", "Revision", "contractId", _link("Contract", "contract_id")),
                *_places_of("Revision", "site"),
            ),
            "from",
            "to",
            "result",
        ),
        "documents": _list(
            "documents",
            lambda scope, p: documents.documents_statement(
                scope, site_id=_site(p), client_id=_client(p), kind=_value(p, "kind", DocumentKind)
            ),
            documents.RECENT_ORDER,
            (
                _id("Document"),
                *_fields("Document", "kind", "fileName", "mimeType", "sizeBytes", "sha256"),
                *_fields("Document", "createdAt", "portalVisible"),
            ),
            "kind",
        ),
    }
)
