"""The client, site and department mutations, their inputs, and the records their tests
look at."""

from __future__ import annotations

import json
import uuid
from typing import Any

from schema.kit import ids
from tests.api import Demo

CLIENT_FIELDS = "id code name taxId email phone portalEnabled archivedAt"


SITE_FIELDS = "id name address postalCode city province country lat lng archivedAt client { id }"


DEPARTMENT_FIELDS = "id name portalVisible archivedAt"


CREATE_CLIENT = f"""mutation($input: CreateClientInput!) {{
  createClient(input: $input) {{ {CLIENT_FIELDS} }} }}"""


UPDATE_CLIENT = f"""mutation($id: ID!, $input: UpdateClientInput!) {{
  updateClient(id: $id, input: $input) {{ {CLIENT_FIELDS} }} }}"""


ARCHIVE_CLIENT = f"mutation($id: ID!) {{ archiveClient(id: $id) {{ {CLIENT_FIELDS} }} }}"


CREATE_SITE = f"""mutation($input: CreateSiteInput!) {{
  createSite(input: $input) {{ {SITE_FIELDS} }} }}"""


UPDATE_SITE = f"""mutation($id: ID!, $input: UpdateSiteInput!) {{
  updateSite(id: $id, input: $input) {{ {SITE_FIELDS} }} }}"""


ARCHIVE_SITE = f"mutation($id: ID!) {{ archiveSite(id: $id) {{ {SITE_FIELDS} }} }}"


CREATE_DEPARTMENT = f"""mutation($input: CreateDepartmentInput!) {{
  createDepartment(input: $input) {{ {DEPARTMENT_FIELDS} }} }}"""


UPDATE_DEPARTMENT = f"""mutation($id: ID!, $input: UpdateDepartmentInput!) {{
  updateDepartment(id: $id, input: $input) {{ {DEPARTMENT_FIELDS} }} }}"""


ARCHIVE_DEPARTMENT = (
    f"mutation($id: ID!) {{ archiveDepartment(id: $id) {{ {DEPARTMENT_FIELDS} }} }}"
)


# What the tables of these records and their audit events hold: a refusal changes none.
STATE = (
    "SELECT (SELECT count(*) FROM client) || '/' || (SELECT count(*) FROM site) || '/' || "
    "(SELECT count(*) FROM department) || '/' || (SELECT count(*) FROM audit_event "
    "WHERE action ~ '^(client|site|department)_') || '/' || "
    "(SELECT md5(string_agg(c::text, ',' ORDER BY c.id)) FROM client c) || '/' || "
    "(SELECT md5(string_agg(s::text, ',' ORDER BY s.id)) FROM site s) || '/' || "
    "(SELECT md5(string_agg(d::text, ',' ORDER BY d.id)) FROM department d)"
)


async def events(demo: Demo, action: str, subject: str) -> list[dict[str, Any]]:
    """The details of the audit events ``action`` about the record with global id ``subject``."""
    found = await demo.scalar(
        "SELECT coalesce(json_agg(json_build_object('details', details, 'actor', actor_type) "
        "ORDER BY created_at), '[]') FROM audit_event WHERE action = :a AND subject_id = :s",
        a=action,
        s=ids.decode(_type_of(subject), subject),
    )
    rows: list[dict[str, Any]] = json.loads(found) if isinstance(found, str) else found
    return rows


def _type_of(global_id: str) -> str:
    for name in ("Client", "Site", "Department"):
        if ids.decode(name, global_id) is not None:
            return name
    raise AssertionError(global_id)


def client_input(**changes: Any) -> dict[str, Any]:
    return {
        "code": "NEW-001",
        "name": "Condominio Aurora",
        "taxId": "IT01234567890",
        "email": "amministrazione@aurora.example",
        "phone": "+39 02 1234 5678",
    } | changes


def site_input(client: str, **changes: Any) -> dict[str, Any]:
    return {
        "clientId": client,
        "name": "Sede di via Roma",
        "address": "Via Roma 1",
        "postalCode": "20121",
        "city": "Milano",
        "province": "MI",
        "lat": "45.464211",
        "lng": "9.191383",
    } | changes


async def demo_client(demo: Demo, org: str = "brillanti") -> tuple[str, str]:
    """(global id, code) of the organization's first client by code."""
    row = await demo.scalar(
        "SELECT ARRAY[c.id::text, c.code] FROM client c JOIN organization o "
        "ON o.id = c.organization_id WHERE o.slug = :o ORDER BY c.code LIMIT 1",
        o=org,
    )
    return ids.encode("Client", uuid.UUID(row[0])), row[1]
