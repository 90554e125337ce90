"""Staff plan revisions, record their result item by item, correct it saying why and cancel
a revision; a contact reads the performed revision and its items, and still sees a cancelled
one; every refusal names its field (or answers CONFLICT or NOT_FOUND) and writes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import pytest

from schema.kit import ids
from tests.api import Demo
from tests.resolvers.billing_callers import (
    ALLOWED,
    CALLERS,
    audit_events,
    outcome,
    refusal,
    token_of,
)

ITEMS = (
    "items { edges { node { outcome notes equipment { id lastResult { outcome performedAt } } } } }"
)
FIELDS = (
    f"id dueMonth plannedDate performedAt result cancelledAt notes contractId site {{ id }} {ITEMS}"
)
CREATE = f"""mutation($input: CreateRevisionInput!) {{
  createRevision(input: $input) {{ {FIELDS} }} }}"""
UPDATE = f"""mutation($id: ID!, $input: UpdateRevisionInput!) {{
  updateRevision(id: $id, input: $input) {{ {FIELDS} }} }}"""
RECORD = f"""mutation($id: ID!, $input: RevisionResultInput!) {{
  recordRevisionResult(id: $id, input: $input) {{ {FIELDS} }} }}"""
CORRECT = f"""mutation($id: ID!, $input: RevisionResultInput!, $reason: String!) {{
  correctRevisionResult(id: $id, input: $input, reason: $reason) {{ {FIELDS} }} }}"""
CANCEL = f"""mutation($id: ID!, $reason: String!) {{
  cancelRevision(id: $id, reason: $reason) {{ {FIELDS} }} }}"""
EQUIPMENT = """mutation($input: CreateEquipmentInput!) { createEquipment(input: $input) { id } }"""
CONTRACT = """mutation($input: CreateContractInput!) { createContract(input: $input) { id } }"""
# What a contact reads of a site's revisions on the portal.
PORTAL_SITE = f"""query($id: ID!) {{ site(id: $id) {{
  nextRevision {{ id }} lastRevision {{ id result performedAt {ITEMS} }} }} }}"""
PORTAL_REVISION = f"""query($id: ID!) {{ revision(id: $id) {{
  id result performedAt cancelledAt outcomes {{ compliant nonCompliant notChecked }}
  {ITEMS} }} }}"""
TECHNICIAN = """SELECT s.id FROM staff_user s JOIN organization o ON o.id = s.organization_id
  WHERE o.slug = :o AND s.role = :r AND s.active ORDER BY s.id LIMIT 1"""


@dataclasses.dataclass(frozen=True)
class Place:
    """A contact's site with two pieces of equipment, a contract and a technician to name."""

    client: str
    site: str
    equipment: tuple[str, str]
    contract: str
    technician: str


def performed(days_ago: float = 1) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)).isoformat()


async def place(demo: Demo, org: str = "brillanti") -> Place:
    """A site the "contact of one client" sees (for brillanti), ready for a revision."""
    reader = await demo.as_("contact of one client" if org == "brillanti" else "staff admin", org)
    node = (await demo.data("{ sites(first: 1) { edges { node { id client { id } } } } }", reader))[
        "sites"
    ]["edges"][0]["node"]
    admin = await demo.as_("staff admin", org)
    pieces = [
        (
            await demo.data(
                EQUIPMENT,
                admin,
                input={"siteId": node["id"], "kind": kind, "installedOn": "2020-01-01"},
            )
        )["createEquipment"]["id"]
        for kind in ("Estintore", "Idrante")
    ]
    contract = await demo.data(
        CONTRACT,
        admin,
        input={
            "clientId": node["client"]["id"],
            "siteId": node["id"],
            "number": f"REV-{uuid.uuid4().hex[:8]}",
            "kind": "Antincendio",
            "startsOn": "2026-01-01",
            "expiresOn": "2027-12-31",
        },
    )
    technician = await demo.scalar(TECHNICIAN, o=org, r="TECHNICIAN")
    return Place(
        client=node["client"]["id"],
        site=node["id"],
        equipment=(pieces[0], pieces[1]),
        contract=contract["createContract"]["id"],
        technician=ids.encode("StaffUser", technician),
    )


