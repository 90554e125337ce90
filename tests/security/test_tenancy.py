"""Cross-tenant and cross-client: an attacker who knows (or guesses) the ids of records of
another organization, or of another client of its own organization, tries them everywhere an
id goes: every ``xxx(id:)`` lookup of the staff schema, ``node(id:)``, every mutation input
that takes ids, and the CSV export filters. The answer is always exactly the answer for an id
that does not exist, nothing of the other tenant appears in it, and nothing changes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from collections.abc import Iterable
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    build_client_schema,
    get_introspection_query,
    get_named_type,
)

from mailer.worker import answer_reset_requests
from schema.kit import ids
from sportello.base.settings import Settings
from sportello.exports import EXPORTS
from tests.security.conftest import HOME, OTHER, Live, without_request_ids
from tests.security.sdl import (
    Lookup,
    audience_schema,
    listing,
    lookups,
    node_types,
    type_names,
    values_of,
)

# The attacks here are many requests by design; the partner budget per minute would stop
# them half way (it is a limit of its own, not what this module tries).
SERVER_ENVIRONMENT = {
    "SPORTELLO_PARTNER_REQUESTS_PER_MINUTE": "100000",
    "SPORTELLO_PARTNER_COST_PER_MINUTE": "100000000",
}
SAMPLE = 3
NOT_AN_ID = "bm9wZQ"  # base64 of "nope"
DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclasses.dataclass(frozen=True)
class Record:
    id: str
    # Values an attacker would recognise: names, numbers, addresses, emails...
    strings: tuple[str, ...]


def recognisable(values: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        value
        for name, value in values.items()
        if name != "id"
        and isinstance(value, str)
        and len(value) >= 6
        and not DATE_LIKE.match(value)
        and not value.isupper()
    )


async def view_of(live: Live, token: str) -> GraphQLSchema:
    """The caller's own view, as introspection shows it."""
    answer = await live.gql(get_introspection_query(), token=token)
    assert answer.status_code == 200, answer.text
    return build_client_schema(answer.json()["data"])


def listing_document(view: GraphQLSchema, type_name: str, filters: Iterable[str]) -> str | None:
    found = listing(view, type_name)
    filters = list(filters)
    if found is None or any(f not in found.arguments for f in filters):
        return None
    params = (["first: 20"] if "first" in found.arguments else []) + [f"{f}: ${f}" for f in filters]
    head = f"query({', '.join(f'${f}: ID' for f in filters)})" if filters else "query"
    arguments = f"({', '.join(params)})" if params else ""
    fields = " ".join(["id", *values_of(view.type_map[type_name])])
    body = f"edges {{ node {{ {fields} }} }}" if found.connection else fields
    return f"{head} {{ {found.field}{arguments} {{ {body} }} }}"


async def records(
    live: Live, token: str, view: GraphQLSchema, type_name: str, **filters: str
) -> list[Record]:
    """Records of ``type_name`` the caller can list, filtered by ``clientId``/``siteId``."""
    document = listing_document(view, type_name, filters)
    if document is None:
        return []
    data = await live.data(document, token, **filters)
    listed = next(iter(data.values()))
    rows = [e["node"] for e in listed["edges"]] if isinstance(listed, dict) else listed
    return [Record(row["id"], recognisable(row)) for row in rows]


FIRST_CLIENT = (
    "SELECT c.id FROM client c JOIN organization o ON o.id = c.organization_id "
    "WHERE o.slug = :o ORDER BY c.name LIMIT 1"
)


@dataclasses.dataclass
class Principal:
    token: str
    view: GraphQLSchema


class Actors:
    """The principals of a test module, logged in once, with their views."""

    def __init__(self, live: Live) -> None:
        self.live = live
        self.known: dict[str, Principal] = {}

    async def get(self, who: str, org: str = HOME) -> Principal:
        key = f"{org}/{who}"
        if key not in self.known:
            if who.startswith("partner"):
                clients: list[uuid.UUID] = []
                if who == "partner of one client":
                    clients = [await self.live.scalar(FIRST_CLIENT, o=org)]
                token = await self.live.partner_token(org, clients)
            else:
                token = await self.live.token(who, org)
            self.known[key] = Principal(token, await view_of(self.live, token))
        return self.known[key]


@pytest.fixture(scope="module")
async def actors(live: Live) -> Actors:
    return Actors(live)


