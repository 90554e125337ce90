"""What the planning assistant needs: the site, the activity, the organization's travel
settings, and the technicians who can do the activity with their hours, absences and plans.

The site is read within the caller's scope (a contact plans only at its own sites). The
technicians' other appointments are read for the whole organization, because a slot must fit
around every appointment, whoever's client it serves; they never leave the assistant: callers
only see the slots.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.principals import Audience
from authz.scope import RowScope, restrict
from db import models as m
from db.models.base import table_of
from db.planner import Busy, Place, Technician, Travel, working_spans

SITE = table_of(m.Site)
ACTIVITY = table_of(m.ActivityType)
ORGANIZATION = table_of(m.Organization)
STAFF = table_of(m.StaffUser)
SKILL = table_of(m.TechnicianSkill)
HOURS = table_of(m.WorkingHours)
ABSENCE = table_of(m.Absence)
VISIT = table_of(m.Intervention)


@dataclasses.dataclass(frozen=True)
class PlanningInput:
    site_id: uuid.UUID
    client_id: uuid.UUID
    site: Place
    activity_type_id: uuid.UUID
    duration: dt.timedelta
    portal_bookable: bool
    travel: Travel
    zone: ZoneInfo
    min_lead: dt.timedelta
    horizon: dt.timedelta


async def planning_input(
    db: AsyncConnection, scope: RowScope, site_id: uuid.UUID, activity_type_id: uuid.UUID
) -> PlanningInput | None:
    """None when the site or the activity type does not exist for the caller, or the site is
    archived (no new appointments there)."""
    site = (
        await db.execute(
            restrict(sa.select(SITE), m.Site, scope).where(
                SITE.c.id == site_id, SITE.c.archived_at.is_(None)
            )
        )
    ).first()
    activity_rows = sa.select(ACTIVITY).where(
        ACTIVITY.c.id == activity_type_id, ACTIVITY.c.organization_id == scope.organization_id
    )
    if scope.audience is not Audience.STAFF:
        activity_rows = activity_rows.where(ACTIVITY.c.portal_visible.is_(True))
    activity = (await db.execute(activity_rows)).first()
    if site is None or activity is None:
        return None
    org = (
        await db.execute(sa.select(ORGANIZATION).where(ORGANIZATION.c.id == scope.organization_id))
    ).one()
    return PlanningInput(
        site_id=site.id,
        client_id=site.client_id,
        site=Place(float(site.lat), float(site.lng), site.name),
        activity_type_id=activity.id,
        duration=dt.timedelta(minutes=activity.duration_minutes),
        portal_bookable=activity.portal_bookable,
        travel=Travel(
            float(org.travel_average_speed_kmh),
            float(org.travel_road_factor),
            org.travel_buffer_minutes,
        ),
        zone=ZoneInfo(org.timezone),
        min_lead=dt.timedelta(hours=org.booking_min_lead_hours),
        horizon=dt.timedelta(days=org.booking_horizon_days),
    )


async def technicians(
    db: AsyncConnection,
    organization_id: uuid.UUID,
    activity_type_id: uuid.UUID,
    starts: dt.datetime,
    ends: dt.datetime,
    zone: ZoneInfo,
    only: uuid.UUID | None = None,
) -> list[Technician]:
    """Active technicians able to do the activity, with their spans and plans in the period.

    Three statements whatever the number of technicians: people with hours, absences, plans.
    """
    whole_org = RowScope(organization_id, Audience.STAFF)
    people = restrict(
        sa.select(
            STAFF.c.id,
            STAFF.c.first_name,
            STAFF.c.last_name,
            STAFF.c.home_lat,
            STAFF.c.home_lng,
            HOURS.c.weekday,
            HOURS.c.starts_at,
            HOURS.c.ends_at,
        )
        .join(SKILL, SKILL.c.technician_id == STAFF.c.id)
        .join(HOURS, HOURS.c.technician_id == STAFF.c.id)
        .where(
            SKILL.c.activity_type_id == activity_type_id,
            STAFF.c.active.is_(True),
            STAFF.c.role == m.StaffRole.TECHNICIAN.value,
            STAFF.c.home_lat.is_not(None),
        ),
        m.StaffUser,
        whole_org,
    )
    if only is not None:
        people = people.where(STAFF.c.id == only)
    rows = (await db.execute(people.order_by(STAFF.c.id))).all()
    if not rows:
        return []
    ids = sorted({row.id for row in rows})
    absences = (
        await db.execute(
            restrict(sa.select(ABSENCE), m.Absence, whole_org).where(
                ABSENCE.c.technician_id.in_(ids),
                ABSENCE.c.ends_at > starts,
                ABSENCE.c.starts_at < ends,
            )
        )
    ).all()
    plans = (
        await db.execute(
            restrict(
                sa.select(
                    VISIT.c.technician_id,
                    VISIT.c.starts_at,
                    VISIT.c.ends_at,
                    SITE.c.lat,
                    SITE.c.lng,
                    SITE.c.name,
                ).join(SITE, SITE.c.id == VISIT.c.site_id),
                m.Intervention,
                whole_org,
            ).where(
                VISIT.c.technician_id.in_(ids),
                VISIT.c.status != m.InterventionStatus.CANCELLED.value,
                VISIT.c.ends_at > starts - dt.timedelta(days=1),
                VISIT.c.starts_at < ends + dt.timedelta(days=1),
            )
        )
    ).all()
    first_day = starts.astimezone(zone).date()
    last_day = ends.astimezone(zone).date()
    # Rows grouped by technician once (not re-scanned per technician: bench/slots.py).
    hours: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for row in rows:
        hours[row.id].append(row)
    away: dict[uuid.UUID, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for absence in absences:
        away[absence.technician_id].append((absence.starts_at, absence.ends_at))
    planned: dict[uuid.UUID, list[Busy]] = defaultdict(list)
    places: dict[str, Place] = {}
    for plan in plans:
        place = places.setdefault(
            plan.name + str(plan.lat) + str(plan.lng),
            Place(float(plan.lat), float(plan.lng), plan.name),
        )
        planned[plan.technician_id].append(Busy(plan.starts_at, plan.ends_at, place))
    result = []
    for technician_id in ids:
        mine = hours[technician_id]
        person = mine[0]
        home = Place(float(person.home_lat), float(person.home_lng), "home")
        spans = working_spans(
            [(row.weekday, row.starts_at, row.ends_at) for row in mine],
            away[technician_id],
            first_day,
            last_day,
            zone,
        )
        busy = tuple(planned[technician_id])
        result.append(
            Technician(technician_id, person.first_name, person.last_name, home, spans, busy)
        )
    return result