def plan(where: Place, **changes: Any) -> dict[str, Any]:
    return {
        "siteId": where.site,
        "dueMonth": "2000-01-01",  # the earliest at the site: its next revision
        "contractId": where.contract,
        "plannedDate": "2000-01-12",
        "technicianId": where.technician,
        "notes": "Chiavi in portineria",
    } | changes


def result(where: Place, **changes: Any) -> dict[str, Any]:
    first, second = where.equipment
    return {
        "performedAt": performed(),
        "result": "PASS_WITH_REMARKS",
        "items": [
            {"equipmentId": first, "outcome": "COMPLIANT", "notes": ""},
            {"equipmentId": second, "outcome": "NOT_CHECKED", "notes": "Locale chiuso"},
        ],
    } | changes


async def planned(demo: Demo, where: Place, **changes: Any) -> dict[str, Any]:
    data = await demo.data(CREATE, await demo.as_("staff admin"), input=plan(where, **changes))
    found: dict[str, Any] = data["createRevision"]
    return found


async def written(demo: Demo) -> tuple[int, int, int, int]:
    """Revisions, items, performed or cancelled revisions, audit events: what a refusal keeps."""
    return (
        await demo.scalar("SELECT count(*) FROM revision"),
        await demo.scalar("SELECT count(*) FROM revision_item"),
        await demo.scalar(
            "SELECT count(*) FROM revision WHERE performed_at IS NOT NULL "
            "OR cancelled_at IS NOT NULL"
        ),
        await demo.scalar("SELECT count(*) FROM audit_event"),
    )


def items_of(revision: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in revision["items"]["edges"]]


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_only_admin_and_office_plan_revisions(demo: Demo, caller: str) -> None:
    where = await place(demo)
    before = await demo.scalar("SELECT count(*) FROM revision")
    token = await token_of(demo, caller)
    demo.client.cookies.clear()  # only the bearer token speaks for the caller
    response = await demo.gql(CREATE, token=token, variables={"input": plan(where)})
    assert outcome(response) == CALLERS[caller], response.text
    after = await demo.scalar("SELECT count(*) FROM revision")
    assert after == before + (CALLERS[caller] == ALLOWED)


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_only_admin_and_office_change_record_correct_and_cancel(
    demo: Demo, caller: str
) -> None:
    where = await place(demo)
    revision = (await planned(demo, where))["id"]
    other = (await planned(demo, where))["id"]
    token = await token_of(demo, caller)
    demo.client.cookies.clear()
    for document, variables in (
        (UPDATE, {"id": revision, "input": {"notes": "Citofonare"}}),
        (RECORD, {"id": revision, "input": result(where)}),
        (
            CORRECT,
            {
                "id": revision,
                "input": result(
                    where,
                    result="PASS_WITH_REMARKS",
                    items=[
                        {"equipmentId": where.equipment[0], "outcome": "NOT_CHECKED", "notes": "x"},
                        {"equipmentId": where.equipment[1], "outcome": "COMPLIANT", "notes": ""},
                    ],
                ),
                "reason": "Esiti scambiati",
            },
        ),
        (CANCEL, {"id": other, "reason": "Contratto disdetto"}),
    ):
        response = await demo.gql(document, token=token, variables=variables)
        assert outcome(response) == CALLERS[caller], response.text
    state = await demo.scalar(
        "SELECT array_agg(concat_ws('/', notes, coalesce(result, ''), "
        "(cancelled_at IS NOT NULL)::text) ORDER BY id = :r DESC) "
        "FROM revision WHERE id IN (:r, :o)",
        r=ids.decode("Revision", revision),
        o=ids.decode("Revision", other),
    )
    allowed = CALLERS[caller] == ALLOWED
    expected = (
        ["Citofonare/PASS_WITH_REMARKS/false", "Chiavi in portineria//true"]
        if allowed
        else ["Chiavi in portineria//false", "Chiavi in portineria//false"]
    )
    assert state == expected
    if allowed:
        [correction] = await audit_events(demo, "revision_result_corrected")
        assert correction["reason"] == "Esiti scambiati"


