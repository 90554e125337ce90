"""Staff users managed by the back office (resolvers/staff_actions.py): created with an
invitation to choose a password, edited, deactivated with their sessions ended at once; every
field checked and named, foreign ids like missing ones, each change audited with its
before/after."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from db.seed import DEMO_PASSWORD
from schema.kit import ids
from tests.api import Demo
from tests.api.callers import refused
from tests.api.staff.kit import (
    ARCHIVE,
    CREATE,
    OPEN,
    STATE,
    UPDATE,
    events,
    new_user,
    staff_id,
    technician_ids,
)
from tests.identity.kit import mailed_link

ACCEPT = (
    "mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { token } }"
)


VIEWER = "{ viewer { kind firstName } }"


async def invited(demo: Demo, token: str, **changes: Any) -> tuple[dict[str, Any], str]:
    """A staff user created by ``token`` who accepted the invitation: (user, their session)."""
    user = (await demo.data(CREATE, token, input=new_user(**changes)))["createStaffUser"]
    link = await mailed_link(demo, user["email"])
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
    link = await mailed_link(demo, created["email"])
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
    technician, row_id = await technician_ids(demo)
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
