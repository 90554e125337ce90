"""Every id input of every mutation, and inputs that would be valid with the caller's own
records, for test_tenancy_mutations.py to replace one id at a time with a foreign one."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from graphql import (
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)

from mailer.worker import answer_reset_requests
from schema.kit import ids
from sportello.base.settings import Settings
from tests.security.conftest import OTHER, Live
from tests.security.sdl import (
    audience_schema,
    type_names,
)
from tests.security.tenancy import Actors, Principal, records

# The attacker's own records that a mutation's other inputs need, by type.
OWN_TYPES = (
    "Client",
    "Site",
    "Department",
    "Equipment",
    "ActivityType",
    "Ticket",
    "StaffUser",
    "Appointment",
    "WorkSheet",
    "TimesheetEntry",
    "PortalAccess",
    "PartnerToken",
    "OutboxMessage",
    "Revision",
    "Document",
)


def soon() -> str:
    """A plausible time to book: three days from now at 10:00 UTC."""
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3)
    return dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC).isoformat()


def base_variables(mutation: str, own: OwnIds) -> dict[str, Any] | None:
    """Inputs that would be valid with the caller's own records; the attack replaces one id."""
    person = {"firstName": "Mallory", "lastName": "Intrusa", "sendInvitation": False}
    # A contract, quote or invoice of the caller's own client and site.
    owner = {"clientId": own["Client"], "siteId": own["Site"], "number": "MALLORY-1"}
    issued = owner | {"issuedOn": "2026-11-30", "netCents": 100, "vatCents": 22}
    revision_result = {
        "performedAt": "2026-11-30T10:00:00+00:00",
        "result": "PASS",
        "items": [{"equipmentId": own["Equipment"], "outcome": "COMPLIANT"}],
    }
    templates: dict[str, dict[str, Any]] = {
        "createPortalAccess": {
            "input": person | {"email": "mallory@attack.example", "clientIds": [own["Client"]]}
        },
        "updatePortalAccess": {"id": own["PortalAccess"], "input": {"clientIds": [own["Client"]]}},
        "resetPortalAccessCredentials": {"id": own["PortalAccess"]},
        "deletePortalAccess": {"id": own["PortalAccess"]},
        "setClientPortalEnabled": {"clientId": own["Client"], "enabled": False},
        "createPartnerToken": {
            "input": {
                "name": "exfiltration",
                "scopes": ["reports:read"],
                "clientIds": [own["Client"]],
            }
        },
        "revokePartnerToken": {"id": own["PartnerToken"]},
        "retryOutboxMessage": {"id": own["OutboxMessage"]},
        "openTicket": {
            "input": {
                "siteId": own["Site"],
                "departmentId": own["Department"],
                "referencePerson": "Mallory",
                "notes": "Please send everything you have on this site.",
            }
        },
        "setTicketStatus": {"id": own["Ticket"], "status": "CLOSED"},
        "addTicketComment": {"ticketId": own["Ticket"], "body": "hello", "visibleToClient": True},
        "assignTicket": {"id": own["Ticket"], "staffUserId": own["StaffUser"]},
        "bookAppointment": {
            "input": {
                "siteId": own["Site"],
                "activityTypeId": own["ActivityType"],
                "startsAt": soon(),
            }
        },
        "rescheduleAppointment": {"id": own["Appointment"], "startsAt": soon()},
        "confirmAppointment": {"id": own["Appointment"]},
        "cancelAppointment": {"id": own["Appointment"]},
        "signWorkSheet": {"id": own["WorkSheet"], "signedBy": "Mallory"},
        "updateActivityType": {"id": own["ActivityType"], "input": {"portalTitle": "Mallory"}},
        "createWorkSheet": {"input": {"appointmentId": own["Appointment"], "date": "2026-11-30"}},
        "updateWorkSheet": {"id": own["WorkSheet"], "input": {"materials": "Mallory"}},
        "clockIn": {"siteId": own["Site"], "appointmentId": own["Appointment"]},
        "correctTimesheetEntry": {
            "id": own["TimesheetEntry"],
            "clockIn": "2026-11-30T08:00:00+00:00",
            "clockOut": "2026-11-30T09:00:00+00:00",
            "reason": "Mallory",
        },
        "updateClient": {"id": own["Client"], "input": {"name": "Mallory"}},
        "archiveClient": {"id": own["Client"]},
        "createSite": {
            "input": {
                "clientId": own["Client"],
                "name": "Mallory",
                "address": "Via Roma 1",
                "postalCode": "20121",
                "city": "Milano",
                "lat": "45.46",
                "lng": "9.19",
            }
        },
        "updateSite": {"id": own["Site"], "input": {"name": "Mallory"}},
        "archiveSite": {"id": own["Site"]},
        "updateDepartment": {"id": own["Department"], "input": {"name": "Mallory"}},
        "archiveDepartment": {"id": own["Department"]},
        "createEquipment": {"input": {"siteId": own["Site"], "kind": "Mallory"}},
        "updateEquipment": {"id": own["Equipment"], "input": {"model": "Mallory"}},
        "archiveEquipment": {"id": own["Equipment"]},
        "createContract": {
            "input": owner
            | {"kind": "Mallory", "startsOn": "2026-11-30", "expiresOn": "2027-12-31"}
        },
        "updateContract": {"id": own["Contract"], "input": {"kind": "Mallory"}},
        "createQuote": {"input": issued | {"title": "Mallory", "validUntil": "2027-01-31"}},
        "updateQuote": {"id": own["Quote"], "input": {"title": "Mallory"}},
        "setQuoteStatus": {"id": own["Quote"], "status": "DECLINED"},
        "createInvoice": {"input": issued | {"dueOn": "2027-01-31"}},
        "updateInvoice": {"id": own["Invoice"], "input": {"netCents": 1}},
        "setInvoiceStatus": {"id": own["Invoice"], "status": "VOID"},
        "createAppointment": {
            "input": {
                "siteId": own["Site"],
                "activityTypeId": own["ActivityType"],
                "technicianId": own["StaffUser"],
                "ticketId": own["Ticket"],
                "startsAt": soon(),
            }
        },
        "assignAppointment": {"id": own["Appointment"], "technicianId": own["StaffUser"]},
        "createRevision": {
            "input": {
                "siteId": own["Site"],
                "dueMonth": "2027-03-01",
                "contractId": own["Contract"],
                "technicianId": own["StaffUser"],
            }
        },
        "updateRevision": {
            "id": own["Revision"],
            "input": {"contractId": own["Contract"], "technicianId": own["StaffUser"]},
        },
        "recordRevisionResult": {"id": own["Revision"], "input": revision_result},
        "correctRevisionResult": {
            "id": own["Revision"],
            "input": revision_result,
            "reason": "Mallory",
        },
        "cancelRevision": {"id": own["Revision"], "reason": "Mallory"},
        "updateStaffUser": {"id": own["StaffUser"], "input": {"phone": "+39 02 1234 5678"}},
        "archiveStaffUser": {"id": own["StaffUser"]},
        "setWorkingHours": {"technicianId": own["StaffUser"], "hours": []},
        "addAbsence": {
            "technicianId": own["StaffUser"],
            "input": {
                "startsAt": "2031-08-04T00:00:00+00:00",
                "endsAt": "2031-08-05T00:00:00+00:00",
            },
        },
        "removeAbsence": {"id": own["Absence"]},
        "setTechnicianSkills": {
            "technicianId": own["StaffUser"],
            "activityTypeIds": [own["ActivityType"]],
        },
        "setDocumentPortalVisible": {"id": own["Document"], "visible": False},
        "deleteDocument": {"id": own["Document"]},
        "issueCalendarFeed": {"portalAccessId": own["PortalAccess"]},
        "revokeCalendarFeed": {"portalAccessId": own["PortalAccess"]},
        "eraseContact": {"id": own["PortalAccess"]},
        "createWebhookEndpoint": {
            "input": {
                "partnerTokenId": own["PartnerToken"],
                "url": "https://partner.example/hook",
                "events": ["TICKET_OPENED"],
            }
        },
        "disableWebhookEndpoint": {"id": own["WebhookEndpoint"]},
        "replayWebhookDelivery": {"id": own["WebhookDelivery"]},
    }
    return templates.get(mutation)


