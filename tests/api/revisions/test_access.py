"""Who may plan, change, record, correct and cancel a revision: ADMIN and OFFICE staff of its
organization; a technician is refused, a contact has no such mutation, a foreign revision
answers like a missing one."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from schema.kit import ids
from tests.api import Demo
from tests.api.callers import ALLOWED, CALLERS, assert_answers_as, audit_events, refusal
from tests.api.revisions.kit import (
    CANCEL,
    CORRECT,
    CREATE,
    RECORD,
    UPDATE,
    place,
    plan,
    planned,
    result,
    written,
)


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_only_admin_and_office_plan_revisions(demo: Demo, caller: str) -> None:
    where = await place(demo)
    before = await demo.scalar("SELECT count(*) FROM revision")
    await assert_answers_as(demo, caller, [(CREATE, {"input": plan(where)})])
    after = await demo.scalar("SELECT count(*) FROM revision")
    assert after == before + (CALLERS[caller] == ALLOWED)


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_only_admin_and_office_change_record_correct_and_cancel(
    demo: Demo, caller: str
) -> None:
    where = await place(demo)
    revision = (await planned(demo, where))["id"]
    other = (await planned(demo, where))["id"]
    corrected = result(
        where,
        result="PASS_WITH_REMARKS",
        items=[
            {"equipmentId": where.equipment[0], "outcome": "NOT_CHECKED", "notes": "x"},
            {"equipmentId": where.equipment[1], "outcome": "COMPLIANT", "notes": ""},
        ],
    )
    calls: list[tuple[str, dict[str, Any]]] = [
        (UPDATE, {"id": revision, "input": {"notes": "Citofonare"}}),
        (RECORD, {"id": revision, "input": result(where)}),
        (CORRECT, {"id": revision, "input": corrected, "reason": "Esiti scambiati"}),
        (CANCEL, {"id": other, "reason": "Contratto disdetto"}),
    ]
    await assert_answers_as(demo, caller, calls)
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
