"""Staff record a revision's result item by item, correct it saying why and cancel a revision;
a contact reads the performed revision and its items, and still sees a cancelled one; every
refusal names its field (or answers CONFLICT) and writes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from schema.kit import ids
from tests.api import Demo
from tests.api.callers import audit_events, refusal
from tests.api.revisions.kit import (
    CANCEL,
    CORRECT,
    EQUIPMENT,
    ITEMS,
    RECORD,
    UPDATE,
    performed,
    place,
    planned,
    result,
    written,
)

# What a contact reads of a site's revisions on the portal.
PORTAL_SITE = f"""query($id: ID!) {{ site(id: $id) {{
  nextRevision {{ id }} lastRevision {{ id result performedAt {ITEMS} }} }} }}"""


PORTAL_REVISION = f"""query($id: ID!) {{ revision(id: $id) {{
  id result performedAt cancelledAt outcomes {{ compliant nonCompliant notChecked }}
  {ITEMS} }} }}"""


def items_of(revision: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in revision["items"]["edges"]]


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
