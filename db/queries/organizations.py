"""A new organization and its first administrator (``sportello create-organization``).

The organization row is written by the database owner (``organization`` is not a tenant
table: no role but the owner inserts into it); the transaction is then bound to the new
organization, so its first staff user is written under row-level security like any other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import models as m
from db import tenancy
from db.models.base import table_of

ORGANIZATION = table_of(m.Organization)
STAFF = table_of(m.StaffUser)


@dataclass(frozen=True, slots=True)
class NewOrganization:
    slug: str
    name: str
    notification_email: str
    locale: str
    timezone: str
    admin_first_name: str
    admin_last_name: str
    admin_email: str


async def slug_taken(db: AsyncConnection, slug: str) -> bool:
    found = await db.scalar(sa.select(ORGANIZATION.c.id).where(ORGANIZATION.c.slug == slug))
    return found is not None


async def create(db: AsyncConnection, new: NewOrganization) -> tuple[uuid.UUID, uuid.UUID]:
    """Insert the organization and its ADMIN (no password yet); the ids of both.

    Leaves the transaction bound to the new organization.
    """
    organization_id = uuid.uuid4()
    admin_id = uuid.uuid4()
    await db.execute(
        ORGANIZATION.insert().values(
            id=organization_id,
            slug=new.slug,
            name=new.name,
            notification_email=new.notification_email,
            locale=new.locale,
            timezone=new.timezone,
        )
    )
    await tenancy.bind(db, organization_id)
    await db.execute(
        STAFF.insert().values(
            id=admin_id,
            organization_id=organization_id,
            first_name=new.admin_first_name,
            last_name=new.admin_last_name,
            email=new.admin_email,
            role=m.StaffRole.ADMIN.value,
            locale=new.locale,
        )
    )
    return organization_id, admin_id
