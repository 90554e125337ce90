"""The notifications the mail worker computes: visit reminders, signed work sheet copies and
contract expiry alerts; and the mails that follow a change of an appointment (booked,
cancelled, moved), queued by its mutation. Each scheduled kind is one SELECT over every
organization (recipients already queued are left out by their dedupe key) and one multi-row
INSERT ... ON CONFLICT DO NOTHING, so running the scheduler twice, or in two workers at once,
queues each message once.

Who gets what:

- Visit reminders go to ACTIVE, not deleted contacts with ``receives_visit_reminders`` whose
  grants cover the site (a client grant covers every site of that client, a site grant only
  that site), for REQUESTED or PLANNED interventions of a ``portal_visible`` activity type, when
  both the organization's and the client's portal are on. The ``portal_access`` flag (may log
  in) does not matter: the reminder flag is its own choice.
- A reminder for offset N days is due once ``starts_at - N days`` has passed and the visit has
  not started; of several due offsets only the nearest is sent. A worker that was down catches
  up with one reminder, never with a stale "30 days before" for a visit next week, and never
  for a visit in the past. One message per (intervention, contact, offset).
- Signed work sheet copies go to contacts with ``receives_signed_worksheets`` covering the
  site, once per (work sheet, contact), with the sheet's portal-visible PDFs attached. The sign
  mutation queues them in its own transaction; the scheduler also picks up sheets signed in the
  last two days by any other path, and never older ones.
- A contract expiry alert goes to the organization's notification email once
  ``expires_on - contract_alert_days`` is reached in the organization's time zone, until the
  contract expires; once per contract and expiry date (a renewed contract gets a new alert).
- A cancelled appointment that had not started yet, and a moved one, are told to the
  contacts who get its reminders, in the transaction of the change. A move makes a new
  appointment (the old one is cancelled and linked from it), so the new time gets its own
  reminders as they fall due.
- Every mail about an appointment names its activity by the portal title (the name when there
  is none) with the substitution codes filled by mailer.substitution, as the portal does.

A queued message that is no longer wanted when the worker takes it is not sent
(mailer/stale_mail.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import models as m
from db.queries.outbox import work_sheet_pdfs
from mailer import compose
from mailer.outbox import QueuedMessage, enqueue_many
from mailer.recipients import (
    CLIENT,
    CONTACT,
    CONTACT_COLUMNS,
    CONTRACT,
    INTERVENTION,
    LINKED,
    OPEN,
    ORG_COLUMNS,
    ORGANIZATION,
    SITE,
    WORK_SHEET,
    hears_of_visits,
    not_queued,
    queued,
    reachable_contact,
    visit_row,
    visits,
)

SIGNED_COPY_CATCH_UP = dt.timedelta(days=2)


@dataclasses.dataclass(frozen=True)
class ScheduleReport:
    """How many messages of each kind one scheduler pass queued."""

    visit_reminders: int
    signed_worksheets: int
    contract_alerts: int

    @property
    def total(self) -> int:
        return self.visit_reminders + self.signed_worksheets + self.contract_alerts


async def _visit_reminders(db: AsyncConnection, now: dt.datetime) -> list[QueuedMessage]:
    offsets = (
        sa.func.unnest(ORGANIZATION.c.reminder_offsets_days)
        .table_valued("days")
        .render_derived(name="offsets")
    )
    due = (
        sa.select(sa.func.min(offsets.c.days).label("days"))
        .where(
            offsets.c.days > 0,
            INTERVENTION.c.starts_at - sa.func.make_interval(0, 0, 0, offsets.c.days) <= now,
        )
        .lateral("due")
    )
    furthest = sa.select(sa.func.max(offsets.c.days)).scalar_subquery()
    dedupe_key = sa.func.concat_ws(
        ":", "visit_reminder", INTERVENTION.c.id, CONTACT.c.id, due.c.days
    )
    query = (
        visits(due.c.days, *CONTACT_COLUMNS, dedupe_key.label("dedupe_key"))
        .join(due, sa.true())
        .join(CONTACT, hears_of_visits())
        .where(
            INTERVENTION.c.status.in_(OPEN),
            INTERVENTION.c.starts_at > now,
            INTERVENTION.c.starts_at <= now + sa.func.make_interval(0, 0, 0, furthest),
            due.c.days.is_not(None),
            not_queued(INTERVENTION.c.organization_id, dedupe_key),
        )
    )
    return [
        queued(
            visit_row(row),
            compose.VisitReminder,
            intervention_id=str(row["intervention_id"]),
            contact_id=str(row["contact_id"]),
            offset_days=row["days"],
            # The time it reminds of: a visit moved in place since is not reminded wrongly.
            starts_at=row["starts_at"].isoformat(),
        )
        for row in (await db.execute(query)).mappings()
    ]


async def _signed_worksheet_copies(
    db: AsyncConnection, scope: sa.ColumnElement[bool]
) -> list[QueuedMessage]:
    dedupe_key = sa.func.concat_ws(":", "signed_worksheet", WORK_SHEET.c.id, CONTACT.c.id)
    query = (
        sa.select(
            WORK_SHEET.c.id.label("work_sheet_id"),
            WORK_SHEET.c.organization_id,
            WORK_SHEET.c.number,
            WORK_SHEET.c.work_date,
            WORK_SHEET.c.description,
            WORK_SHEET.c.signed_by,
            *CONTACT_COLUMNS,
            *ORG_COLUMNS,
            SITE.c.name.label("site_name"),
            dedupe_key.label("dedupe_key"),
        )
        .select_from(
            WORK_SHEET.join(ORGANIZATION, ORGANIZATION.c.id == WORK_SHEET.c.organization_id)
            .join(CLIENT, CLIENT.c.id == WORK_SHEET.c.client_id)
            .join(SITE, SITE.c.id == WORK_SHEET.c.site_id)
            .join(CONTACT, reachable_contact(CONTACT.c.receives_signed_worksheets, WORK_SHEET))
        )
        .where(
            scope,
            WORK_SHEET.c.status == m.WorkSheetStatus.SIGNED.value,
            ORGANIZATION.c.portal_enabled.is_(True),
            CLIENT.c.portal_enabled.is_(True),
            not_queued(WORK_SHEET.c.organization_id, dedupe_key),
        )
    )
    rows = (await db.execute(query)).mappings().all()
    pdfs = await work_sheet_pdfs(db, {row["work_sheet_id"] for row in rows})
    return [
        queued(
            {**row, "has_attachment": bool(pdfs.get(row["work_sheet_id"]))},
            compose.SignedWorksheet,
            work_sheet_id=str(row["work_sheet_id"]),
            contact_id=str(row["contact_id"]),
            document_ids=[str(each) for each in pdfs.get(row["work_sheet_id"], [])],
        )
        for row in rows
    ]


async def _contract_alerts(db: AsyncConnection, now: dt.datetime) -> list[QueuedMessage]:
    today = sa.cast(sa.func.timezone(ORGANIZATION.c.timezone, now), sa.Date)
    dedupe_key = sa.func.concat_ws(":", "contract_expiry", CONTRACT.c.id, CONTRACT.c.expires_on)
    query = (
        sa.select(
            CONTRACT.c.organization_id,
            CONTRACT.c.id.label("contract_id"),
            CONTRACT.c.number,
            CONTRACT.c.kind.label("contract_kind"),
            CONTRACT.c.expires_on,
            CLIENT.c.name.label("client_name"),
            SITE.c.name.label("site_name"),
            ORGANIZATION.c.notification_email.label("to_address"),
            sa.null().label("recipient_locale"),
            today.label("today"),
            *ORG_COLUMNS,
            dedupe_key.label("dedupe_key"),
        )
        .select_from(
            CONTRACT.join(ORGANIZATION, ORGANIZATION.c.id == CONTRACT.c.organization_id)
            .join(CLIENT, CLIENT.c.id == CONTRACT.c.client_id)
            .outerjoin(SITE, SITE.c.id == CONTRACT.c.site_id)
        )
        .where(
            CONTRACT.c.expires_on >= today,
            CONTRACT.c.expires_on - ORGANIZATION.c.contract_alert_days <= today,
            not_queued(CONTRACT.c.organization_id, dedupe_key),
        )
    )
    return [
        queued(row, compose.ContractExpiry, contract_id=str(row["contract_id"]))
        for row in (await db.execute(query)).mappings()
    ]


async def queue_signed_worksheet_copies(
    db: AsyncConnection, organization_id: uuid.UUID, work_sheet_id: uuid.UUID
) -> int:
    """Queue the copies of a just-signed work sheet in the caller's transaction; return count.

    Call it after the sheet is SIGNED (and its PDF stored) in the same transaction; calling it
    again queues nothing new.
    """
    scope = sa.and_(
        WORK_SHEET.c.organization_id == organization_id, WORK_SHEET.c.id == work_sheet_id
    )
    return await enqueue_many(db, await _signed_worksheet_copies(db, scope))


async def queue_scheduled(db: AsyncConnection, *, now: dt.datetime) -> ScheduleReport:
    """Queue every reminder, signed work sheet copy and contract alert due at ``now``."""
    recent = sa.and_(
        WORK_SHEET.c.signed_at > now - SIGNED_COPY_CATCH_UP, WORK_SHEET.c.signed_at <= now
    )
    kinds: Sequence[list[QueuedMessage]] = (
        await _visit_reminders(db, now),
        await _signed_worksheet_copies(db, recent),
        await _contract_alerts(db, now),
    )
    reminders, copies, alerts = [await enqueue_many(db, each) for each in kinds]
    return ScheduleReport(
        visit_reminders=reminders, signed_worksheets=copies, contract_alerts=alerts
    )


async def _queue_visit_mails(
    db: AsyncConnection,
    query: sa.Select[Any],
    kind: type[compose.MessageData],
) -> int:
    """Queue a ``kind`` mail for each row of ``query`` (a ``visits`` select with contact and
    dedupe key columns) in the caller's transaction; return how many were new."""
    return await enqueue_many(
        db,
        [
            queued(
                visit_row(row),
                kind,
                intervention_id=str(row["intervention_id"]),
                contact_id=str(row["contact_id"]),
            )
            for row in (await db.execute(query)).mappings()
        ],
    )


