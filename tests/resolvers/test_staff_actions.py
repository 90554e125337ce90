"""Staff users managed by the back office (resolvers/staff_actions.py): created with an
invitation to choose a password, edited, deactivated with their sessions ended at once; a
technician's week, absences and skills replaced; every field checked and named, foreign ids
like missing ones, each change audited with its before/after, and booking seeing each change."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import uuid
from typing import Any

import pytest

from db.seed import DEMO_PASSWORD
from schema.kit import ids
from tests.api import Demo
from tests.resolvers.billing_callers import ALLOWED, CALLERS, outcome, token_of

USER_FIELDS = "id firstName lastName email phone role active locale homeLat homeLng weeklyHours"
CREATE = f"""mutation($input: CreateStaffUserInput!) {{
  createStaffUser(input: $input) {{ {USER_FIELDS} }} }}"""
UPDATE = f"""mutation($id: ID!, $input: UpdateStaffUserInput!) {{
  updateStaffUser(id: $id, input: $input) {{ {USER_FIELDS} }} }}"""
ARCHIVE = f"mutation($id: ID!) {{ archiveStaffUser(id: $id) {{ {USER_FIELDS} }} }}"
SET_HOURS = """mutation($technician: ID!, $hours: [WorkingHoursInput!]!) {
  setWorkingHours(technicianId: $technician, hours: $hours) {
    id workingHours(first: 50) { edges { node { weekday startsAt endsAt } } } } }"""
ADD_ABSENCE = """mutation($technician: ID!, $input: AbsenceInput!) {
  addAbsence(technicianId: $technician, input: $input) { id startsAt endsAt reason } }"""
REMOVE_ABSENCE = """mutation($id: ID!) { removeAbsence(id: $id) {
  id absences(first: 100) { edges { node { id } } } } }"""
SET_SKILLS = """mutation($technician: ID!, $activities: [ID!]!) {
  setTechnicianSkills(technicianId: $technician, activityTypeIds: $activities) {
    id skills(first: 100) { edges { node { id } } } } }"""
ACCEPT = (
    "mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { token } }"
)
VIEWER = "{ viewer { kind firstName } }"
SLOTS = """query($site: ID!, $activity: ID!, $from: DateTime!, $to: DateTime!) {
  availableSlots(site: $site, activityType: $activity, from: $from, to: $to, first: 50) {
    startsAt technicianName } }"""

# What the staff tables and their audit events hold (a login's last_login_at aside): a
# refusal changes none of it.
STATE = (
    "SELECT (SELECT md5(string_agg(row(s.id, s.first_name, s.last_name, s.email, s.phone, "
    "s.role, s.active, s.locale, s.home_lat, s.home_lng, s.weekly_hours, s.password_hash)::text, "
    "',' ORDER BY s.id)) FROM staff_user s) || '/' || "
    "(SELECT md5(string_agg(w::text, ',' ORDER BY w.id)) FROM working_hours w) || '/' || "
    "(SELECT md5(string_agg(a::text, ',' ORDER BY a.id)) FROM absence a) || '/' || "
    "(SELECT md5(string_agg(k::text, ',' ORDER BY k.id)) FROM technician_skill k) || '/' || "
    "(SELECT count(*) FROM outbox_message) || '/' || (SELECT count(*) FROM audit_event "
    "WHERE action ~ '^(staff_user|working_hours|absence|technician_skills)_')"
)
OPEN = ["REQUESTED", "PLANNED", "IN_PROGRESS"]


def new_user(**changes: Any) -> dict[str, Any]:
    return {
        "firstName": "Chiara",
        "lastName": "Lombardi",
        "email": "Chiara.Lombardi@brillanti.example",
        "role": "TECHNICIAN",
        "phone": "+39 333 123 4567",
        "locale": "it",
        "homeLat": "45.4642115",
        "homeLng": "9.19",
        "weeklyHours": "38.25",
    } | changes


async def refused(demo: Demo, token: str, query: str, **variables: Any) -> dict[str, Any]:
    body: dict[str, Any] = (await demo.gql(query, token=token, variables=variables)).json()
    assert body.get("data") is None, body
    error: dict[str, Any] = body["errors"][0]
    return error


async def events(demo: Demo, action: str, subject: uuid.UUID) -> list[dict[str, Any]]:
    """The details of the audit events ``action`` about the row ``subject``, oldest first."""
    found = await demo.scalar(
        "SELECT coalesce(json_agg(details ORDER BY created_at), '[]') FROM audit_event "
        "WHERE action = :a AND subject_id = :s",
        a=action,
        s=subject,
    )
    rows: list[dict[str, Any]] = json.loads(found) if isinstance(found, str) else found
    return rows


async def staff_id(demo: Demo, role: str, org: str = "brillanti", *, offset: int = 0) -> str:
    """The global id of an active staff user of ``org`` with ``role``, by email."""
    row = await demo.scalar(
        "SELECT s.id FROM staff_user s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = :o AND s.role = :r AND s.active ORDER BY s.email OFFSET :n LIMIT 1",
        o=org,
        r=role,
        n=offset,
    )
    return ids.encode("StaffUser", row)


async def invitation_token(demo: Demo, email: str) -> str:
    body = await demo.scalar(
        "SELECT body_text FROM outbox_message WHERE to_address = :e AND kind = 'invitation' "
        "ORDER BY created_at DESC LIMIT 1",
        e=email,
    )
    match = re.search(r"#token=(spl_[A-Za-z0-9_-]+)", body)
    assert match is not None, body
    return match.group(1)


async def invited(demo: Demo, token: str, **changes: Any) -> tuple[dict[str, Any], str]:
    """A staff user created by ``token`` who accepted the invitation: (user, their session)."""
    user = (await demo.data(CREATE, token, input=new_user(**changes)))["createStaffUser"]
    link = await invitation_token(demo, user["email"])
    accepted = await demo.gql(ACCEPT, t=link, p="una password lunga 2026")
    session: str = accepted.json()["data"]["acceptInvitation"]["token"]
    return user, session


async def test_a_new_staff_user_is_invited_to_choose_a_password_and_audited(
    demo: Demo,
) -> None:
    token = await demo.as_("staff admin")
    created = (await demo.data(CREATE, token, input=new_user(role="OFFICE")))["createStaffUser"]
    assert created | {"id": None} == {
        "id": None,
        "firstName": "Chiara",
        "lastName": "Lombardi",
        "email": "Chiara.Lombardi@brillanti.example",
        "phone": "+39 333 123 4567",
        "role": "OFFICE",
        "active": True,
        "locale": "it",
        "homeLat": "45.464212",
        "homeLng": "9.190000",
        "weeklyHours": "38.2",
    }
    row_id = ids.decode("StaffUser", created["id"])
    assert row_id is not None
    [event] = await events(demo, "staff_user_created", row_id)
    assert event["before"] == {}
    assert event["after"]["email"] == "Chiara.Lombardi@brillanti.example"
    assert "password_hash" not in event["after"]
    # The mail carries a one-use link, never a password; the link sets one and logs in.
    mail = await demo.scalar(
        "SELECT body_text FROM outbox_message WHERE to_address = :e", e=created["email"]
    )
    assert "#token=spl_" in mail
    assert DEMO_PASSWORD not in mail
    link = await invitation_token(demo, created["email"])
    accepted = await demo.gql(ACCEPT, t=link, p="una password lunga 2026")
    session = accepted.json()["data"]["acceptInvitation"]["token"]
    viewer = await demo.data(VIEWER, session)
    assert viewer["viewer"] == {"kind": "STAFF", "firstName": "Chiara"}
    again = await demo.gql(ACCEPT, t=link, p="un'altra password 2027")
    assert again.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    login = await demo.login(
        "chiara.lombardi@BRILLANTI.example", "una password lunga 2026", org="brillanti"
    )
    assert login.json()["data"]["login"]["accountKind"] == "STAFF"

    # The email is unique in the organization whatever its case; another one may reuse it.
    error = await refused(
        demo, token, CREATE, input=new_user(email="chiara.LOMBARDI@brillanti.example")
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "email"}
    assert error["message"] == "email: another staff user already uses this email"
    other = await demo.data(CREATE, await demo.as_("staff admin", "ignis"), input=new_user())
    assert other["createStaffUser"]["email"] == created["email"]


async def test_bad_staff_user_input_is_refused_naming_the_field_and_nothing_is_written(
    demo: Demo,
) -> None:
    token = await demo.as_("staff admin")
    taken = await demo.scalar(
        "SELECT s.email FROM staff_user s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = 'brillanti' AND s.role = 'ADMIN' ORDER BY s.email LIMIT 1"
    )
    cases: list[tuple[dict[str, Any], str]] = [
        ({"firstName": " "}, "firstName"),
        ({"firstName": "x" * 101}, "firstName"),
        ({"lastName": "two\nlines"}, "lastName"),
        ({"email": "not-an-address"}, "email"),
        ({"email": taken.upper()}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"locale": "fr"}, "locale"),
        ({"homeLat": "90.000001"}, "homeLat"),
        ({"homeLng": "-180.5"}, "homeLng"),
        ({"homeLat": "NaN"}, "homeLat"),
        ({"homeLng": None}, "homeLng"),
        ({"homeLat": None}, "homeLat"),
        ({"weeklyHours": "80.5"}, "weeklyHours"),
        ({"weeklyHours": "-1"}, "weeklyHours"),
    ]
    before = await demo.scalar(STATE)
    for changes, field in cases:
        error = await refused(demo, token, CREATE, input=new_user(**changes))
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, changes
    technician = await staff_id(demo, "TECHNICIAN")
    update_cases: list[tuple[dict[str, Any], str]] = [
        ({"email": taken}, "email"),
        ({"lastName": ""}, "lastName"),
        ({"homeLat": None}, "homeLat"),  # clearing one coordinate leaves half a home base
        ({"weeklyHours": "Infinity"}, "weeklyHours"),
    ]
    for changes, field in update_cases:
        error = await refused(demo, token, UPDATE, id=technician, input=changes)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, changes
    # A staff user of another organization answers exactly like one that does not exist.
    foreign = await demo.gql(
        UPDATE, token=token, id=await staff_id(demo, "TECHNICIAN", "ignis"), input={}
    )
    missing = await demo.gql(
        UPDATE, token=token, id=ids.encode("StaffUser", uuid.uuid4()), input={}
    )
    assert foreign.json() == missing.json()
    assert foreign.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await demo.scalar(STATE) == before


async def test_an_update_is_audited_with_before_and_after(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    technician = await staff_id(demo, "TECHNICIAN")
    row_id = ids.decode("StaffUser", technician)
    assert row_id is not None
    changed = await demo.data(
        UPDATE,
        token,
        id=technician,
        input={"phone": "", "lastName": " Bianchi ", "weeklyHours": "20", "locale": "es"},
    )
    user = changed["updateStaffUser"]
    assert (user["phone"], user["lastName"], user["weeklyHours"]) == (None, "Bianchi", "20.0")
    [event] = await events(demo, "staff_user_changed", row_id)
    assert event["changed"] == ["last_name", "locale", "phone", "weekly_hours"]
    assert event["after"] == {
        "last_name": "Bianchi",
        "locale": "es",
        "phone": None,
        "weekly_hours": "20.0",
    }
    assert event["before"]["phone"] is not None
    # The home base goes as a pair (null and null clear it); the same values change nothing.
    cleared = await demo.data(
        UPDATE, token, id=technician, input={"homeLat": None, "homeLng": None}
    )
    assert cleared["updateStaffUser"]["homeLat"] is None
    await demo.data(UPDATE, token, id=technician, input={"lastName": "Bianchi"})
    assert len(await events(demo, "staff_user_changed", row_id)) == 2


async def test_office_staff_manage_technicians_only(demo: Demo) -> None:
    office = await demo.staff("OFFICE")
    created = (await demo.data(CREATE, office, input=new_user()))["createStaffUser"]
    assert created["role"] == "TECHNICIAN"
    changed = await demo.data(UPDATE, office, id=created["id"], input={"phone": "+39 02 1111 2222"})
    assert changed["updateStaffUser"]["phone"] == "+39 02 1111 2222"
    before = await demo.scalar(STATE)
    admin = await staff_id(demo, "ADMIN")
    for query, variables in (
        (CREATE, {"input": new_user(role="OFFICE", email="office2@brillanti.example")}),
        (CREATE, {"input": new_user(role="ADMIN", email="admin2@brillanti.example")}),
        (UPDATE, {"id": admin, "input": {"phone": "+39 02 0000 0000"}}),
        (UPDATE, {"id": created["id"], "input": {"role": "OFFICE"}}),
        (ARCHIVE, {"id": admin}),
        (ARCHIVE, {"id": await staff_id(demo, "OFFICE")}),
    ):
        error = await refused(demo, office, query, **variables)
        assert error["extensions"]["code"] == "FORBIDDEN", variables
    assert await demo.scalar(STATE) == before
    # An ADMIN changes roles: a technician becomes office staff.
    promoted = await demo.data(
        UPDATE, await demo.as_("staff admin"), id=created["id"], input={"role": "OFFICE"}
    )
    assert promoted["updateStaffUser"]["role"] == "OFFICE"
    row_id = ids.decode("StaffUser", created["id"])
    assert row_id is not None
    event = (await events(demo, "staff_user_changed", row_id))[-1]
    assert event["changed"] == ["role"]
    assert (event["before"]["role"], event["after"]["role"]) == ("TECHNICIAN", "OFFICE")


async def test_deactivating_ends_the_sessions_at_once_and_keeps_the_record(demo: Demo) -> None:
    admin = await demo.as_("staff admin")
    user, session = await invited(demo, admin)
    assert (await demo.gql(VIEWER, token=session)).status_code == 200
    archived = (await demo.data(ARCHIVE, admin, id=user["id"]))["archiveStaffUser"]
    assert archived["active"] is False
    assert (await demo.gql(VIEWER, token=session)).status_code == 401
    login = await demo.login(user["email"], "una password lunga 2026", org="brillanti")
    assert login.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    row_id = ids.decode("StaffUser", user["id"])
    assert row_id is not None
    [event] = await events(demo, "staff_user_deactivated", row_id)
    assert event == {"changed": ["active"], "before": {"active": True}, "after": {"active": False}}
    # Deactivating twice changes nothing; the user stays in the list, inactive.
    await demo.data(ARCHIVE, admin, id=user["id"])
    assert len(await events(demo, "staff_user_deactivated", row_id)) == 1
    listed = await demo.data(
        "{ staffUsers(first: 100, active: false) { edges { node { id } } } }", admin
    )
    assert user["id"] in [e["node"]["id"] for e in listed["staffUsers"]["edges"]]


async def test_nobody_deactivates_or_demotes_themselves_or_a_busy_technician(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    me = await demo.scalar(
        "SELECT s.id FROM staff_user s WHERE s.email = :e", e=demo.login_of("staff admin")
    )
    own = ids.encode("StaffUser", me)
    before = await demo.scalar(STATE)
    for query, variables in ((ARCHIVE, {}), (UPDATE, {"input": {"role": "OFFICE"}})):
        error = await refused(demo, token, query, id=own, **variables)
        assert error["extensions"] == {"code": "CONFLICT"}
        assert "yourself" in error["message"]
    busy = await demo.scalar(
        "SELECT i.technician_id FROM intervention i JOIN organization o "
        "ON o.id = i.organization_id WHERE o.slug = 'brillanti' AND i.technician_id IS NOT "
        "NULL AND i.status = ANY(:open) ORDER BY i.starts_at LIMIT 1",
        open=OPEN,
    )
    expected = await demo.scalar(
        "SELECT array_agg(id::text ORDER BY starts_at, id) FROM (SELECT id, starts_at FROM "
        "intervention WHERE technician_id = :t AND status = ANY(:open) "
        "ORDER BY starts_at, id LIMIT 5) x",
        t=busy,
        open=OPEN,
    )
    technician = ids.encode("StaffUser", busy)
    for query, variables in ((ARCHIVE, {}), (UPDATE, {"input": {"role": "OFFICE"}})):
        error = await refused(demo, token, query, id=technician, **variables)
        assert error["extensions"]["code"] == "CONFLICT"
        named = [ids.encode("Appointment", uuid.UUID(i)) for i in expected]
        assert error["extensions"]["appointments"] == named
        assert named[0] in error["message"]
    assert await demo.scalar(STATE) == before


async def test_two_admins_deactivating_each_other_at_once_leave_one_active(demo: Demo) -> None:
    """The last active ADMIN is never deactivated: the second of two crossed requests finds
    itself alone (CONFLICT), or its session already ended (401)."""
    rows = await demo.scalar(
        "SELECT array_agg(s.id::text || ' ' || s.email ORDER BY s.email) FROM staff_user s "
        "JOIN organization o ON o.id = s.organization_id WHERE o.slug = 'brillanti' "
        "AND s.role = 'ADMIN' AND s.active"
    )
    assert len(rows) == 2
    admins = [row.split(" ") for row in rows]
    tokens = [
        (await demo.login(email, DEMO_PASSWORD, org="brillanti")).json()["data"]["login"]["token"]
        for _, email in admins
    ]
    answers = await asyncio.gather(
        demo.gql(ARCHIVE, token=tokens[0], id=ids.encode("StaffUser", uuid.UUID(admins[1][0]))),
        demo.gql(ARCHIVE, token=tokens[1], id=ids.encode("StaffUser", uuid.UUID(admins[0][0]))),
    )
    done = [a for a in answers if a.status_code == 200 and a.json().get("data")]
    assert len(done) == 1, [a.text for a in answers]
    [other] = [a for a in answers if a is not done[0]]
    assert other.status_code == 401 or other.json()["errors"][0]["extensions"]["code"] in (
        "CONFLICT",
    ), other.text
    active = await demo.scalar(
        "SELECT count(*) FROM staff_user s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = 'brillanti' AND s.role = 'ADMIN' AND s.active"
    )
    assert active == 1
    # The one left cannot leave either.
    survivor = tokens[answers.index(done[0])]
    last = admins[answers.index(done[0])][0]
    error = await refused(demo, survivor, ARCHIVE, id=ids.encode("StaffUser", uuid.UUID(last)))
    assert error["extensions"]["code"] == "CONFLICT"


async def test_a_technicians_week_is_replaced_checked_and_audited(demo: Demo) -> None:
    token = await demo.staff("OFFICE")
    technician = await staff_id(demo, "TECHNICIAN")
    row_id = ids.decode("StaffUser", technician)
    assert row_id is not None
    week = [
        {"weekday": 0, "startsAt": "13:00:00", "endsAt": "17:00:00"},
        {"weekday": 0, "startsAt": "08:00:00", "endsAt": "12:00:00"},
        {"weekday": 4, "startsAt": "08:00:00", "endsAt": "13:00:00"},
    ]
    answer = await demo.data(SET_HOURS, token, technician=technician, hours=week)
    spans = [e["node"] for e in answer["setWorkingHours"]["workingHours"]["edges"]]
    assert spans == [week[1], week[0], week[2]]
    [event] = await events(demo, "working_hours_set", row_id)
    assert event["after"]["hours"] == spans
    assert event["before"]["hours"]
    # The same week again changes nothing and records nothing.
    await demo.data(SET_HOURS, token, technician=technician, hours=list(reversed(week)))
    assert len(await events(demo, "working_hours_set", row_id)) == 1

    before = await demo.scalar(STATE)
    bad: list[tuple[dict[str, Any], str]] = [
        ({"weekday": 7, "startsAt": "08:00:00", "endsAt": "12:00:00"}, "weekday"),
        ({"weekday": -1, "startsAt": "08:00:00", "endsAt": "12:00:00"}, "weekday"),
        ({"weekday": 1, "startsAt": "12:00:00", "endsAt": "08:00:00"}, "endsAt"),
        ({"weekday": 1, "startsAt": "12:00:00", "endsAt": "12:00:00"}, "endsAt"),
        ({"weekday": 0, "startsAt": "11:00:00", "endsAt": "14:00:00"}, "startsAt"),
        ({"weekday": 1, "startsAt": "08:00:00+01:00", "endsAt": "12:00:00"}, "startsAt"),
    ]
    for span, field in bad:
        error = await refused(demo, token, SET_HOURS, technician=technician, hours=[*week, span])
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, span
    many = [
        {"weekday": 2, "startsAt": f"{h:02}:00:00", "endsAt": f"{h:02}:30:00"} for h in range(24)
    ]
    error = await refused(demo, token, SET_HOURS, technician=technician, hours=many + many[:5])
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "hours"}
    office = await staff_id(demo, "OFFICE")
    error = await refused(demo, token, SET_HOURS, technician=office, hours=week)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "technicianId"}
    assert await demo.scalar(STATE) == before


async def test_absences_are_added_and_removed_but_not_over_open_appointments(
    demo: Demo,
) -> None:
    token = await demo.staff("OFFICE")
    technician = await staff_id(demo, "TECHNICIAN")
    row_id = ids.decode("StaffUser", technician)
    holiday = {
        "startsAt": "2031-08-03T00:00:00+02:00",
        "endsAt": "2031-08-24T00:00:00+02:00",
        "reason": " Ferie ",
    }
    added = (await demo.data(ADD_ABSENCE, token, technician=technician, input=holiday))[
        "addAbsence"
    ]
    assert added["reason"] == "Ferie"
    assert dt.datetime.fromisoformat(added["startsAt"]) == dt.datetime.fromisoformat(
        holiday["startsAt"]
    )
    absence_id = ids.decode("Absence", added["id"])
    assert absence_id is not None
    [event] = await events(demo, "absence_added", absence_id)
    assert event["after"]["technician_id"] == str(row_id)
    assert event["after"]["reason"] == "Ferie"

    before = await demo.scalar(STATE)
    bad: list[tuple[dict[str, Any], str]] = [
        ({"startsAt": "2031-09-01T08:00:00"}, "startsAt"),
        ({"endsAt": "2031-09-01T08:00:00"}, "endsAt"),
        ({"endsAt": "2031-08-02T00:00:00+02:00"}, "endsAt"),
        ({"endsAt": holiday["startsAt"]}, "endsAt"),
        ({"reason": "x" * 201}, "reason"),
    ]
    for changes, field in bad:
        error = await refused(
            demo, token, ADD_ABSENCE, technician=technician, input=holiday | changes
        )
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, changes
    # Over an open appointment of the technician: CONFLICT naming it.
    visit = await demo.scalar(
        "SELECT ARRAY[i.id::text, i.technician_id::text, i.starts_at::text, i.ends_at::text] "
        "FROM intervention i JOIN organization o ON o.id = i.organization_id "
        "WHERE o.slug = 'brillanti' AND i.status = ANY(:open) "
        "AND i.technician_id IS NOT NULL ORDER BY i.starts_at DESC LIMIT 1",
        open=OPEN,
    )
    starts = dt.datetime.fromisoformat(visit[2])
    error = await refused(
        demo,
        token,
        ADD_ABSENCE,
        technician=ids.encode("StaffUser", uuid.UUID(visit[1])),
        input={
            "startsAt": (starts - dt.timedelta(hours=1)).isoformat(),
            "endsAt": (starts + dt.timedelta(minutes=1)).isoformat(),
        },
    )
    assert error["extensions"]["code"] == "CONFLICT"
    assert ids.encode("Appointment", uuid.UUID(visit[0])) in error["extensions"]["appointments"]
    # Another organization's technician or absence: the answers of missing ones.
    foreign = await refused(
        demo,
        token,
        ADD_ABSENCE,
        technician=await staff_id(demo, "TECHNICIAN", "ignis"),
        input=holiday,
    )
    missing = await refused(
        demo, token, ADD_ABSENCE, technician=ids.encode("StaffUser", uuid.uuid4()), input=holiday
    )
    assert foreign == missing
    assert foreign["extensions"]["code"] == "NOT_FOUND"
    other_absence = await demo.scalar(
        "SELECT a.id FROM absence a JOIN organization o ON o.id = a.organization_id "
        "WHERE o.slug = 'ignis' LIMIT 1"
    )
    foreign = await refused(demo, token, REMOVE_ABSENCE, id=ids.encode("Absence", other_absence))
    missing = await refused(demo, token, REMOVE_ABSENCE, id=ids.encode("Absence", uuid.uuid4()))
    assert foreign == missing
    assert await demo.scalar(STATE) == before

    removed = await demo.data(REMOVE_ABSENCE, token, id=added["id"])
    left = [e["node"]["id"] for e in removed["removeAbsence"]["absences"]["edges"]]
    assert added["id"] not in left
    [event] = await events(demo, "absence_removed", absence_id)
    assert event["before"]["reason"] == "Ferie"
    assert event["after"] == {}


async def test_skills_are_replaced_and_foreign_activity_types_refused(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    technician = await staff_id(demo, "TECHNICIAN")
    row_id = ids.decode("StaffUser", technician)
    assert row_id is not None
    activities = await demo.scalar(
        "SELECT array_agg(a.id::text ORDER BY a.id) FROM activity_type a "
        "JOIN organization o ON o.id = a.organization_id WHERE o.slug = 'brillanti'"
    )
    chosen = [ids.encode("ActivityType", uuid.UUID(a)) for a in activities[:2]]
    answer = await demo.data(SET_SKILLS, token, technician=technician, activities=chosen * 2)
    skills = {e["node"]["id"] for e in answer["setTechnicianSkills"]["skills"]["edges"]}
    assert skills == set(chosen)
    [event] = await events(demo, "technician_skills_set", row_id)
    assert event["after"] == {"activityTypes": sorted(chosen)}
    await demo.data(SET_SKILLS, token, technician=technician, activities=chosen)
    assert len(await events(demo, "technician_skills_set", row_id)) == 1

    before = await demo.scalar(STATE)
    foreign_activity = await demo.scalar(
        "SELECT a.id FROM activity_type a JOIN organization o ON o.id = a.organization_id "
        "WHERE o.slug = 'ignis' LIMIT 1"
    )
    answers = []
    for other in (
        ids.encode("ActivityType", foreign_activity),
        ids.encode("ActivityType", uuid.uuid4()),
        ids.encode("Site", uuid.uuid4()),
    ):
        answers.append(
            await refused(demo, token, SET_SKILLS, technician=technician, activities=[other])
        )
    assert all(a == answers[0] for a in answers)
    assert answers[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "activityTypeIds"}
    assert await demo.scalar(STATE) == before
    # No skills at all is a valid set.
    emptied = await demo.data(SET_SKILLS, token, technician=technician, activities=[])
    assert emptied["setTechnicianSkills"]["skills"]["edges"] == []


async def test_booking_sees_absences_hours_and_skills_at_once(demo: Demo) -> None:
    """The planning assistant reads what was just changed: an absence over the period, an
    empty week or a removed skill leaves no slot; removing the absence brings them back."""
    token = await demo.as_("staff admin")
    site, activity, technician = await demo.scalar(
        "SELECT ARRAY[s.id::text, t.activity_type_id::text, t.technician_id::text] "
        "FROM technician_skill t JOIN working_hours w ON w.technician_id = t.technician_id "
        "JOIN staff_user u ON u.id = t.technician_id AND u.active "
        "JOIN activity_type a ON a.id = t.activity_type_id "
        "JOIN site s ON s.organization_id = a.organization_id AND s.archived_at IS NULL "
        "JOIN organization o ON o.id = a.organization_id WHERE o.slug = 'brillanti' "
        "ORDER BY s.id, t.activity_type_id, t.technician_id LIMIT 1"
    )
    # One technician keeps the skill, so every slot is theirs.
    await demo.execute(
        "DELETE FROM technician_skill WHERE activity_type_id = :a AND technician_id <> :t",
        a=uuid.UUID(activity),
        t=uuid.UUID(technician),
    )
    now = dt.datetime.now(dt.UTC)
    window = {
        "from": (now + dt.timedelta(days=2)).isoformat(),
        "to": (now + dt.timedelta(days=16)).isoformat(),
    }
    await demo.execute(
        "UPDATE intervention SET status = 'CANCELLED' WHERE technician_id = :t "
        "AND status = ANY(:open) AND starts_at < :e",
        open=OPEN,
        t=uuid.UUID(technician),
        e=now + dt.timedelta(days=20),
    )
    site_id = ids.encode("Site", uuid.UUID(site))
    activity_id = ids.encode("ActivityType", uuid.UUID(activity))
    technician_id = ids.encode("StaffUser", uuid.UUID(technician))

    async def slots() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (
            await demo.data(SLOTS, token, site=site_id, activity=activity_id, **window)
        )["availableSlots"]
        return found

    assert await slots()
    absence = await demo.data(
        ADD_ABSENCE,
        token,
        technician=technician_id,
        input={"startsAt": now.isoformat(), "endsAt": (now + dt.timedelta(days=20)).isoformat()},
    )
    assert await slots() == []
    await demo.data(REMOVE_ABSENCE, token, id=absence["addAbsence"]["id"])
    assert await slots()
    hours = await demo.scalar(
        "SELECT json_agg(json_build_object('weekday', weekday, 'startsAt', starts_at::text, "
        "'endsAt', ends_at::text)) FROM working_hours WHERE technician_id = :t",
        t=uuid.UUID(technician),
    )
    await demo.data(SET_HOURS, token, technician=technician_id, hours=[])
    assert await slots() == []
    await demo.data(SET_HOURS, token, technician=technician_id, hours=hours)
    assert await slots()
    await demo.data(SET_SKILLS, token, technician=technician_id, activities=[])
    assert await slots() == []


MUTATIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("createStaffUser", CREATE, {"input": new_user()}),
    ("updateStaffUser", UPDATE, {"input": {"phone": "+39 02 0000 0000"}}),
    ("archiveStaffUser", ARCHIVE, {}),
    ("setWorkingHours", SET_HOURS, {"hours": []}),
    ("addAbsence", ADD_ABSENCE, {}),
    ("removeAbsence", REMOVE_ABSENCE, {}),
    ("setTechnicianSkills", SET_SKILLS, {"activities": []}),
]


async def _variables(demo: Demo, name: str, given: dict[str, Any]) -> dict[str, Any]:
    """Arguments naming an idle technician of brillanti (one the archive may deactivate)."""
    technician = await demo.scalar(
        "SELECT s.id FROM staff_user s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = 'brillanti' AND s.role = 'TECHNICIAN' AND s.active AND NOT EXISTS "
        "(SELECT 1 FROM intervention i WHERE i.technician_id = s.id AND i.status = ANY(:open)) "
        "ORDER BY s.id LIMIT 1",
        open=OPEN,
    )
    if technician is None:  # every technician is busy: free the first one
        technician = await demo.scalar(
            "SELECT s.id FROM staff_user s JOIN organization o ON o.id = s.organization_id "
            "WHERE o.slug = 'brillanti' AND s.role = 'TECHNICIAN' AND s.active ORDER BY s.id "
            "LIMIT 1"
        )
        await demo.execute(
            "UPDATE intervention SET status = 'CANCELLED' WHERE technician_id = :t "
            "AND status = ANY(:open)",
            open=OPEN,
            t=technician,
        )
    target = ids.encode("StaffUser", technician)
    if name == "createStaffUser":
        return given
    if name in ("updateStaffUser", "archiveStaffUser"):
        return given | {"id": target}
    if name == "addAbsence":
        period = {"startsAt": "2031-08-03T00:00:00+02:00", "endsAt": "2031-08-04T00:00:00+02:00"}
        return {"technician": target, "input": period}
    if name == "removeAbsence":
        absence = await demo.scalar(
            "SELECT id FROM absence WHERE technician_id = :t LIMIT 1", t=technician
        )
        return {"id": ids.encode("Absence", absence)}
    return given | {"technician": target}


@pytest.mark.parametrize(("name", "query", "given"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
async def test_only_admin_and_office_staff_may_call_it(
    demo: Demo, name: str, query: str, given: dict[str, Any]
) -> None:
    variables = await _variables(demo, name, given)
    before = await demo.scalar(STATE)
    refusing = [caller for caller, answer in CALLERS.items() if answer != ALLOWED]
    for caller in refusing:
        token = await token_of(demo, caller)
        demo.client.cookies.clear()  # only the bearer token speaks for the caller
        response = await demo.gql(query, token=token, variables=variables)
        assert outcome(response) == CALLERS[caller], response.text
    if name != "createStaffUser":
        # Another organization's staff: the record does not exist for them.
        other = await refused(demo, await demo.as_("staff admin", "ignis"), query, **variables)
        assert other["extensions"]["code"] == "NOT_FOUND"
    assert await demo.scalar(STATE) == before
    for caller in ("OFFICE", "ADMIN"):
        response = await demo.gql(query, token=await token_of(demo, caller), variables=variables)
        # Allowed: the second at most refused for what the first did (the email now taken,
        # the absence removed).
        assert outcome(response) in (ALLOWED, "BAD_USER_INPUT", "NOT_FOUND"), response.text
