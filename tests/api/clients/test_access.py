"""Who may call each client, site and department mutation: ADMIN and OFFICE staff of the
organization only."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from schema.kit import ids
from tests.api import Demo
from tests.api.callers import assert_only_staff_may_call, refused
from tests.api.clients.kit import (
    ARCHIVE_CLIENT,
    ARCHIVE_DEPARTMENT,
    ARCHIVE_SITE,
    CREATE_CLIENT,
    CREATE_DEPARTMENT,
    CREATE_SITE,
    STATE,
    UPDATE_CLIENT,
    UPDATE_DEPARTMENT,
    UPDATE_SITE,
    client_input,
    site_input,
)

MUTATIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("createClient", CREATE_CLIENT, {"input": client_input()}),
    ("updateClient", UPDATE_CLIENT, {"input": {"name": "X"}}),
    ("archiveClient", ARCHIVE_CLIENT, {}),
    ("createSite", CREATE_SITE, {}),
    ("updateSite", UPDATE_SITE, {"input": {"name": "X"}}),
    ("archiveSite", ARCHIVE_SITE, {}),
    ("createDepartment", CREATE_DEPARTMENT, {"input": {"name": "Nuovo reparto"}}),
    ("updateDepartment", UPDATE_DEPARTMENT, {"input": {"name": "X"}}),
    ("archiveDepartment", ARCHIVE_DEPARTMENT, {}),
]


async def _variables(demo: Demo, name: str, given: dict[str, Any]) -> dict[str, Any]:
    row = await demo.scalar(
        "SELECT ARRAY[s.client_id::text, s.id::text, d.id::text] FROM site s "
        "JOIN organization o ON o.id = s.organization_id JOIN department d "
        "ON d.organization_id = o.id WHERE o.slug = 'brillanti' ORDER BY s.id, d.id LIMIT 1"
    )
    client, site, department = (uuid.UUID(value) for value in row)
    if name == "createSite":
        return {"input": site_input(ids.encode("Client", client))}
    if name.startswith("create"):
        return given
    target = {
        "Client": ids.encode("Client", client),
        "Site": ids.encode("Site", site),
        "Department": ids.encode("Department", department),
    }[name.removeprefix("update").removeprefix("archive")]
    return given | {"id": target}


@pytest.mark.parametrize(("name", "query", "given"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
async def test_only_admin_and_office_staff_may_call_it(
    demo: Demo, name: str, query: str, given: dict[str, Any]
) -> None:
    variables = await _variables(demo, name, given)
    before = await demo.scalar(STATE)
    await assert_only_staff_may_call(demo, query, variables)
    if "id" in variables:
        # Another organization's staff: the record does not exist for them.
        other = await refused(demo, await demo.as_("staff admin", "ignis"), query, **variables)
        assert other["extensions"]["code"] == "NOT_FOUND"
    elif name == "createSite":
        other = await refused(demo, await demo.as_("staff admin", "ignis"), query, **variables)
        assert other["extensions"] == {"code": "BAD_USER_INPUT", "field": "clientId"}
    assert await demo.scalar(STATE) == before
    for role in ("ADMIN", "OFFICE"):
        response = await demo.gql(query, token=await demo.staff(role), variables=variables)
        codes = {e["extensions"]["code"] for e in response.json().get("errors", [])}
        # Allowed: at most refused for what the record is (an archive with open visits).
        assert not codes & {"FORBIDDEN", "GRAPHQL_VALIDATION_FAILED", "NOT_FOUND"}, response.text
