"""Staff record equipment at a site, change it and archive it; an archived piece stays
readable where it is named; every refusal names its field and writes nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from schema.kit import ids
from tests.api import Demo
from tests.api.callers import (
    ALLOWED,
    CALLERS,
    assert_answers_as,
    audit_events,
    client_site,
    refusal,
    token_of,
)

FIELDS = "id kind model serialNumber location installedOn archivedAt site { id }"
CREATE = f"""mutation($input: CreateEquipmentInput!) {{
  createEquipment(input: $input) {{ {FIELDS} }} }}"""
UPDATE = f"""mutation($id: ID!, $input: UpdateEquipmentInput!) {{
  updateEquipment(id: $id, input: $input) {{ {FIELDS} }} }}"""
ARCHIVE = f"""mutation($id: ID!) {{ archiveEquipment(id: $id) {{ {FIELDS} }} }}"""


def equipment_input(site: str, **changes: Any) -> dict[str, Any]:
    return {
        "siteId": site,
        "kind": "Estintore",
        "model": "EP6",
        "serialNumber": "SN-1",
        "location": "Ingresso",
        "installedOn": "2026-01-15",
    } | changes


async def written(demo: Demo) -> tuple[int, int]:
    return (
        await demo.scalar("SELECT count(*) FROM equipment"),
        await demo.scalar("SELECT count(*) FROM audit_event"),
    )


async def created(demo: Demo, site: str) -> dict[str, Any]:
    data = await demo.data(CREATE, await demo.as_("staff admin"), input=equipment_input(site))
    found: dict[str, Any] = data["createEquipment"]
    return found


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_only_admin_and_office_record_equipment(demo: Demo, caller: str) -> None:
    _, site = await client_site(demo)
    before = await demo.scalar("SELECT count(*) FROM equipment")
    await assert_answers_as(demo, caller, [(CREATE, {"input": equipment_input(site)})])
    after = await demo.scalar("SELECT count(*) FROM equipment")
    assert after == before + (CALLERS[caller] == ALLOWED)


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_only_admin_and_office_change_and_archive(demo: Demo, caller: str) -> None:
    _, site = await client_site(demo)
    piece = await created(demo, site)
    calls = [
        (UPDATE, {"id": piece["id"], "input": {"kind": "Idrante"}}),
        (ARCHIVE, {"id": piece["id"]}),
    ]
    await assert_answers_as(demo, caller, calls)
    kind, archived = await demo.scalar(
        "SELECT array[kind, (archived_at IS NOT NULL)::text] FROM equipment WHERE id = :i",
        i=ids.decode("Equipment", piece["id"]),
    )
    allowed = CALLERS[caller] == ALLOWED
    assert (kind, archived) == (("Idrante", "true") if allowed else ("Estintore", "false"))


async def test_equipment_is_recorded_changed_and_audited(demo: Demo) -> None:
    client, site = await client_site(demo)
    piece = await created(demo, site)
    assert piece["site"]["id"] == site
    assert (piece["kind"], piece["serialNumber"], piece["archivedAt"]) == (
        "Estintore",
        "SN-1",
        None,
    )
    client_id = await demo.scalar(
        "SELECT client_id FROM equipment WHERE id = :i", i=ids.decode("Equipment", piece["id"])
    )
    assert client_id == ids.decode("Client", client)  # the client follows from the site
    token = await token_of(demo, "OFFICE")
    assert token is not None
    changed = await demo.data(
        UPDATE, token, id=piece["id"], input={"location": " ", "model": "EP6", "kind": " Idrante "}
    )
    saved = changed["updateEquipment"]
    assert (saved["kind"], saved["model"], saved["location"]) == ("Idrante", "EP6", None)
    [creation] = await audit_events(demo, "equipment_created")
    assert creation["before"] == {}
    assert creation["after"]["kind"] == "Estintore"
    [change] = await audit_events(demo, "equipment_changed")
    assert change == {
        "changed": ["kind", "location"],
        "before": {"kind": "Estintore", "location": "Ingresso"},
        "after": {"kind": "Idrante", "location": None},
    }


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("unknown site", {"siteId": ids.encode("Site", uuid.uuid4())}, "siteId"),
    ("not an id", {"siteId": "bm9wZTox"}, "siteId"),
    ("empty kind", {"kind": "  "}, "kind"),
    ("long kind", {"kind": "k" * 101}, "kind"),
    ("long model", {"model": "m" * 201}, "model"),
    ("long serial", {"serialNumber": "s" * 101}, "serialNumber"),
    ("long location", {"location": "l" * 201}, "location"),
]


@pytest.mark.parametrize(("case", "changes", "field"), BAD, ids=[b[0] for b in BAD])
async def test_bad_input_is_refused_naming_the_field(
    demo: Demo, case: str, changes: dict[str, Any], field: str
) -> None:
    _, site = await client_site(demo)
    before = await written(demo)
    response = await demo.gql(
        CREATE,
        token=await demo.as_("staff admin"),
        variables={"input": equipment_input(site, **changes)},
    )
    assert refusal(response) == {"code": "BAD_USER_INPUT", "field": field}, case
    assert await written(demo) == before


async def test_a_foreign_site_or_equipment_answers_like_a_missing_one(demo: Demo) -> None:
    _, foreign_site = await client_site(demo, "ignis")
    token = await demo.as_("staff admin")
    before = await written(demo)
    response = await demo.gql(
        CREATE, token=token, variables={"input": equipment_input(foreign_site)}
    )
    assert refusal(response) == {"code": "BAD_USER_INPUT", "field": "siteId"}
    assert response.json()["errors"][0]["message"] == "siteId: no such site"
    assert await written(demo) == before
    foreign = (
        await demo.data(
            CREATE, await demo.as_("staff admin", "ignis"), input=equipment_input(foreign_site)
        )
    )["createEquipment"]
    answers = []
    for target in (foreign["id"], ids.encode("Equipment", uuid.uuid4())):
        for document, variables in (
            (UPDATE, {"id": target, "input": {"kind": "X"}}),
            (ARCHIVE, {"id": target}),
        ):
            body = (await demo.gql(document, token=token, variables=variables)).json()
            answers.append((body["errors"][0]["message"], body["errors"][0]["extensions"]))
    assert answers == [("No such equipment.", {"code": "NOT_FOUND"})] * 4


async def test_archived_equipment_stays_readable_and_archiving_twice_changes_nothing(
    demo: Demo,
) -> None:
    contact = await demo.as_("contact of one client")
    mine = await demo.data("{ sites(first: 1) { edges { node { id } } } }", contact)
    site = mine["sites"]["edges"][0]["node"]["id"]
    piece = await created(demo, site)
    token = await demo.as_("staff admin")
    first = (await demo.data(ARCHIVE, token, id=piece["id"]))["archiveEquipment"]
    assert first["archivedAt"] is not None
    again = (await demo.data(ARCHIVE, token, id=piece["id"]))["archiveEquipment"]
    assert again["archivedAt"] == first["archivedAt"]
    [archived] = await audit_events(demo, "equipment_archived")
    assert archived["changed"] == ["archived_at"]
    assert archived["before"] == {"archived_at": None}
    # Staff and the site's contact still read it where it is named.
    node = await demo.data(
        "query($id: ID!) { node(id: $id) { ... on Equipment { kind archivedAt } } }",
        token,
        id=piece["id"],
    )
    assert node["node"] == {"kind": "Estintore", "archivedAt": first["archivedAt"]}
    seen = await demo.data(
        "query($id: ID!) { node(id: $id) { ... on Equipment { kind } } }", contact, id=piece["id"]
    )
    assert seen["node"] == {"kind": "Estintore"}


async def test_an_archived_site_takes_no_new_equipment(demo: Demo) -> None:
    _, site = await client_site(demo)
    await demo.execute(
        "UPDATE site SET archived_at = now() WHERE id = :i", i=ids.decode("Site", site)
    )
    before = await written(demo)
    response = await demo.gql(
        CREATE, token=await demo.as_("staff admin"), variables={"input": equipment_input(site)}
    )
    assert refusal(response) == {"code": "BAD_USER_INPUT", "field": "siteId"}
    assert await written(demo) == before
