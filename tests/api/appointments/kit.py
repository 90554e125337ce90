"""The office's appointment mutations, a place to use them at, and the records their tests
look at."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from schema.kit import ids
from tests.api import Demo

FIELDS = "id startsAt endsAt status origin notes ticketId technician { staffUser { id } }"


CREATE = f"""mutation($input: CreateAppointmentInput!) {{
  createAppointment(input: $input) {{ {FIELDS} }} }}"""


ASSIGN = f"""mutation($id: ID!, $technician: ID) {{
  assignAppointment(id: $id, technicianId: $technician) {{ {FIELDS} }} }}"""


# A Monday far beyond the demo's plans and absences (the demo is anchored on 2026-11-23).
MONDAY = dt.datetime(2027, 6, 7, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


# What a refusal must leave as it was: the appointments and their audit events.
STATE = (
    "SELECT (SELECT count(*) FROM audit_event WHERE subject_type = 'Intervention') || '/' || "
    "(SELECT md5(string_agg(i::text, ',' ORDER BY i.id)) FROM intervention i)"
)


async def place(demo: Demo, org: str = "brillanti") -> dict[str, Any]:
    """A site in use with a ticket, an activity type, two active technicians who do it, and
    a ticket of another site: encoded ids, plus the activity's duration in minutes."""
    found = await demo.scalar(
        "SELECT ARRAY[s.id::text, a.id::text, a.duration_minutes::text, t1.id::text, "
        "t2.id::text, tk.id::text, other.id::text] "
        "FROM organization o JOIN activity_type a ON a.organization_id = o.id "
        "JOIN technician_skill k1 ON k1.activity_type_id = a.id "
        "JOIN staff_user t1 ON t1.id = k1.technician_id AND t1.active AND t1.role = 'TECHNICIAN' "
        "JOIN technician_skill k2 ON k2.activity_type_id = a.id AND k2.technician_id > t1.id "
        "JOIN staff_user t2 ON t2.id = k2.technician_id AND t2.active AND t2.role = 'TECHNICIAN' "
        "JOIN ticket tk ON tk.organization_id = o.id "
        "JOIN site s ON s.id = tk.site_id AND s.archived_at IS NULL "
        "JOIN ticket other ON other.organization_id = o.id AND other.site_id <> s.id "
        "WHERE o.slug = :o ORDER BY a.id, t1.id, t2.id, tk.id, other.id LIMIT 1",
        o=org,
    )
    site, activity, minutes, first, second, ticket, other_ticket = found
    return {
        "site": ids.encode("Site", uuid.UUID(site)),
        "activity": ids.encode("ActivityType", uuid.UUID(activity)),
        "minutes": int(minutes),
        "technician": ids.encode("StaffUser", uuid.UUID(first)),
        "other": ids.encode("StaffUser", uuid.UUID(second)),
        "ticket": ids.encode("Ticket", uuid.UUID(ticket)),
        "otherTicket": ids.encode("Ticket", uuid.UUID(other_ticket)),
    }


def new(where: dict[str, Any], starts_at: dt.datetime = MONDAY, **changes: Any) -> dict[str, Any]:
    """A createAppointment input at ``where``'s site for its first technician."""
    return {
        "siteId": where["site"],
        "activityTypeId": where["activity"],
        "startsAt": starts_at.isoformat(),
        "technicianId": where["technician"],
        "notes": "Chiavi in portineria",
    } | changes


async def refusal(demo: Demo, token: str, query: str, **variables: Any) -> dict[str, Any]:
    """The error of a refused call; it wrote nothing."""
    before = await demo.scalar(STATE)
    response = await demo.gql(query, token=token, variables=variables)
    assert await demo.scalar(STATE) == before
    error: dict[str, Any] = response.json()["errors"][0]
    return error


async def events(demo: Demo, action: str, appointment: str) -> list[dict[str, Any]]:
    found = await demo.scalar(
        "SELECT coalesce(json_agg(details ORDER BY created_at), '[]') FROM audit_event "
        "WHERE action = :a AND subject_id = :s",
        a=action,
        s=ids.decode("Appointment", appointment),
    )
    rows: list[dict[str, Any]] = json.loads(found) if isinstance(found, str) else found
    return rows


def technician_of(appointment: dict[str, Any]) -> str | None:
    technician = appointment["technician"]
    return technician["staffUser"]["id"] if technician else None
