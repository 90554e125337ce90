"""Activity types: the kinds of work the organization does, and how each shows on the portal."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import strawberry
from strawberry import Info

from authz.policy import OWN, SHARED
from authz.rules import STAFF_ONLY
from db import models as m
from db.queries import activity_types as queries
from db.queries import clients as client_queries
from mailer.substitution import SUBSTITUTION_CODES as SUBSTITUTION_CODES
from mailer.substitution import substitute
from mailer.substitution import unknown_codes as unknown_codes
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.permissions import permitted, readable
from schema.kit.relay import Node

ContextInfo = Info[Context, None]
# The substitution codes are defined and filled in mailer/substitution.py, one function for the
# portal and the mails; re-exported above for where staff save a template and for the README.


ActivityKind = m.ActivityKind
strawberry.enum(ActivityKind, description="What kind of work an activity type is.")
# Registered here because activity types name the statuses an appointment may be rescheduled in.
AppointmentStatus = m.InterventionStatus
strawberry.enum(
    AppointmentStatus, name="AppointmentStatus", description="Where an appointment stands."
)


@dataclasses.dataclass(frozen=True)
class Filling:
    """What one appointment puts in place of the portal texts' substitution codes."""

    site_id: uuid.UUID
    starts_on: dt.date
    technician_first_name: str | None


@strawberry.type(description="A kind of work (maintenance, cleaning, inspection, ...).")
class ActivityType(Node):
    by_id = queries.activity_types_by_id
    name: str = readable(SHARED)
    kind: ActivityKind = readable(SHARED)
    duration_minutes: int = readable(SHARED)
    portal_visible: bool = readable(STAFF_ONLY, description="Shown to client contacts.")
    portal_bookable: bool = readable(OWN, description="Contacts may book it on the portal.")
    reschedule_allowed_statuses: list[AppointmentStatus] = readable(
        OWN, description="Statuses in which contacts may reschedule an appointment of this type."
    )
    reschedule_min_lead_hours: int = readable(
        OWN, description="How many hours before its start an appointment may still be rescheduled."
    )
    title_template: strawberry.Private[str]
    description_template: strawberry.Private[str]
    long_description_template: strawberry.Private[str]
    filling: strawberry.Private[Filling | None]

    @classmethod
    def from_row(cls, row: Any, filling: Filling | None = None) -> ActivityType:
        return cls(
            id=ids.encode("ActivityType", row.id),
            name=row.name,
            kind=ActivityKind(row.kind),
            duration_minutes=row.duration_minutes,
            portal_visible=row.portal_visible,
            portal_bookable=row.portal_bookable,
            reschedule_allowed_statuses=[
                AppointmentStatus(status) for status in row.reschedule_allowed_statuses
            ],
            reschedule_min_lead_hours=row.reschedule_min_lead_hours,
            title_template=row.portal_title,
            description_template=row.portal_description,
            long_description_template=row.portal_long_description,
            filling=filling,
        )

    async def _render(self, info: ContextInfo, template: str) -> str:
        if self.filling is None or "{" not in template:
            return template
        loader = info.context.rows.by_id(client_queries.sites_by_id)
        site = await loader.load(self.filling.site_id)
        return substitute(
            template,
            site_name=site.name if site is not None else "",
            site_address=site.address if site is not None else "",
            day=self.filling.starts_on,
            technician_first_name=self.filling.technician_first_name,
        )

    @strawberry.field(
        description="Portal title. Reached through an appointment, the codes "
        + ", ".join("{" + code + "}" for code in SUBSTITUTION_CODES)
        + " are filled in; in the list of activity types they stay as written.",
        extensions=permitted(OWN),
    )
    async def portal_title(self, info: ContextInfo) -> str:
        return await self._render(info, self.title_template)

    @strawberry.field(
        description="Portal description, filled in like portalTitle.", extensions=permitted(OWN)
    )
    async def portal_description(self, info: ContextInfo) -> str:
        return await self._render(info, self.description_template)

    @strawberry.field(
        description="Portal long description, filled in like portalTitle.",
        extensions=permitted(OWN),
    )
    async def portal_long_description(self, info: ContextInfo) -> str:
        return await self._render(info, self.long_description_template)
