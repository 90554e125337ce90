"""The staff mutations, and the records and sessions their tests look at."""

from __future__ import annotations

import json
import uuid
from typing import Any

from schema.kit import ids
from tests.api import Demo

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


async def technician_ids(demo: Demo) -> tuple[str, uuid.UUID]:
    """The global id and the row id of the first active technician of brillanti."""
    found = await staff_id(demo, "TECHNICIAN")
    row = ids.decode("StaffUser", found)
    assert row is not None
    return found, row