async def client_ids(live: Live, principal: Principal) -> list[str]:
    return [r.id for r in await records(live, principal.token, principal.view, "Client")]


async def site_ids(live: Live, principal: Principal, **filters: str) -> list[str]:
    return [r.id for r in await records(live, principal.token, principal.view, "Site", **filters)]


async def foreign_records(actors: Actors, type_name: str) -> list[Record]:
    """Records of the other organization, as its own staff lists them."""
    owner = await actors.get("staff admin", OTHER)
    return (await records(actors.live, owner.token, owner.view, type_name))[:SAMPLE]


async def records_outside(
    actors: Actors, attacker: Principal, type_name: str, scope: str
) -> list[Record]:
    """Records of the attacker's organization outside its grants, as staff list them:
    ``scope`` "clients" for other clients, "sites" for the other sites of its own client."""
    live = actors.live
    staff = await actors.get("staff admin")
    granted_clients = set(await client_ids(live, attacker))
    everyone = await client_ids(live, staff)
    if scope == "clients":
        others = [c for c in everyone if c not in granted_clients]
        if type_name == "Client":
            listed = await records(live, staff.token, staff.view, "Client")
            return [r for r in listed if r.id in others][:SAMPLE]
        found: list[Record] = []
        for other in others[:8]:
            found += await records(live, staff.token, staff.view, type_name, clientId=other)
            if len(found) >= SAMPLE:
                break
        return found[:SAMPLE]
    granted_sites = set(await site_ids(live, attacker))
    siblings = [
        s
        for client in granted_clients
        for s in await site_ids(live, staff, clientId=client)
        if s not in granted_sites
    ]
    if type_name == "Site":
        listed = await records(live, staff.token, staff.view, "Site")
        return [r for r in listed if r.id in siblings][:SAMPLE]
    found = []
    for sibling in siblings[:8]:
        found += await records(live, staff.token, staff.view, type_name, siteId=sibling)
        if len(found) >= SAMPLE:
            break
    return found[:SAMPLE]


@dataclasses.dataclass(frozen=True)
class Attacker:
    who: str
    # Where its victims are: "other organization", "clients" (other clients of its own
    # organization) or "sites" (other sites of its own client).
    victims: tuple[str, ...]


ATTACKERS = [
    Attacker("staff admin", ("other organization",)),
    Attacker("contact of one client", ("other organization", "clients")),
    Attacker("contact of several clients", ("other organization", "clients")),
    Attacker("contact limited to one site", ("other organization", "sites")),
    Attacker("partner of one client", ("other organization", "clients")),
    Attacker("partner", ("other organization",)),
]


def lookup_document(view: GraphQLSchema, lookup: Lookup) -> str:
    query = view.query_type
    assert query is not None
    if lookup.field in query.fields and lookup.type_name in view.type_map:
        selection = " ".join(["id", *values_of(view.type_map[lookup.type_name])])
    else:
        selection = "__typename"  # not in this view: the attempt is made all the same
    node = " node(id: $id) { id __typename }" if "node" in query.fields else ""
    return f"query($id: ID!) {{ found: {lookup.field}(id: $id) {{ {selection} }}{node} }}"


def nonexistent_like(record_id: str) -> str:
    parsed = ids.parse(record_id)
    assert parsed is not None, record_id
    return str(ids.encode(parsed[0], uuid.uuid4()))


def other_kind(record_id: str) -> str:
    """The same row id presented as a record of another type."""
    parsed = ids.parse(record_id)
    assert parsed is not None
    return str(ids.encode("Site" if parsed[0] != "Site" else "Client", parsed[1]))


def shape(answer: httpx.Response) -> tuple[int, Any]:
    return answer.status_code, without_request_ids(answer.json())


def body_of(answer: httpx.Response) -> tuple[int, Any]:
    """Status and body of any answer, request ids left out (every error carries its own)."""
    if answer.headers.get("content-type", "").startswith("application/json"):
        return shape(answer)
    return answer.status_code, answer.content


def staff_lookups() -> list[Lookup]:
    found = lookups(audience_schema("staff"))
    assert {"client", "site"} <= {lookup.field for lookup in found}
    return found