async def test_a_technician_is_refused_and_a_contact_has_no_such_mutation(demo: Demo) -> None:
    where = await place(demo)
    technician = await demo.staff("TECHNICIAN")
    contact = await demo.as_("contact of one client")
    demo.client.cookies.clear()
    before = await written(demo)
    refused = await demo.gql(CREATE, token=technician, variables={"input": plan(where)})
    assert refusal(refused)["code"] == "FORBIDDEN"
    absent = (await demo.gql(CREATE, token=contact, variables={"input": plan(where)})).json()
    assert absent["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    # Not even the name: the portal's schema has no such field.
    literal = 'mutation { cancelRevision(id: "x", reason: "y") { id } }'
    unknown = (await demo.gql(literal, token=contact)).json()["errors"][0]
    assert unknown["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "Cannot query field 'cancelRevision' on type 'Mutation'" in unknown["message"]
    assert await written(demo) == before


async def test_a_revision_is_planned_changed_and_audited(demo: Demo) -> None:
    where = await place(demo)
    created = await planned(demo, where)
    assert created["site"]["id"] == where.site
    assert (created["dueMonth"], created["plannedDate"], created["contractId"]) == (
        "2000-01-01",
        "2000-01-12",
        where.contract,
    )
    assert (created["performedAt"], created["result"], created["cancelledAt"]) == (None,) * 3
    technician = await demo.scalar(
        "SELECT technician_id FROM revision WHERE id = :i",
        i=ids.decode("Revision", created["id"]),
    )
    assert ids.encode("StaffUser", technician) == where.technician
    office = await demo.staff("OFFICE")
    changed = await demo.data(
        UPDATE,
        office,
        id=created["id"],
        input={"dueMonth": "2000-02-01", "contractId": "", "clearPlannedDate": True, "notes": ""},
    )
    saved = changed["updateRevision"]
    assert (saved["dueMonth"], saved["plannedDate"], saved["contractId"], saved["notes"]) == (
        "2000-02-01",
        None,
        None,
        "",
    )
    [creation] = await audit_events(demo, "revision_created")
    assert creation["before"] == {}
    assert creation["after"]["due_month"] == "2000-01-01"
    assert creation["after"]["technician_id"] == str(ids.decode("StaffUser", where.technician))
    [change] = await audit_events(demo, "revision_changed")
    assert change == {
        "changed": ["contract_id", "due_month", "notes", "planned_date"],
        "before": {
            "contract_id": str(ids.decode("Contract", where.contract)),
            "due_month": "2000-01-01",
            "notes": "Chiavi in portineria",
            "planned_date": "2000-01-12",
        },
        "after": {
            "contract_id": None,
            "due_month": "2000-02-01",
            "notes": "",
            "planned_date": None,
        },
    }
    # The same values again change nothing and write no audit event.
    again = await demo.data(UPDATE, office, id=created["id"], input={"dueMonth": "2000-02-01"})
    assert again["updateRevision"]["dueMonth"] == "2000-02-01"
    assert len(await audit_events(demo, "revision_changed")) == 1


async def test_bad_plans_are_refused_naming_the_field(demo: Demo) -> None:
    where = await place(demo)
    foreign = await place(demo, "ignis")
    other_client = await demo.scalar(
        "SELECT c.id FROM contract c JOIN organization o ON o.id = c.organization_id "
        "WHERE o.slug = 'brillanti' AND c.client_id <> :c LIMIT 1",
        c=ids.decode("Client", where.client),
    )
    other_site = await demo.scalar(
        "SELECT s.id FROM site s WHERE s.client_id = :c AND s.id <> :s LIMIT 1",
        c=ids.decode("Client", where.client),
        s=ids.decode("Site", where.site),
    )
    office = await demo.scalar(TECHNICIAN, o="brillanti", r="OFFICE")
    inactive = await demo.scalar(
        "SELECT s.id FROM staff_user s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = 'brillanti' AND s.role = 'TECHNICIAN' AND s.id <> :t ORDER BY s.id",
        t=ids.decode("StaffUser", where.technician),
    )
    await demo.execute("UPDATE staff_user SET active = false WHERE id = :i", i=inactive)
    archived = await demo.scalar(
        "SELECT id FROM site WHERE organization_id = (SELECT organization_id FROM site "
        "WHERE id = :s) AND id <> :s ORDER BY id",
        s=ids.decode("Site", where.site),
    )
    await demo.execute("UPDATE site SET archived_at = now() WHERE id = :i", i=archived)
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("unknown site", {"siteId": ids.encode("Site", uuid.uuid4())}, "siteId"),
        ("not an id", {"siteId": "bm9wZTox"}, "siteId"),
        ("foreign site", {"siteId": foreign.site}, "siteId"),
        ("archived site", {"siteId": ids.encode("Site", archived)}, "siteId"),
        ("not a first of month", {"dueMonth": "2027-03-15"}, "dueMonth"),
        ("foreign contract", {"contractId": foreign.contract}, "contractId"),
        ("unknown contract", {"contractId": ids.encode("Contract", uuid.uuid4())}, "contractId"),
        (
            "another client's contract",
            {"contractId": ids.encode("Contract", other_client)},
            "contractId",
        ),
        ("foreign technician", {"technicianId": foreign.technician}, "technicianId"),
        (
            "office, no technician",
            {"technicianId": ids.encode("StaffUser", office)},
            "technicianId",
        ),
        (
            "inactive technician",
            {"technicianId": ids.encode("StaffUser", inactive)},
            "technicianId",
        ),
        ("long notes", {"notes": "n" * 5001}, "notes"),
    ]
    if other_site is not None:  # a contract of this client for another of its sites
        token = await demo.as_("staff admin")
        for_other = await demo.data(
            CONTRACT,
            token,
            input={
                "clientId": where.client,
                "siteId": ids.encode("Site", other_site),
                "number": "REV-OTHER-SITE",
                "kind": "Antincendio",
                "startsOn": "2026-01-01",
                "expiresOn": "2027-12-31",
            },
        )
        cases.append(
            (
                "another site's contract",
                {"contractId": for_other["createContract"]["id"]},
                "contractId",
            )
        )
    token = await demo.as_("staff admin")
    before = await written(demo)
    for case, changes, field in cases:
        response = await demo.gql(CREATE, token=token, variables={"input": plan(where, **changes)})
        assert refusal(response) == {"code": "BAD_USER_INPUT", "field": field}, case
    revision = (await planned(demo, where))["id"]
    before = await written(demo)
    for case, changes, field in [c for c in cases if c[2] != "siteId"] + [
        (
            "planned and cleared",
            {"plannedDate": "2000-01-05", "clearPlannedDate": True},
            "clearPlannedDate",
        ),
    ]:
        response = await demo.gql(UPDATE, token=token, variables={"id": revision, "input": changes})
        assert refusal(response) == {"code": "BAD_USER_INPUT", "field": field}, case
    assert await written(demo) == before


async def test_recording_a_result_shows_on_the_portal_and_in_last_results(demo: Demo) -> None:
    where = await place(demo)
    revision = (await planned(demo, where))["id"]
    first, second = where.equipment
    recorded = (
        await demo.data(
            RECORD,
            await demo.staff("OFFICE"),
            id=revision,
            input=result(
                where,
                result="FAIL",
                items=[
                    {
                        "equipmentId": second,
                        "outcome": "NON_COMPLIANT",
                        "notes": "Manichetta forata",
                    },
                    {"equipmentId": first, "outcome": "COMPLIANT", "notes": ""},
                ],
            ),
        )
    )["recordRevisionResult"]
    assert recorded["result"] == "FAIL"
    assert recorded["performedAt"] is not None
    # The contact reads it as the site's last revision, with its items and their findings.
    contact = await demo.as_("contact of one client")
    site = (await demo.data(PORTAL_SITE, contact, id=where.site))["site"]
    assert site["lastRevision"]["id"] == revision
    assert (site["nextRevision"] or {}).get("id") != revision
    seen = (await demo.data(PORTAL_REVISION, contact, id=revision))["revision"]
    assert seen["outcomes"] == {"compliant": 1, "nonCompliant": 1, "notChecked": 0}
    found = {item["equipment"]["id"]: item for item in items_of(seen)}
    assert found[second]["notes"] == "Manichetta forata"
    assert found[second]["equipment"]["lastResult"]["outcome"] == "NON_COMPLIANT"
    assert found[first]["equipment"]["lastResult"]["outcome"] == "COMPLIANT"
    [event] = await audit_events(demo, "revision_performed")
    assert event["changed"] == ["items", "performed_at", "result"]
    assert event["before"] == {"items": [], "performed_at": None, "result": None}
    assert {i["equipment"]: i["outcome"] for i in event["after"]["items"]} == {
        first: "COMPLIANT",
        second: "NON_COMPLIANT",
    }
    # An earlier revision recorded afterwards is not the latest: lastResult stays.
    older = (await planned(demo, where))["id"]
    await demo.data(
        RECORD,
        await demo.as_("staff admin"),
        id=older,
        input=result(
            where,
            performedAt=performed(30),
            result="PASS",
            items=[{"equipmentId": second, "outcome": "COMPLIANT", "notes": ""}],
        ),
    )
    again = (await demo.data(PORTAL_REVISION, contact, id=revision))["revision"]
    lasts = {i["equipment"]["id"]: i["equipment"]["lastResult"]["outcome"] for i in items_of(again)}
    assert lasts == {first: "COMPLIANT", second: "NON_COMPLIANT"}


async def test_bad_results_are_refused_naming_the_field(demo: Demo) -> None:
    where = await place(demo)
    foreign = await place(demo, "ignis")
    first, second = where.equipment
    token = await demo.as_("staff admin")
    elsewhere = await demo.scalar(
        "SELECT e.id FROM equipment e JOIN organization o ON o.id = e.organization_id "
        "WHERE o.slug = 'brillanti' AND e.site_id <> :s LIMIT 1",
        s=ids.decode("Site", where.site),
    )
    late = (
        await demo.data(
            EQUIPMENT,
            token,
            input={
                "siteId": where.site,
                "kind": "Porta REI",
                "installedOn": dt.date.today().isoformat(),
            },
        )
    )["createEquipment"]["id"]
    retired = (await demo.data(EQUIPMENT, token, input={"siteId": where.site, "kind": "Vecchio"}))[
        "createEquipment"
    ]["id"]
    await demo.execute(
        "UPDATE equipment SET archived_at = now() - interval '10 days' WHERE id = :i",
        i=ids.decode("Equipment", retired),
    )

    def one(equipment: str, item_outcome: str = "COMPLIANT") -> dict[str, Any]:
        return {"equipmentId": equipment, "outcome": item_outcome, "notes": ""}

    cases: list[tuple[str, dict[str, Any], str]] = [
        ("future", {"performedAt": performed(-1)}, "performedAt"),
        ("no time zone", {"performedAt": "2026-11-20T10:00:00"}, "performedAt"),
        ("no items", {"items": []}, "items"),
        ("not an id", {"items": [one("bm9wZTox")]}, "items[0].equipmentId"),
        (
            "unknown",
            {"items": [one(ids.encode("Equipment", uuid.uuid4()))]},
            "items[0].equipmentId",
        ),
        ("foreign", {"items": [one(first), one(foreign.equipment[0])]}, "items[1].equipmentId"),
        (
            "another site",
            {"items": [one(ids.encode("Equipment", elsewhere))]},
            "items[0].equipmentId",
        ),
        ("twice", {"items": [one(first), one(second), one(first)]}, "items[2].equipmentId"),
        ("archived before", {"items": [one(retired)]}, "items[0].equipmentId"),
        (
            "installed after",
            {"performedAt": performed(3), "items": [one(late)]},
            "items[0].equipmentId",
        ),
        ("long notes", {"items": [one(first) | {"notes": "n" * 2001}]}, "items[0].notes"),
        (
            "nothing checked",
            {"result": "PASS_WITH_REMARKS", "items": [one(first, "NOT_CHECKED")]},
            "items",
        ),
        (
            "non-compliant clean pass",
            {"result": "PASS", "items": [one(second, "NON_COMPLIANT")]},
            "result",
        ),
        ("fail without cause", {"result": "FAIL", "items": [one(first)]}, "result"),
        (
            "pass with unchecked",
            {"result": "PASS", "items": [one(first), one(second, "NOT_CHECKED")]},
            "result",
        ),
    ]
    revision = (await planned(demo, where))["id"]
    before = await written(demo)
    for case, changes, field in cases:
        response = await demo.gql(
            RECORD, token=token, variables={"id": revision, "input": result(where, **changes)}
        )
        assert refusal(response) == {"code": "BAD_USER_INPUT", "field": field}, case
    assert await written(demo) == before
    # A performed revision answers the same refusals when corrected.
    await demo.data(RECORD, token, id=revision, input=result(where))
    before = await written(demo)
    for case, changes, field in cases:
        variables = {"id": revision, "input": result(where, **changes), "reason": "Errore"}
        response = await demo.gql(CORRECT, token=token, variables=variables)
        assert refusal(response) == {"code": "BAD_USER_INPUT", "field": field}, case
    for reason in ("  ", "r" * 501):
        variables = {"id": revision, "input": result(where), "reason": reason}
        response = await demo.gql(CORRECT, token=token, variables=variables)
        assert refusal(response) == {"code": "BAD_USER_INPUT", "field": "reason"}
    assert await written(demo) == before


async def test_a_performed_revision_changes_only_by_a_correction_with_its_reason(
    demo: Demo,
) -> None:
    where = await place(demo)
    first, second = where.equipment
    token = await demo.as_("staff admin")
    revision = (await planned(demo, where))["id"]
    first_result = result(where)
    await demo.data(RECORD, token, id=revision, input=first_result)
    before = await written(demo)
    for document, variables in (
        (UPDATE, {"id": revision, "input": {"notes": "x"}}),
        (RECORD, {"id": revision, "input": result(where)}),
        (CANCEL, {"id": revision, "reason": "Non serve"}),
    ):
        response = await demo.gql(document, token=token, variables=variables)
        assert refusal(response)["code"] == "CONFLICT", document
    assert await written(demo) == before
    # The same result again is no correction: nothing written.
    await demo.data(CORRECT, token, id=revision, input=first_result, reason="Ricontrollo")
    assert await written(demo) == before
    when = performed(2)
    corrected = (
        await demo.data(
            CORRECT,
            token,
            id=revision,
            reason="Esito del secondo idrante trascritto male",
            input=result(
                where,
                performedAt=when,
                result="PASS",
                items=[
                    {"equipmentId": first, "outcome": "COMPLIANT", "notes": ""},
                    {"equipmentId": second, "outcome": "COMPLIANT", "notes": "Verificato"},
                ],
            ),
        )
    )["correctRevisionResult"]
    assert corrected["result"] == "PASS"
    assert {i["equipment"]["id"]: i["outcome"] for i in items_of(corrected)} == {
        first: "COMPLIANT",
        second: "COMPLIANT",
    }
    [event] = await audit_events(demo, "revision_result_corrected")
    assert event["reason"] == "Esito del secondo idrante trascritto male"
    assert event["changed"] == ["items", "performed_at", "result"]
    assert event["before"]["result"] == "PASS_WITH_REMARKS"
    assert event["after"]["result"] == "PASS"
    assert dt.datetime.fromisoformat(event["after"]["performed_at"]) == dt.datetime.fromisoformat(
        when
    )
    assert {i["equipment"]: i["outcome"] for i in event["before"]["items"]} == {
        first: "COMPLIANT",
        second: "NOT_CHECKED",
    }
    assert (
        await demo.scalar(
            "SELECT count(*) FROM revision_item WHERE revision_id = :r",
            r=ids.decode("Revision", revision),
        )
        == 2
    )


async def test_a_cancelled_revision_stays_marked_and_the_next_one_moves_on(demo: Demo) -> None:
    where = await place(demo)
    contact = await demo.as_("contact of one client")
    token = await demo.as_("staff admin")
    revision = (await planned(demo, where))["id"]
    site = (await demo.data(PORTAL_SITE, contact, id=where.site))["site"]
    assert site["nextRevision"]["id"] == revision  # the contact is told about it
    response = await demo.gql(CANCEL, token=token, variables={"id": revision, "reason": " "})
    assert refusal(response) == {"code": "BAD_USER_INPUT", "field": "reason"}
    cancelled = (await demo.data(CANCEL, token, id=revision, reason="Contratto disdetto"))[
        "cancelRevision"
    ]
    assert cancelled["cancelledAt"] is not None
    again = (await demo.data(CANCEL, token, id=revision, reason="Di nuovo"))["cancelRevision"]
    assert again["cancelledAt"] == cancelled["cancelledAt"]
    [event] = await audit_events(demo, "revision_cancelled")
    assert (event["changed"], event["before"], event["reason"]) == (
        ["cancelled_at"],
        {"cancelled_at": None},
        "Contratto disdetto",
    )
    site = (await demo.data(PORTAL_SITE, contact, id=where.site))["site"]
    assert (site["nextRevision"] or {}).get("id") != revision
    seen = (await demo.data(PORTAL_REVISION, contact, id=revision))["revision"]
    assert seen["cancelledAt"] == cancelled["cancelledAt"]  # it did not vanish
    before = await written(demo)
    for document, variables in (
        (UPDATE, {"id": revision, "input": {"notes": "x"}}),
        (RECORD, {"id": revision, "input": result(where)}),
        (CORRECT, {"id": revision, "input": result(where), "reason": "x"}),
    ):
        response = await demo.gql(document, token=token, variables=variables)
        assert refusal(response)["code"] == "CONFLICT", document
    assert await written(demo) == before


async def test_a_foreign_revision_answers_like_a_missing_one(demo: Demo) -> None:
    foreign = await place(demo, "ignis")
    theirs = (await demo.data(CREATE, await demo.as_("staff admin", "ignis"), input=plan(foreign)))[
        "createRevision"
    ]["id"]
    where = await place(demo)
    token = await demo.as_("staff admin")
    before = await written(demo)
    answers = []
    for target in (theirs, ids.encode("Revision", uuid.uuid4())):
        for document, variables in (
            (UPDATE, {"id": target, "input": {"notes": "x"}}),
            (RECORD, {"id": target, "input": result(where)}),
            (CORRECT, {"id": target, "input": result(where), "reason": "x"}),
            (CANCEL, {"id": target, "reason": "x"}),
        ):
            body = (await demo.gql(document, token=token, variables=variables)).json()
            answers.append((body["errors"][0]["message"], body["errors"][0]["extensions"]))
    assert answers == [("No such revision.", {"code": "NOT_FOUND"})] * 8
    assert await written(demo) == before