async def queue_booking_confirmation(
    db: AsyncConnection, appointment_id: uuid.UUID, contact_id: uuid.UUID
) -> int:
    """Confirm a booking to the contact who made it, in the booking's transaction."""
    query = (
        visits(
            *CONTACT_COLUMNS,
            sa.literal(f"booking_confirmation:{appointment_id}").label("dedupe_key"),
        )
        .join(
            CONTACT,
            sa.and_(
                CONTACT.c.id == contact_id,
                CONTACT.c.organization_id == INTERVENTION.c.organization_id,
            ),
        )
        .where(INTERVENTION.c.id == appointment_id)
    )
    return await _queue_visit_mails(db, query, compose.BookingConfirmation)


async def queue_appointment_cancelled(
    db: AsyncConnection, appointment_id: uuid.UUID, now: dt.datetime
) -> int:
    """Tell the contacts who get its reminders that a visit still to come was cancelled; in
    the transaction that cancels it. A visit cancelled after its start is not told."""
    dedupe_key = sa.func.concat_ws(":", "appointment_cancelled", INTERVENTION.c.id, CONTACT.c.id)
    query = (
        visits(*CONTACT_COLUMNS, dedupe_key.label("dedupe_key"))
        .join(CONTACT, hears_of_visits())
        .where(INTERVENTION.c.id == appointment_id, INTERVENTION.c.starts_at > now)
    )
    return await _queue_visit_mails(db, query, compose.AppointmentCancelled)


async def queue_appointment_moved(db: AsyncConnection, appointment_id: uuid.UUID) -> int:
    """Tell the contacts who get its reminders that a visit was moved: ``appointment_id`` is
    the new appointment, which names the one it replaces. In the transaction of the move."""
    dedupe_key = sa.func.concat_ws(":", "appointment_moved", LINKED.c.id, CONTACT.c.id)
    query = (
        visits(
            LINKED.c.starts_at.label("previous_starts_at"),
            *CONTACT_COLUMNS,
            dedupe_key.label("dedupe_key"),
        )
        .join(LINKED, LINKED.c.id == INTERVENTION.c.reschedules_id)
        .join(CONTACT, hears_of_visits())
        .where(INTERVENTION.c.id == appointment_id)
    )
    return await _queue_visit_mails(db, query, compose.AppointmentMoved)