@pytest.mark.parametrize("attacker", ATTACKERS, ids=lambda a: a.who)
async def test_foreign_ids_look_missing_in_every_lookup(actors: Actors, attacker: Attacker) -> None:
    """Every ``xxx(id: ID!)`` root field of the staff SDL, and node(id:), given ids of records
    the attacker may not see: the same answer as for an id that does not exist (and for a
    malformed one), and none of the record's names or numbers in it. A record of its own
    is found, so the lookup itself works."""
    live = actors.live
    me = await actors.get(attacker.who)
    problems: list[str] = []
    tried = 0
    for lookup in staff_lookups():
        document = lookup_document(me.view, lookup)
        victims: list[Record] = []
        for where in attacker.victims:
            if where == "other organization":
                victims += await foreign_records(actors, lookup.type_name)
            else:
                victims += await records_outside(actors, me, lookup.type_name, where)
        own = (await records(live, me.token, me.view, lookup.type_name))[:1]
        sample = victims[0].id if victims else own[0].id if own else None
        if sample is None:
            problems.append(f"{lookup.field}: no record found to try")
            continue
        expected = shape(await live.gql(document, {"id": nonexistent_like(sample)}, token=me.token))
        for candidate in [NOT_AN_ID, other_kind(sample)]:
            answer = await live.gql(document, {"id": candidate}, token=me.token)
            if shape(answer) != expected:
                problems.append(f"{lookup.field}({candidate}): {answer.text} != {expected}")
        for victim in victims:
            tried += 1
            answer = await live.gql(document, {"id": victim.id}, token=me.token)
            if shape(answer) != expected:
                problems.append(f"{lookup.field}({victim.id}): {answer.text} != {expected}")
            leaked = [s for s in victim.strings if s in answer.text]
            if leaked:
                problems.append(f"{lookup.field}({victim.id}) shows {leaked}")
        if own:
            answer = await live.gql(document, {"id": own[0].id}, token=me.token)
            found = answer.json().get("data") or {}
            if (found.get("found") or {}).get("id") != own[0].id:
                problems.append(f"{lookup.field} does not find the caller's own record")
        print(f"{attacker.who}: {lookup.field} tried with {len(victims)} foreign ids")
    assert problems == []
    assert tried > 0


NODE = "query($id: ID!) { node(id: $id) { id __typename } }"


@pytest.mark.parametrize("attacker", ATTACKERS, ids=lambda a: a.who)
async def test_foreign_ids_look_missing_through_node(actors: Actors, attacker: Attacker) -> None:
    """node(id:) with ids of every Node type of the staff SDL the attacker may not see
    (portal accesses, staff users, departments... included): exactly the answer for an id
    that does not exist."""
    live = actors.live
    me = await actors.get(attacker.who)
    problems: list[str] = []
    tried = []
    for type_name in node_types(audience_schema("staff")):
        victims: list[Record] = []
        for where in attacker.victims:
            if where == "other organization":
                victims += await foreign_records(actors, type_name)
            else:
                victims += await records_outside(actors, me, type_name, where)
        if not victims:
            continue
        tried.append(f"{type_name} x{len(victims)}")
        expected = shape(
            await live.gql(NODE, {"id": nonexistent_like(victims[0].id)}, token=me.token)
        )
        for victim in victims:
            answer = await live.gql(NODE, {"id": victim.id}, token=me.token)
            if shape(answer) != expected:
                problems.append(f"node({victim.id}) [{type_name}]: {answer.text} != {expected}")
    print(f"{attacker.who}: node tried with {', '.join(tried)}")
    assert problems == []
    assert tried


# ---- Mutation inputs ---------------------------------------------------------------------

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


