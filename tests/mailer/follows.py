"""The kit of test_mail_follows_changes.py: an organization with contacts in every state,
the mutations staff and contacts send, and what the outbox and the SMTP server hold."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from db import models as m
from sportello.base.settings import Settings
from tests import factories
from tests.api import Api
from tests.conftest import MakeClient
from tests.mailer.conftest import mail_settings
from tests.mailer.smtp import SmtpServer

ROME = ZoneInfo("Europe/Rome")
NOW = dt.datetime.now(dt.UTC)
TITLE = "Pulizia di {site.name} ({site.address}) il {date}, con {technician.first_name}"

CANCEL = "mutation($id: ID!) { cancelAppointment(id: $id) { status } }"
MOVE = """mutation($id: ID!, $at: DateTime!) {
  rescheduleAppointment(id: $id, startsAt: $at) { id startsAt } }"""
BOOK = """mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { id } }"""
INVITE = (
    """mutation($input: CreatePortalAccessInput!) { createPortalAccess(input: $input) { id } }"""
)
DELETE_ACCESS = "mutation($id: ID!) { deletePortalAccess(id: $id) }"
UPDATE_ACCESS = """mutation($id: ID!, $input: UpdatePortalAccessInput!) {
  updatePortalAccess(id: $id, input: $input) { id } }"""
RESET = """mutation($org: String!, $id: String!) {
  requestPasswordReset(organization: $org, identifier: $id) }"""


def at(days: int, hour: int = 9) -> dt.datetime:
    """``hour`` o'clock in Rome, ``days`` from today: on the quarter-hour grid of bookings."""
    day = (NOW + dt.timedelta(days=days)).astimezone(ROME).date()
    return dt.datetime.combine(day, dt.time(hour), ROME).astimezone(dt.UTC)


@dataclasses.dataclass
class World:
    """Organization acme (Italian, reminders 7 days before) with client Rossi, sites Nord and
    Sud, technician Luca, an activity whose portal title holds every substitution code, and:

    - anna: grant on the whole client, Spanish; bruno: grant on Nord, may book
    - carla: grant on Sud; dario: whole client, no reminders
    - elena: whole client, disabled; fabio: whole client, deleted
    """

    org: uuid.UUID
    client: uuid.UUID
    north: uuid.UUID
    activity: uuid.UUID
    technician: uuid.UUID
    api: Api
    staff: str
    settings: Settings


async def make_world(
    db: AsyncEngine, database_url: str, make_client: MakeClient, smtp: SmtpServer, tmp_path: Path
) -> World:
    """A :class:`World` on the test's database, with its app and its SMTP server."""
    org = await factories.organization(db, reminder_offsets_days=[7])
    await factories.staff(db, org, "admin@acme.example")
    rossi = await factories.client(db, org, "ROSSI")
    north = await factories.site(db, org, rossi, "Nord")
    south = await factories.site(db, org, rossi, "Sud")
    technician = await factories.staff(
        db,
        org,
        "luca@acme.example",
        m.StaffRole.TECHNICIAN,
        first_name="Luca",
        last_name="Bianchi",
        home_lat=Decimal("45.464200"),
        home_lng=Decimal("9.190000"),
    )
    activity = await factories.insert(
        db,
        m.ActivityType,
        organization_id=org,
        name="Pulizia",
        kind=m.ActivityKind.CLEANING.value,
        duration_minutes=60,
        portal_visible=True,
        portal_bookable=True,
        portal_title=TITLE,
        reschedule_allowed_statuses=["PLANNED"],
        reschedule_min_lead_hours=0,
    )
    await factories.insert(
        db,
        m.TechnicianSkill,
        organization_id=org,
        technician_id=technician,
        activity_type_id=activity,
    )
    for weekday in range(7):
        await factories.insert(
            db,
            m.WorkingHours,
            organization_id=org,
            technician_id=technician,
            weekday=weekday,
            starts_at=dt.time(7),
            ends_at=dt.time(19),
        )
    await factories.contact(
        db, org, "anna@rossi.example", clients=(rossi,), locale="es", receives_visit_reminders=True
    )
    await factories.contact(
        db,
        org,
        "bruno@rossi.example",
        sites=(north,),
        can_book_appointments=True,
        receives_visit_reminders=True,
    )
    await factories.contact(
        db, org, "carla@rossi.example", sites=(south,), receives_visit_reminders=True
    )
    await factories.contact(db, org, "dario@rossi.example", clients=(rossi,))
    await factories.contact(
        db,
        org,
        "elena@rossi.example",
        clients=(rossi,),
        state=m.ContactState.DISABLED,
        receives_visit_reminders=True,
    )
    await factories.contact(
        db,
        org,
        "fabio@rossi.example",
        clients=(rossi,),
        deleted_at=NOW,
        receives_visit_reminders=True,
    )
    api = Api(db, await make_client(database_url, data_dir=tmp_path))
    return World(
        org=org,
        client=rossi,
        north=north,
        activity=activity,
        technician=technician,
        api=api,
        staff=await api.token("admin@acme.example"),
        settings=mail_settings(database_url, tmp_path, smtp.port),
    )


async def visit(w: World, starts_at: dt.datetime) -> uuid.UUID:
    """A PLANNED visit at Nord with Luca."""
    return await factories.insert(
        w.api.engine,
        m.Intervention,
        organization_id=w.org,
        client_id=w.client,
        site_id=w.north,
        activity_type_id=w.activity,
        technician_id=w.technician,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        status=m.InterventionStatus.PLANNED.value,
        origin=m.InterventionOrigin.STAFF.value,
    )


async def ok(w: World, query: str, token: str, **variables: object) -> Any:
    """The data of a request that must succeed."""
    body = (await w.api.gql(query, token=token, variables=variables)).json()
    assert "errors" not in body, body
    return body["data"]


def received(smtp: SmtpServer) -> dict[str, EmailMessage]:
    """The accepted messages by recipient (one each in these tests)."""
    found = {str(message["To"]): message for message in smtp.recorder.messages}
    assert len(found) == len(smtp.recorder.messages)
    return found


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())
