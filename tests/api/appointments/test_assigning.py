"""The office assigns technicians to open appointments (resolvers/appointment_staff_actions.py),
audited with before/after; only ADMIN and OFFICE staff place or assign."""

from __future__ import annotations

import uuid

import pytest

from schema.kit import ids
from tests.api import Demo
from tests.api.appointments.kit import (
    ASSIGN,
    CREATE,
    FIELDS,
    events,
    new,
    place,
    refusal,
    technician_of,
)
from tests.api.callers import assert_only_staff_may_call


async def test_assigning_changes_who_goes_audited_and_null_takes_them_off(demo: Demo) -> None:
    token = await demo.staff("OFFICE")
    where = await place(demo)
    waiting = (await demo.data(CREATE, token, input=new(where, technicianId=None)))[
        "createAppointment"
    ]
    assigned = (await demo.data(ASSIGN, token, id=waiting["id"], technician=where["technician"]))[
        "assignAppointment"
    ]
    # A request stays a request until the office confirms it.
    assert assigned["status"] == "REQUESTED"
    assert technician_of(assigned) == where["technician"]
    confirmed = await demo.data(
        f"mutation($id: ID!) {{ confirmAppointment(id: $id) {{ {FIELDS} }} }}",
        token,
        id=waiting["id"],
    )
    assert confirmed["confirmAppointment"]["status"] == "PLANNED"
    moved = (await demo.data(ASSIGN, token, id=waiting["id"], technician=where["other"]))[
        "assignAppointment"
    ]
    assert (moved["status"], technician_of(moved)) == ("PLANNED", where["other"])
    off = (await demo.data(ASSIGN, token, id=waiting["id"], technician=None))["assignAppointment"]
    assert (off["status"], off["technician"]) == ("REQUESTED", None)
    # Nobody is going: it cannot be confirmed until someone is assigned.
    unassigned = await refusal(
        demo, token, "mutation($id: ID!) { confirmAppointment(id: $id) { id } }", id=waiting["id"]
    )
    assert unassigned["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}

    first, second, third = await events(demo, "appointment_assigned", waiting["id"])
    technician = str(ids.decode("StaffUser", where["technician"]))
    other = str(ids.decode("StaffUser", where["other"]))
    assert first == {
        "changed": ["technician_id"],
        "before": {"technician_id": None},
        "after": {"technician_id": technician},
    }
    assert second["after"] == {"technician_id": other}
    assert third == {
        "changed": ["status", "technician_id"],
        "before": {"status": "PLANNED", "technician_id": other},
        "after": {"status": "REQUESTED", "technician_id": None},
    }
    # Assigning whoever is already on it changes nothing and records nothing.
    await demo.data(ASSIGN, token, id=waiting["id"], technician=None)
    assert len(await events(demo, "appointment_assigned", waiting["id"])) == 3
    # Leaving technicianId out is not taken for null.
    omitted = await refusal(
        demo, token, "mutation($id: ID!) { assignAppointment(id: $id) { id } }", id=waiting["id"]
    )
    assert omitted["extensions"] == {"code": "BAD_USER_INPUT", "field": "technicianId"}


async def test_assigning_a_busy_technician_names_the_clash(demo: Demo) -> None:
    token = await demo.staff("OFFICE")
    where = await place(demo)
    busy = (await demo.data(CREATE, token, input=new(where)))["createAppointment"]
    waiting = (await demo.data(CREATE, token, input=new(where, technicianId=None)))[
        "createAppointment"
    ]
    error = await refusal(demo, token, ASSIGN, id=waiting["id"], technician=where["technician"])
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["appointments"] == [busy["id"]]


@pytest.mark.parametrize("status", ["DONE", "CANCELLED", "IN_PROGRESS"])
async def test_only_open_appointments_are_assigned(demo: Demo, status: str) -> None:
    token = await demo.staff("OFFICE")
    where = await place(demo)
    closed = await demo.scalar(
        "SELECT i.id FROM intervention i JOIN organization o ON o.id = i.organization_id "
        "WHERE o.slug = 'brillanti' AND i.status = :s ORDER BY i.id LIMIT 1",
        s=status,
    )
    error = await refusal(
        demo,
        token,
        ASSIGN,
        id=ids.encode("Appointment", closed),
        technician=where["technician"],
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "status"}


async def test_technicians_are_refused_and_contacts_do_not_see_the_mutations(demo: Demo) -> None:
    where = await place(demo)
    for query, variables in (
        (CREATE, {"input": new(where)}),
        (ASSIGN, {"id": ids.encode("Appointment", uuid.uuid4()), "technician": None}),
    ):
        await assert_only_staff_may_call(demo, query, variables)