@pytest.mark.parametrize(
    ("who", "audience", "where"),
    [
        ("staff admin", "staff", "other organization"),
        ("contact of one client", "portal", "other organization"),
        ("contact of one client", "portal", "clients"),
        ("contact limited to one site", "portal", "sites"),
    ],
)
async def test_mutation_inputs_refuse_foreign_ids_like_missing_ones(
    actors: Actors, who: str, audience: str, where: str
) -> None:
    """Every id input of every mutation of the caller's schema, given a record it may not
    see (the others its own): the same answer as for an id that does not exist, and no row
    of either organization changes."""
    live = actors.live
    me = await actors.get(who)
    schema = audience_schema(audience)
    assert schema.mutation_type is not None
    if where == "other organization":
        await prepare_other_organization(actors)
    own = await own_records(actors, me)
    victims: dict[str, str] = {}
    for mutation in schema.mutation_type.fields:
        for target in id_paths(schema, mutation).values():
            if target in victims:
                continue
            if where == "other organization":
                found = await foreign_records(actors, target)
            else:
                found = await records_outside(actors, me, target, where)
            if found:
                victims[target] = found[0].id
    before = {org: await tenant_fingerprint(live, org) for org in (HOME, OTHER)}
    problems: list[str] = []
    tried = []
    for mutation in schema.mutation_type.fields:
        paths = id_paths(schema, mutation)
        if not paths:
            continue
        base = base_variables(mutation, own)
        if base is None:
            problems.append(f"{mutation}: no attack written for its id inputs {sorted(paths)}")
            continue
        document = mutation_document(schema, mutation)
        for path, target in paths.items():
            victim = victims.get(target)
            if victim is None:
                print(f"{mutation} {path}: no {target} of the victims to try")
                continue
            is_list = is_list_path(schema, mutation, path)
            missing = replaced(base, path, nonexistent_like(victim), is_list)
            expected = await live.gql(document, missing, token=me.token)
            answer = await live.gql(document, replaced(base, path, victim, is_list), token=me.token)
            codes = [e["extensions"]["code"] for e in answer.json().get("errors", [])]
            tried.append(f"{mutation} {path}: {answer.status_code} {codes}")
            if shape(answer) != shape(expected):
                problems.append(f"{mutation} {path}: {answer.text} != {expected.text}")
            if "errors" not in answer.json():
                problems.append(f"{mutation} {path}: accepted a foreign {target}")
    print("\n".join(tried))
    after = {org: await tenant_fingerprint(live, org) for org in (HOME, OTHER)}
    for org in (HOME, OTHER):
        changed = [t for t in before[org] if before[org][t] != after[org].get(t)]
        if changed:
            problems.append(f"rows of {org} changed in {changed}")
    assert problems == []
    assert tried


# ---- CSV exports -------------------------------------------------------------------------


def export_filters() -> list[tuple[str, str]]:
    """(export, id filter) for every export taking a client or site id."""
    return [
        (name, parameter)
        for name, export in sorted(EXPORTS.items())
        for parameter in sorted(export.parameters)
        if parameter in {"clientId", "siteId"}
    ]


REPORT_PERIOD = {"from": "2025-11-24", "to": "2026-11-23"}


async def download(live: Live, me: Principal, name: str, params: dict[str, str]) -> httpx.Response:
    """GET /export/<name>.csv with a bearer token; reports get a year's period."""
    if "from" in EXPORTS[name].parameters:
        params = REPORT_PERIOD | params
    return await live.request(
        "GET",
        f"/export/{name}.csv",
        params=params,
        headers={"authorization": f"Bearer {me.token}"},
    )


@pytest.mark.parametrize(
    ("who", "where"),
    [
        ("staff admin", "other organization"),
        ("contact of one client", "clients"),
        ("contact limited to one site", "sites"),
        ("partner of one client", "clients"),
        ("partner", "other organization"),
    ],
)
async def test_exports_filtered_by_foreign_ids_answer_like_missing_ones(
    actors: Actors, who: str, where: str
) -> None:
    """/export/<list>.csv?clientId=<foreign> (or siteId): the same status and bytes as for
    an id that does not exist, and not one name of the foreign records."""
    live = actors.live
    me = await actors.get(who)
    assert export_filters()
    problems: list[str] = []
    for name, parameter in export_filters():
        target = "Client" if parameter == "clientId" else "Site"
        if where == "other organization":
            victims = await foreign_records(actors, target)
        else:
            victims = await records_outside(actors, me, target, where)
        if not victims:
            print(f"{name}?{parameter}: no foreign {target} for {who}")
            continue

        expected = await download(live, me, name, {parameter: nonexistent_like(victims[0].id)})
        for victim in victims:
            answer = await download(live, me, name, {parameter: victim.id})
            if body_of(answer) != body_of(expected):
                problems.append(f"{name}?{parameter}={victim.id}: {answer.text[:300]}")
            leaked = [s for s in victim.strings if s in answer.text]
            if leaked:
                problems.append(f"{name}?{parameter}={victim.id} shows {leaked}")
        print(f"{who}: {name}?{parameter} -> {expected.status_code}, {len(victims)} foreign ids")
    assert problems == []


