"""Staff edit activity types' portal texts; a code the portal cannot fill is refused on save."""

from __future__ import annotations

import uuid
from typing import Any

from schema.activity_types import SUBSTITUTION_CODES
from schema.kit import ids
from tests.api import Demo
from tests.api.callers import assert_only_staff_may_call

UPDATE = """mutation($id: ID!, $input: ActivityTypeInput!) {
  updateActivityType(id: $id, input: $input) {
    id portalTitle portalDescription portalLongDescription portalVisible portalBookable
    rescheduleAllowedStatuses rescheduleMinLeadHours durationMinutes } }"""

COLUMNS = (
    "portal_title || '|' || portal_description || '|' || portal_long_description || '|' || "
    "portal_visible || '|' || portal_bookable || '|' || reschedule_allowed_statuses::text "
    "|| '|' || reschedule_min_lead_hours || '|' || duration_minutes"
)


async def activity(demo: Demo, org: str = "brillanti") -> uuid.UUID:
    found: uuid.UUID = await demo.scalar(
        "SELECT a.id FROM activity_type a JOIN organization o ON o.id = a.organization_id "
        "WHERE o.slug = :o AND a.portal_bookable ORDER BY a.name LIMIT 1",
        o=org,
    )
    return found


async def snapshot(demo: Demo, activity_id: uuid.UUID) -> str:
    text: str = await demo.scalar(
        f"SELECT {COLUMNS} FROM activity_type WHERE id = :i",  # noqa: S608 (constant)
        i=activity_id,
    )
    return text


async def changed_events(demo: Demo, activity_id: uuid.UUID) -> int:
    found: int = await demo.scalar(
        "SELECT count(*) FROM audit_event WHERE action = 'activity_type_changed' "
        "AND subject_id = :i",
        i=activity_id,
    )
    return found


def valid_input(**changes: Any) -> dict[str, Any]:
    return {
        "portalTitle": "Pulizia a {site.name}",
        "portalDescription": "Il {date} arriva {technician.first_name}.",
        "portalLongDescription": "Presso {site.address}: portate le chiavi.",
        "portalVisible": True,
        "portalBookable": True,
        "rescheduleAllowedStatuses": ["PLANNED", "REQUESTED"],
        "rescheduleMinLeadHours": 24,
        "durationMinutes": 90,
    } | changes


async def test_office_staff_save_the_portal_texts_and_it_is_audited(demo: Demo) -> None:
    activity_id = await activity(demo)
    token = await demo.staff("OFFICE")
    data = await demo.data(
        UPDATE, token, id=ids.encode("ActivityType", activity_id), input=valid_input()
    )
    saved = data["updateActivityType"]
    assert saved["portalTitle"] == "Pulizia a {site.name}"  # outside an appointment: as written
    assert saved["rescheduleAllowedStatuses"] == ["PLANNED", "REQUESTED"]
    assert saved["rescheduleMinLeadHours"] == 24
    assert saved["durationMinutes"] == 90
    assert await snapshot(demo, activity_id) == (
        "Pulizia a {site.name}|Il {date} arriva {technician.first_name}.|"
        "Presso {site.address}: portate le chiavi.|true|true|{PLANNED,REQUESTED}|24|90"
    )
    assert await changed_events(demo, activity_id) == 1
    # Fields left out stay as they are; saving the same values again writes nothing.
    again = await demo.data(
        UPDATE, token, id=ids.encode("ActivityType", activity_id), input={"durationMinutes": 90}
    )
    assert again["updateActivityType"]["portalTitle"] == "Pulizia a {site.name}"
    assert await changed_events(demo, activity_id) == 1


async def test_every_code_the_portal_fills_is_accepted(demo: Demo) -> None:
    activity_id = await activity(demo)
    every = " ".join("{" + code + "}" for code in SUBSTITUTION_CODES)
    data = await demo.data(
        UPDATE,
        await demo.as_("staff admin"),
        id=ids.encode("ActivityType", activity_id),
        input={"portalLongDescription": every},
    )
    assert data["updateActivityType"]["portalLongDescription"] == every


async def test_an_unknown_code_or_bad_condition_is_refused_naming_the_field(demo: Demo) -> None:
    activity_id = await activity(demo)
    token = await demo.as_("staff admin")
    before = await snapshot(demo, activity_id)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"portalTitle": "Pulizia a {site.city}"}, "portalTitle"),
        ({"portalDescription": "Il {data} arriva"}, "portalDescription"),
        ({"portalLongDescription": "Ciao {client.name}"}, "portalLongDescription"),
        ({"portalTitle": "{ site.name }"}, "portalTitle"),
        ({"portalTitle": "x" * 201}, "portalTitle"),
        ({"rescheduleAllowedStatuses": ["PLANNED", "DONE"]}, "rescheduleAllowedStatuses"),
        ({"rescheduleAllowedStatuses": ["CANCELLED"]}, "rescheduleAllowedStatuses"),
        ({"rescheduleMinLeadHours": -1}, "rescheduleMinLeadHours"),
        ({"durationMinutes": 0}, "durationMinutes"),
        ({"portalVisible": False, "portalBookable": True}, "portalBookable"),
    ]
    for changes, field in cases:
        response = await demo.gql(
            UPDATE,
            token=token,
            variables={
                "id": ids.encode("ActivityType", activity_id),
                "input": valid_input(**changes),
            },
        )
        body = response.json()
        assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, body
        assert body["data"] is None
    assert await snapshot(demo, activity_id) == before
    assert await changed_events(demo, activity_id) == 0


