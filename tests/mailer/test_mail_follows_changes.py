"""Mail follows the changes: a cancelled or moved visit is told to the contacts who get its
reminders and no stale reminder goes out; a link of an access deleted or disabled meanwhile is
not sent; mails name the activity with its codes filled in; dates read right in Italian.

Through the API as staff and contacts use it, with the real worker and a real SMTP server.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from mailer import render
from mailer.templates import wording
from mailer.worker import answer_reset_requests, deliver_due, run_worker
from schema.kit import ids
from tests.mailer import rows
from tests.mailer.follows import (
    BOOK,
    CANCEL,
    DELETE_ACCESS,
    INVITE,
    MOVE,
    NOW,
    RESET,
    ROME,
    UPDATE_ACCESS,
    World,
    at,
    ok,
    received,
    text_of,
    visit,
)
from tests.mailer.smtp import SmtpServer


async def test_a_cancelled_visit_is_told_to_its_reminder_contacts_and_its_reminders_stop(
    world: World, smtp: SmtpServer
) -> None:
    starts_at = at(5)
    planned = await visit(world, starts_at)
    # The reminders fall due (7 days before) and wait in the outbox: the worker is away.
    assert await rows.schedule(world.api.engine, NOW) == 2
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

    reminders = await rows.queued(world.api.engine, "visit_reminder")
    assert [(r.to_address, r.status, r.last_error) for r in reminders] == [
        ("anna@rossi.example", "CANCELLED", "not sent: the appointment was cancelled"),
        ("bruno@rossi.example", "CANCELLED", "not sent: the appointment was cancelled"),
    ]
    # Another pass sends nothing more.
    assert await run_worker(world.settings, once=True) == 0


async def test_a_visit_cancelled_after_it_began_is_not_told(world: World, smtp: SmtpServer) -> None:
    begun = await visit(world, NOW - dt.timedelta(minutes=30))
    await ok(world, CANCEL, world.staff, id=ids.encode("Appointment", begun))
    assert await rows.queued(world.api.engine, "appointment_cancelled") == []


async def test_a_moved_visit_is_told_and_reminded_again_at_its_new_time(
    world: World, smtp: SmtpServer
) -> None:
    before, after = at(5), at(20, 11)
    planned = await visit(world, before)
    assert await rows.schedule(world.api.engine, NOW) == 2
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
    reminders = await rows.queued(world.api.engine, "visit_reminder")
    assert {(r.status, r.last_error) for r in reminders} == {
        ("CANCELLED", "not sent: the appointment was moved")
    }

    # Six days before the new time its own reminders fall due, and go out.
    smtp.recorder.messages.clear()
    assert await rows.schedule(world.api.engine, after - dt.timedelta(days=6)) == 2
    assert await run_worker(world.settings, once=True) == 2
    again = received(smtp)
    assert sorted(again) == ["anna@rossi.example", "bruno@rossi.example"]
    assert new_when in text_of(again["bruno@rossi.example"])
    sent = [
        r.dedupe_key
        for r in await rows.queued(world.api.engine, "visit_reminder")
        if r.status == "SENT"
    ]
    assert len(sent) == 2
    assert all(key.startswith(f"visit_reminder:{new_id}:") for key in sent)


async def test_a_reminder_of_a_visit_moved_in_place_is_not_sent(
    world: World, smtp: SmtpServer
) -> None:
    """Whatever moves a visit (here a direct change of its time), a reminder of the old
    time does not go out."""
    planned = await visit(world, at(5))
    assert await rows.schedule(world.api.engine, NOW) == 2
    await world.api.execute(
        "UPDATE intervention SET starts_at = starts_at + interval '1 hour', "
        "ends_at = ends_at + interval '1 hour' WHERE id = :i",
        i=planned,
    )
    await run_worker(world.settings, once=True)
    assert smtp.recorder.messages == []
    assert {r.last_error for r in await rows.queued(world.api.engine, "visit_reminder")} == {
        "not sent: the appointment was moved"
    }


async def test_a_reminder_for_a_contact_who_stopped_reminders_is_not_sent(
    world: World, smtp: SmtpServer
) -> None:
    await visit(world, at(5))
    assert await rows.schedule(world.api.engine, NOW) == 2
    await world.api.execute(
        "UPDATE contact SET receives_visit_reminders = false WHERE email = 'anna@rossi.example'"
    )
    await run_worker(world.settings, once=True)
    assert sorted(received(smtp)) == ["bruno@rossi.example"]
    [anna] = [
        r for r in await rows.queued(world.api.engine, "visit_reminder") if r.status == "CANCELLED"
    ]
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
    invitations = await rows.queued(world.api.engine, "invitation")
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
    assert [r.status for r in await rows.queued(world.api.engine, "password_reset")] == ["PENDING"]
    await world.api.execute("UPDATE staff_user SET active = false WHERE email LIKE 'admin@%'")
    assert await deliver_due(world.api.engine, world.settings, batch_size=5) == (0, True)
    assert smtp.recorder.messages == []
    [reset] = await rows.queued(world.api.engine, "password_reset")
    assert (reset.status, reset.last_error) == ("CANCELLED", "not sent: the access is disabled")