@pytest.mark.parametrize("who", ["staff admin", "contact of one client", "partner"])
async def test_unfiltered_exports_hold_nothing_of_the_other_organization(
    actors: Actors, who: str
) -> None:
    """Every export the caller may download, without filters: not one client or site name
    of the other organization."""
    live = actors.live
    me = await actors.get(who)
    foreign = [
        row[0]
        for row in await live.rows(
            "SELECT c.name FROM client c JOIN organization o ON o.id = c.organization_id "
            "WHERE o.slug = :o UNION SELECT s.name FROM site s JOIN organization o "
            "ON o.id = s.organization_id WHERE o.slug = :o",
            o=OTHER,
        )
    ]
    downloaded = 0
    for name in sorted(EXPORTS):
        answer = await download(live, me, name, {})
        if answer.status_code != 200:
            continue
        downloaded += 1
        leaked = [n for n in foreign if n in answer.text]
        assert leaked == [], (name, leaked)
    assert downloaded > 0


# ---- Documents and previews --------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DOWNLOAD_URL = "query($id: ID!) { document(id: $id) { downloadUrl } }"


async def upload(live: Live, token: str, owner_id: str) -> httpx.Response:
    return await live.request(
        "POST",
        "/files",
        data={"ownerId": owner_id, "kind": "CHECKLIST", "portalVisible": "true"},
        files={"file": ("verbale.pdf", PDF, "application/pdf")},
        headers={"authorization": f"Bearer {token}"},
    )


async def test_an_upload_cannot_attach_to_a_record_of_another_organization(
    actors: Actors,
) -> None:
    """POST /files naming another organization's record as owner: the answer for a record
    that does not exist, and no document is stored."""
    live = actors.live
    me = await actors.get("staff admin")
    victim = (await foreign_records(actors, "Revision"))[0]
    documents_before = await live.scalar("SELECT count(*) FROM document")
    expected = await upload(live, me.token, nonexistent_like(victim.id))
    answer = await upload(live, me.token, victim.id)
    assert expected.status_code == 400, expected.text
    assert shape(answer) == shape(expected)
    assert await live.scalar("SELECT count(*) FROM document") == documents_before


async def test_a_download_link_works_only_for_the_session_that_asked(actors: Actors) -> None:
    """A document link of the other organization's staff (leaked, say, through a shared
    screen): its holder downloads the file; anyone else, with or without a session of their
    own, gets the same 404 as for a link to nothing."""
    live = actors.live
    owner = await actors.get("staff admin", OTHER)
    revision = (await foreign_records(actors, "Revision"))[0]
    uploaded = await upload(live, owner.token, revision.id)
    assert uploaded.status_code == 201, uploaded.text
    document_id = uploaded.json()["id"]
    url = (await live.data(DOWNLOAD_URL, owner.token, id=document_id))["document"]["downloadUrl"]
    path = "/" + url.split("/", 3)[3]
    mine = await live.request("GET", path, headers={"authorization": f"Bearer {owner.token}"})
    assert mine.status_code == 200
    assert mine.content == PDF
    nowhere = path.replace(document_id, nonexistent_like(document_id))
    attackers = [
        {"authorization": f"Bearer {(await actors.get('staff admin')).token}"},
        {"authorization": f"Bearer {(await actors.get('contact of one client')).token}"},
        {"cookie": f"sportello_session={(await actors.get('staff admin')).token}"},
        {},
    ]
    for headers in attackers:
        expected = await live.request("GET", nowhere, headers=headers)
        answer = await live.request("GET", path, headers=headers)
        assert answer.status_code == expected.status_code == 404
        assert body_of(answer) == body_of(expected)
        assert PDF not in answer.content


async def test_staff_cannot_preview_the_portal_as_another_organizations_contact(
    actors: Actors,
) -> None:
    """X-View-As-Contact with a contact of the other organization: refused exactly like a
    contact that does not exist."""
    live = actors.live
    me = await actors.get("staff admin")
    owner = await actors.get("staff admin", OTHER)
    victim = (await records(live, owner.token, owner.view, "PortalAccess"))[0]
    query = "{ viewer { kind } clients(first: 5) { edges { node { name } } } }"
    expected = await live.gql(
        query, token=me.token, headers={"x-view-as-contact": nonexistent_like(victim.id)}
    )
    answer = await live.gql(query, token=me.token, headers={"x-view-as-contact": victim.id})
    assert expected.status_code == 403
    assert shape(answer) == shape(expected)
    assert not [s for s in victim.strings if s in answer.text]