async def test_the_unknown_code_is_named_in_the_message(demo: Demo) -> None:
    activity_id = await activity(demo)
    response = await demo.gql(
        UPDATE,
        token=await demo.as_("staff admin"),
        variables={
            "id": ids.encode("ActivityType", activity_id),
            "input": {"portalDescription": "Il {date} con {tecnico}"},
        },
    )
    message = response.json()["errors"][0]["message"]
    assert message.startswith("portalDescription: unknown substitution code {tecnico}")


async def test_contacts_technicians_and_other_organizations_cannot_edit(demo: Demo) -> None:
    activity_id = await activity(demo)
    before = await snapshot(demo, activity_id)
    variables = {"id": ids.encode("ActivityType", activity_id), "input": valid_input()}
    # The portal's schema has no such mutation; a technician's session is refused.
    await assert_only_staff_may_call(demo, UPDATE, variables)
    other = await demo.gql(
        UPDATE, token=await demo.as_("staff admin", "ignis"), variables=variables
    )
    missing = await demo.gql(
        UPDATE,
        token=await demo.as_("staff admin", "ignis"),
        variables={"id": ids.encode("ActivityType", uuid.uuid4()), "input": valid_input()},
    )
    assert other.json() == missing.json()
    assert other.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await snapshot(demo, activity_id) == before
    assert await changed_events(demo, activity_id) == 0


CREATE = """mutation($input: CreateActivityTypeInput!) {
  createActivityType(input: $input) {
    id name kind durationMinutes portalVisible portalBookable portalTitle } }"""


async def test_staff_create_an_activity_type_hidden_from_the_portal_and_audited(
    demo: Demo,
) -> None:
    token = await demo.staff("OFFICE")
    made = await demo.data(
        CREATE,
        token,
        input={"name": "  Sanificazione  ", "kind": "CLEANING", "durationMinutes": 45},
    )
    created = made["createActivityType"]
    assert (created["name"], created["kind"], created["durationMinutes"]) == (
        "Sanificazione",
        "CLEANING",
        45,
    )
    assert (created["portalVisible"], created["portalBookable"], created["portalTitle"]) == (
        False,
        False,
        "",
    )
    new_id = ids.decode("ActivityType", created["id"])
    details = await demo.scalar(
        "SELECT details FROM audit_event WHERE action = 'activity_type_created' "
        "AND subject_id = :i",
        i=new_id,
    )
    assert details["after"]["name"] == "Sanificazione"
    assert details["after"]["duration_minutes"] == 45


async def test_a_new_activity_type_is_refused_by_field_and_nothing_is_written(demo: Demo) -> None:
    token = await demo.staff("ADMIN")
    taken = await demo.scalar(
        "SELECT a.name FROM activity_type a JOIN organization o ON o.id = a.organization_id "
        "WHERE o.slug = 'brillanti' ORDER BY a.name LIMIT 1"
    )
    before = await demo.scalar("SELECT count(*) FROM activity_type")
    cases = [
        ({"name": taken, "kind": "SURVEY", "durationMinutes": 30}, "name"),
        ({"name": "", "kind": "SURVEY", "durationMinutes": 30}, "name"),
        ({"name": "Nuova", "kind": "SURVEY"}, "durationMinutes"),
        ({"name": "Nuova", "kind": "SURVEY", "durationMinutes": 0}, "durationMinutes"),
        (
            {"name": "Nuova", "kind": "SURVEY", "durationMinutes": 30, "portalBookable": True},
            "portalBookable",
        ),
        (
            {"name": "Nuova", "kind": "SURVEY", "durationMinutes": 30, "portalTitle": "{x}"},
            "portalTitle",
        ),
    ]
    for given, field in cases:
        response = await demo.gql(CREATE, token=token, variables={"input": given})
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", given
        assert error["extensions"]["field"] == field, given
    assert await demo.scalar("SELECT count(*) FROM activity_type") == before


async def test_a_technician_cannot_create_an_activity_type(demo: Demo) -> None:
    token = await demo.staff("TECHNICIAN")
    response = await demo.gql(
        CREATE,
        token=token,
        variables={"input": {"name": "Nuova", "kind": "SURVEY", "durationMinutes": 30}},
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