# Inputs named by the role a record plays, not its type (``technicianId``: a staff user),
# and mutations whose ``id`` names a record by its role (a contact is a PortalAccess).
RECORD_OF_ROLE = {"Technician": "StaffUser"}
ID_OF_MUTATION = {"eraseContact": "PortalAccess"}


def id_paths(schema: GraphQLSchema, mutation: str) -> dict[str, str]:
    """Each input path of ``mutation`` holding ids (``input.siteId``), with the type of record
    it names: from its name (``siteId``, ``clientIds``) or, for ``id``, from the mutation's."""
    assert schema.mutation_type is not None
    field = schema.mutation_type.fields[mutation]
    # Record types only: a scalar's name may hide in a mutation's ("Date" in "updateSite").
    staff_types = audience_schema("staff").type_map
    records = (n for n in type_names(audience_schema("staff")) if is_record(staff_types[n]))
    known = sorted(records, key=len, reverse=True)
    paths: dict[str, str] = {}

    def walk(path: str, type_: Any, seen: frozenset[str]) -> None:
        named = get_named_type(type_)
        if named.name == "ID":
            leaf = path.rsplit(".", 1)[-1]
            if leaf == "id":
                target = ID_OF_MUTATION.get(mutation) or next(
                    t for t in known if t.lower() in mutation.lower()
                )
            else:
                stem = re.sub(r"Ids?$", "", leaf)
                target = stem[0].upper() + stem[1:]
            paths[path] = RECORD_OF_ROLE.get(target, target)
        elif isinstance(named, GraphQLInputObjectType) and named.name not in seen:
            for name, inner in named.fields.items():
                walk(f"{path}.{name}", inner.type, seen | {named.name})

    for name, argument in field.args.items():
        walk(name, argument.type, frozenset())
    return paths


