"""Mail follows the changes: a cancelled or moved visit is told to the contacts who get its
reminders and no stale reminder goes out; a link of an access deleted or disabled meanwhile is
not sent; mails name the activity with its codes filled in; dates read right in Italian.

Through the API as staff and contacts use it, with the real worker and a real SMTP server.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db import models as m
from mailer import render
from mailer.notifications import queue_scheduled
from mailer.substitution import SUBSTITUTION_CODES, substitute
from mailer.templates import wording
from mailer.worker import answer_reset_requests, deliver_due, run_worker
from schema.kit import ids
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


@pytest.fixture
async def world(
    db: AsyncEngine, database_url: str, make_client: MakeClient, smtp: SmtpServer, tmp_path: Path
) -> World:
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


async def schedule(w: World, now: dt.datetime) -> int:
    async with w.api.engine.begin() as connection:
        return (await queue_scheduled(connection, now=now)).total


async def outbox(w: World, kind: str) -> list[sa.Row[tuple[object, ...]]]:
    async with w.api.engine.connect() as connection:
        result = await connection.execute(
            sa.text(
                "SELECT to_address, status, last_error, dedupe_key FROM outbox_message "
                "WHERE kind = :kind ORDER BY to_address, created_at"
            ),
            {"kind": kind},
        )
        return list(result)


def received(smtp: SmtpServer) -> dict[str, EmailMessage]:
    """The accepted messages by recipient (one each in these tests)."""
    found = {str(message["To"]): message for message in smtp.recorder.messages}
    assert len(found) == len(smtp.recorder.messages)
    return found


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


async def test_a_cancelled_visit_is_told_to_its_reminder_contacts_and_its_reminders_stop(
    world: World, smtp: SmtpServer
) -> None:
    starts_at = at(5)
    planned = await visit(world, starts_at)
    # The reminders fall due (7 days before) and wait in the outbox: the worker is away.
    assert await schedule(world, NOW) == 2
    await ok(world, CANCEL, world.staff, id=ids.encode("Appointment", planned))

    await run_worker(world.settings, once=True)
    mails = received(smtp)
    # Anna covers the client, Bruno the site; Carla (other site), Dario (no reminders), Elena
    # (disabled) and Fabio (deleted) hear nothing.
    assert sorted(mails) == ["anna@rossi.example", "bruno@rossi.example"]
    local = starts_at.astimezone(ROME)
    words = wording("it")
    date = render.format_date(local.date(), words, "del")
    assert str(mails["bruno@rossi.example"]["Subject"]) == f"Acme: intervento {date} annullato"
    text = text_of(mails["bruno@rossi.example"])
    assert "è stato annullato" in text
    assert f"ore {local:%H:%M}" in text
    assert "visita del" in str(mails["anna@rossi.example"]["Subject"])  # Spanish, hers
    assert "cancelada" in text_of(mails["anna@rossi.example"])

    reminders = await outbox(world, "visit_reminder")
    assert [(r.to_address, r.status, r.last_error) for r in reminders] == [
        ("anna@rossi.example", "CANCELLED", "not sent: the appointment was cancelled"),
        ("bruno@rossi.example", "CANCELLED", "not sent: the appointment was cancelled"),
    ]
    # Another pass sends nothing more.
    assert await run_worker(world.settings, once=True) == 0


async def test_a_visit_cancelled_after_it_began_is_not_told(world: World, smtp: SmtpServer) -> None:
    begun = await visit(world, NOW - dt.timedelta(minutes=30))
    await ok(world, CANCEL, world.staff, id=ids.encode("Appointment", begun))
    assert await outbox(world, "appointment_cancelled") == []


async def test_a_moved_visit_is_told_and_reminded_again_at_its_new_time(
    world: World, smtp: SmtpServer
) -> None:
    before, after = at(5), at(20, 11)
    planned = await visit(world, before)
    assert await schedule(world, NOW) == 2
    moved = await ok(
        world, MOVE, world.staff, id=ids.encode("Appointment", planned), at=after.isoformat()
    )
    new_id = ids.decode("Appointment", moved["rescheduleAppointment"]["id"])

    await run_worker(world.settings, once=True)
    mails = received(smtp)
    assert sorted(mails) == ["anna@rossi.example", "bruno@rossi.example"]
    words = wording("it")
    new_day = render.format_date(after.astimezone(ROME).date(), words, "al")
    assert str(mails["bruno@rossi.example"]["Subject"]) == f"Acme: intervento spostato {new_day}"
    text = text_of(mails["bruno@rossi.example"])
    old_when = render.format_datetime(before, ROME, words)
    new_when = render.format_datetime(after, ROME, words)
    assert f"previsto per {old_when}, è stato spostato a {new_when}." in text
    assert f"Data precedente: {old_when}" in text
    assert "Tecnico: Luca B." in text
    reminders = await outbox(world, "visit_reminder")
    assert {(r.status, r.last_error) for r in reminders} == {
        ("CANCELLED", "not sent: the appointment was moved")
    }

    # Six days before the new time its own reminders fall due, and go out.
    smtp.recorder.messages.clear()
    assert await schedule(world, after - dt.timedelta(days=6)) == 2
    assert await run_worker(world.settings, once=True) == 2
    again = received(smtp)
    assert sorted(again) == ["anna@rossi.example", "bruno@rossi.example"]
    assert new_when in text_of(again["bruno@rossi.example"])
    sent = [r.dedupe_key for r in await outbox(world, "visit_reminder") if r.status == "SENT"]
    assert len(sent) == 2
    assert all(key.startswith(f"visit_reminder:{new_id}:") for key in sent)


async def test_a_reminder_of_a_visit_moved_in_place_is_not_sent(
    world: World, smtp: SmtpServer
) -> None:
    """Whatever moves a visit (here a direct change of its time), a reminder of the old
    time does not go out."""
    planned = await visit(world, at(5))
    assert await schedule(world, NOW) == 2
    await world.api.execute(
        "UPDATE intervention SET starts_at = starts_at + interval '1 hour', "
        "ends_at = ends_at + interval '1 hour' WHERE id = :i",
        i=planned,
    )
    await run_worker(world.settings, once=True)
    assert smtp.recorder.messages == []
    assert {r.last_error for r in await outbox(world, "visit_reminder")} == {
        "not sent: the appointment was moved"
    }


async def test_a_reminder_for_a_contact_who_stopped_reminders_is_not_sent(
    world: World, smtp: SmtpServer
) -> None:
    await visit(world, at(5))
    assert await schedule(world, NOW) == 2
    await world.api.execute(
        "UPDATE contact SET receives_visit_reminders = false WHERE email = 'anna@rossi.example'"
    )
    await run_worker(world.settings, once=True)
    assert sorted(received(smtp)) == ["bruno@rossi.example"]
    [anna] = [r for r in await outbox(world, "visit_reminder") if r.status == "CANCELLED"]
    assert anna.to_address == "anna@rossi.example"
    assert anna.last_error == "not sent: the contact no longer gets reminders of this visit"


async def test_the_booking_confirmation_fills_the_activitys_codes(
    world: World, smtp: SmtpServer
) -> None:
    bruno = await world.api.token("bruno@rossi.example")
    starts_at = at(10)
    booking = {
        "siteId": ids.encode("Site", world.north),
        "activityTypeId": ids.encode("ActivityType", world.activity),
        "startsAt": starts_at.isoformat(),
    }
    await ok(world, BOOK, bruno, input=booking)
    assert await run_worker(world.settings, once=True) == 1
    mail = received(smtp)["bruno@rossi.example"]
    local = starts_at.astimezone(ROME)
    title = f"Pulizia di Nord (Via Roma 1) il {local:%d/%m/%Y}, con Luca"
    text = text_of(mail)
    assert f"«{title}»" in text
    assert f"Attività: {title}" in text
    assert "{" not in text
    html = mail.get_body(("html",))
    assert html is not None
    assert "{" not in str(html.get_content())
    words = wording("it")
    expected = f"Acme: prenotazione registrata per {render.format_date(local.date(), words, 'il')}"
    assert str(mail["Subject"]) == expected


def test_every_substitution_code_is_filled() -> None:
    every = " ".join("{" + code + "}" for code in SUBSTITUTION_CODES)
    filled = substitute(
        every,
        site_name="Nord",
        site_address="Via Roma 1",
        day=dt.date(2026, 12, 8),
        technician_first_name="Luca",
    )
    assert filled == "Nord Via Roma 1 08/12/2026 Luca"


async def test_an_invitation_of_an_access_deleted_before_the_worker_took_it_is_not_sent(
    world: World, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    access = {
        "firstName": "Gina",
        "lastName": "Verdi",
        "email": "gina@rossi.example",
        "clientIds": [ids.encode("Client", world.client)],
    }
    created = await ok(world, INVITE, world.staff, input=access)
    gina = created["createPortalAccess"]["id"]
    await ok(world, DELETE_ACCESS, world.staff, id=gina)
    access |= {"email": "ugo@rossi.example", "firstName": "Ugo"}
    created = await ok(world, INVITE, world.staff, input=access)
    ugo = created["createPortalAccess"]["id"]
    await ok(world, UPDATE_ACCESS, world.staff, id=ugo, input={"flags": {"portalAccess": False}})
    access |= {"email": "vera@rossi.example", "firstName": "Vera"}
    await ok(world, INVITE, world.staff, input=access)

    with caplog.at_level(logging.INFO, logger="sportello.mailer"):
        assert await run_worker(world.settings, once=True) == 1
    assert sorted(received(smtp)) == ["vera@rossi.example"]
    invitations = await outbox(world, "invitation")
    assert [(r.to_address, r.status, r.last_error) for r in invitations] == [
        ("gina@rossi.example", "CANCELLED", "not sent: the access was deleted"),
        ("ugo@rossi.example", "CANCELLED", "not sent: the access is disabled"),
        ("vera@rossi.example", "SENT", None),
    ]
    assert "not sent: the access was deleted" in caplog.text
    assert "#token=" not in caplog.text


async def test_a_reset_link_of_a_staff_user_deactivated_meanwhile_is_not_sent(
    world: World, smtp: SmtpServer
) -> None:
    await world.api.gql(RESET, org="acme", id="admin@acme.example")
    assert await answer_reset_requests(world.api.engine, world.settings, batch_size=5) == 1
    assert [r.status for r in await outbox(world, "password_reset")] == ["PENDING"]
    await world.api.execute("UPDATE staff_user SET active = false WHERE email LIKE 'admin@%'")
    assert await deliver_due(world.api.engine, world.settings, batch_size=5) == (0, True)
    assert smtp.recorder.messages == []
    [reset] = await outbox(world, "password_reset")
    assert (reset.status, reset.last_error) == ("CANCELLED", "not sent: the access is disabled")


@pytest.mark.parametrize(
    ("day", "form", "expected"),
    [
        (1, "", "1° dicembre 2026"),
        (1, "il", "il 1° dicembre 2026"),
        (6, "il", "il 6 dicembre 2026"),
        (8, "il", "l'8 dicembre 2026"),
        (11, "il", "l'11 dicembre 2026"),
        (8, "del", "dell'8 dicembre 2026"),
        (11, "del", "dell'11 dicembre 2026"),
        (18, "del", "del 18 dicembre 2026"),
        (8, "dal", "dall'8 dicembre 2026"),
        (12, "al", "al 12 dicembre 2026"),
        (11, "al", "all'11 dicembre 2026"),
    ],
)
def test_italian_dates_take_the_right_article(day: int, form: str, expected: str) -> None:
    assert render.format_date(dt.date(2026, 12, day), wording("it"), form) == expected


def test_a_date_with_its_weekday_takes_no_article_in_italian() -> None:
    sunday = dt.datetime(2026, 12, 6, 9, 30, tzinfo=ROME)
    assert (
        render.format_datetime(sunday, ROME, wording("it")) == "domenica 6 dicembre 2026, ore 09:30"
    )
    first = dt.datetime(2026, 12, 1, 9, 30, tzinfo=ROME)
    assert render.format_datetime(first, ROME, wording("it")).startswith("martedì 1° dicembre")


def test_spanish_and_english_dates_need_no_article_forms() -> None:
    eighth = dt.date(2026, 12, 8)
    assert render.format_date(eighth, wording("es")) == "8 de diciembre de 2026"
    assert render.format_date(dt.date(2026, 12, 1), wording("es")) == "1 de diciembre de 2026"
    assert render.format_date(eighth, wording("en")) == "8 December 2026"
    assert render.format_date(dt.date(2026, 12, 1), wording("en")) == "1 December 2026"
