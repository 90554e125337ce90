"""The selects behind the notifications: who hears of what, what each mail shows, and the step
from a row to a queued message. Shared by the scheduler and the mails that follow a change
(mailer/notifications.py) and by the worker's last look before sending (mailer/stale_mail.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from db import models as m
from db.models.base import table_of
from db.queries.staff import with_technician_name
from mailer import compose, render
from mailer.outbox import QueuedMessage
from mailer.substitution import substitute

ORGANIZATION = table_of(m.Organization)
CLIENT = table_of(m.Client)
SITE = table_of(m.Site)
CONTACT = table_of(m.Contact)
GRANT = table_of(m.PortalGrant)
ACTIVITY = table_of(m.ActivityType)
INTERVENTION = table_of(m.Intervention)
# The other end of a move: the appointment that replaces, or is replaced by, another.
LINKED = INTERVENTION.alias("linked")
WORK_SHEET = table_of(m.WorkSheet)
CONTRACT = table_of(m.Contract)
OUTBOX = table_of(m.OutboxMessage)

# The statuses of an appointment still to come: reminded, and told when cancelled or moved.
OPEN = (m.InterventionStatus.REQUESTED.value, m.InterventionStatus.PLANNED.value)

ORG_COLUMNS = (
    ORGANIZATION.c.name.label("org_name"),
    ORGANIZATION.c.logo_url,
    ORGANIZATION.c.locale.label("org_locale"),
    ORGANIZATION.c.timezone,
)
CONTACT_COLUMNS = (
    CONTACT.c.id.label("contact_id"),
    CONTACT.c.email.label("to_address"),
    CONTACT.c.first_name,
    CONTACT.c.locale.label("recipient_locale"),
)


def not_queued(organization_id: Any, dedupe_key: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
    """No message with ``dedupe_key`` is in the organization's outbox yet."""
    return ~sa.exists().where(
        OUTBOX.c.organization_id == organization_id, OUTBOX.c.dedupe_key == dedupe_key
    )


def reachable_contact(flag: sa.ColumnElement[bool], table: sa.Table) -> sa.ColumnElement[bool]:
    """An active contact with ``flag`` whose grants cover ``table``'s client or site."""
    return sa.and_(
        CONTACT.c.organization_id == table.c.organization_id,
        CONTACT.c.state == m.ContactState.ACTIVE.value,
        CONTACT.c.deleted_at.is_(None),
        flag.is_(True),
        sa.exists().where(
            GRANT.c.contact_id == CONTACT.c.id,
            sa.or_(GRANT.c.client_id == table.c.client_id, GRANT.c.site_id == table.c.site_id),
        ),
    )


def _site_address() -> sa.ColumnElement[str]:
    return sa.func.concat_ws(
        ", ", SITE.c.address, sa.func.concat_ws(" ", SITE.c.postal_code, SITE.c.city)
    )


def hears_of_visits() -> sa.ColumnElement[bool]:
    """The contact gets the visit's reminders: flagged, covering its site, on the portal."""
    return sa.and_(
        reachable_contact(CONTACT.c.receives_visit_reminders, INTERVENTION),
        ORGANIZATION.c.portal_enabled.is_(True),
        CLIENT.c.portal_enabled.is_(True),
        ACTIVITY.c.portal_visible.is_(True),
    )


def visits(*columns: sa.ColumnElement[Any]) -> sa.Select[Any]:
    """Appointments with what their mails show (site, activity text, technician, brand)."""
    statement = sa.select(
        INTERVENTION.c.id.label("intervention_id"),
        INTERVENTION.c.organization_id,
        INTERVENTION.c.starts_at,
        *ORG_COLUMNS,
        SITE.c.name.label("site_name"),
        SITE.c.address.label("site_street"),
        _site_address().label("site_address"),
        sa.func.coalesce(sa.func.nullif(ACTIVITY.c.portal_title, ""), ACTIVITY.c.name).label(
            "activity_text"
        ),
        *columns,
    ).select_from(
        INTERVENTION.join(ORGANIZATION, ORGANIZATION.c.id == INTERVENTION.c.organization_id)
        .join(CLIENT, CLIENT.c.id == INTERVENTION.c.client_id)
        .join(SITE, SITE.c.id == INTERVENTION.c.site_id)
        .join(ACTIVITY, ACTIVITY.c.id == INTERVENTION.c.activity_type_id)
    )
    return with_technician_name(statement, INTERVENTION)


def visit_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """The row with the fields every visit mail takes: ``activity``, the portal text with its
    codes filled for this appointment, and ``technician`` as contacts see them (Luca R.)."""
    first_name, initial = row["technician_first_name"], row["technician_initial"]
    return {
        **row,
        "activity": substitute(
            row["activity_text"],
            site_name=row["site_name"],
            site_address=row["site_street"],
            day=row["starts_at"].astimezone(render.zone(row["timezone"])).date(),
            technician_first_name=first_name,
        ),
        "technician": f"{first_name} {initial.upper()}." if initial else first_name,
    }


def _brand(row: Mapping[Any, Any]) -> compose.Brand:
    return compose.Brand(row["org_name"], row["logo_url"], row["org_locale"], row["timezone"])


def queued(
    row: Mapping[Any, Any], kind: type[compose.MessageData], **payload: Any
) -> QueuedMessage:
    """The message of ``kind`` built from the row's columns named like its fields."""
    data = kind(**{field.name: row[field.name] for field in dataclasses.fields(kind)})
    return QueuedMessage(
        organization_id=row["organization_id"],
        to_address=row["to_address"],
        message=compose.compose(data, _brand(row), row["recipient_locale"]),
        payload=payload,
        dedupe_key=row["dedupe_key"],
    )