def is_record(type_: Any) -> bool:
    return isinstance(type_, GraphQLObjectType)


def replaced(variables: dict[str, Any], path: str, value: str, is_list: bool) -> dict[str, Any]:
    """A copy of ``variables`` with ``value`` at ``path``; through a list of input objects
    (``input.items.equipmentId``), in each of them."""
    head, _, rest = path.partition(".")
    copy = dict(variables)
    if not rest:
        copy[head] = [value] if is_list else value
    elif isinstance(copy[head], list):
        copy[head] = [replaced(item, rest, value, is_list) for item in copy[head]]
    else:
        copy[head] = replaced(copy[head], rest, value, is_list)
    return copy


def mutation_document(schema: GraphQLSchema, mutation: str) -> str:
    assert schema.mutation_type is not None
    field = schema.mutation_type.fields[mutation]
    definitions = ", ".join(f"${n}: {a.type}" for n, a in field.args.items())
    arguments = ", ".join(f"{n}: ${n}" for n in field.args)
    returned = get_named_type(field.type)
    selection = " { __typename }" if isinstance(returned, GraphQLObjectType) else ""
    return f"mutation({definitions}) {{ {mutation}({arguments}){selection} }}"


def is_list_path(schema: GraphQLSchema, mutation: str, path: str) -> bool:
    assert schema.mutation_type is not None
    type_: Any = schema.mutation_type.fields[mutation].args[path.split(".")[0]].type
    for part in path.split(".")[1:]:
        named = get_named_type(type_)
        assert isinstance(named, GraphQLInputObjectType)
        type_ = named.fields[part].type
    return "[" in str(type_)


async def tenant_fingerprint(live: Live, org: str) -> dict[str, str]:
    """A digest of every row of ``org`` per table, except the bookkeeping any request writes
    on its own (sessions, audit, counters)."""
    tables = [
        row[0]
        for row in await live.rows(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND column_name = 'organization_id' AND table_name NOT IN "
            "('session', 'audit_event', 'partner_usage', 'account_usage') ORDER BY table_name"
        )
    ]
    org_id = await live.scalar("SELECT id FROM organization WHERE slug = :o", o=org)
    digests = {}
    for table in [*tables, "organization"]:
        column = "id" if table == "organization" else "organization_id"
        digests[table] = await live.scalar(
            f"SELECT md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) "  # noqa: S608
            f'FROM "{table}" t WHERE {column} = :org',
            org=org_id,
        )
    return digests


class OwnIds(dict[str, str]):
    """The caller's own record of each type; a type it has none of gets an id that names
    nothing (the attempt then fails for that reason too, which is fine)."""

    def __missing__(self, type_name: str) -> str:
        return str(ids.encode(type_name, uuid.uuid4()))


async def own_records(actors: Actors, me: Principal) -> OwnIds:
    """One id of each type the caller can list."""
    live = actors.live
    own = OwnIds()
    for type_name in OWN_TYPES:
        listed = await records(live, me.token, me.view, type_name)
        if type_name == "Equipment" and "Site" in own:
            listed = await records(live, me.token, me.view, type_name, siteId=own["Site"]) or listed
        if listed:
            own[type_name] = listed[0].id
    return own


async def prepare_other_organization(actors: Actors) -> None:
    """The other organization gets a partner token and a queued mail, so that ids of those
    exist to be tried."""
    live = actors.live
    owner = await actors.get("staff admin", OTHER)
    await live.data(
        'mutation { createPartnerToken(input: {name: "BI", scopes: ["reports:read"]}) { secret } }',
        owner.token,
    )
    contact = await live.scalar(
        "SELECT k.email FROM contact k JOIN organization o ON o.id = k.organization_id "
        "WHERE o.slug = :o AND k.state = 'ACTIVE' ORDER BY k.email LIMIT 1",
        o=OTHER,
    )
    await live.gql(
        'mutation($id: String!) { requestPasswordReset(organization: "ignis", identifier: $id) }',
        {"id": contact},
    )
    # The request only records what was asked; the worker's pass queues the mail.
    settings = Settings(database_url=live.database_url, public_url=live.public_url)
    await answer_reset_requests(live.engine, settings, batch_size=100)
