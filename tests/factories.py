"""Small, explicit rows for tests that need a few records rather than the demo data."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from authz.passwords import hash_password
from authz.principals import FEATURE_FLAGS
from db import models as m
from db.models.base import table_of

PASSWORD = "correct horse battery staple"

# Where a row goes: an engine (the row is committed at once) or a connection (the row joins
# the caller's transaction).
Db = AsyncEngine | AsyncConnection


async def insert(db: Db, model: type[Any], **values: Any) -> uuid.UUID:
    row_id = values.setdefault("id", uuid.uuid4())
    values.setdefault("created_at", dt.datetime.now(dt.UTC))
    statement = table_of(model).insert().values(**values)
    if isinstance(db, AsyncConnection):
        await db.execute(statement)
    else:
        async with db.begin() as connection:
            await connection.execute(statement)
    assert isinstance(row_id, uuid.UUID)
    return row_id


async def organization(db: Db, slug: str = "acme", **values: Any) -> uuid.UUID:
    values.setdefault("name", slug.title())
    values.setdefault("notification_email", f"office@{slug}.example")
    values.setdefault("reminder_offsets_days", [30, 7])
    for name in ("portal_enabled",):
        values.setdefault(name, True)
    defaults = {
        "locale": "it",
        "timezone": "Europe/Rome",
        "portal_info_text": "",
        "portal_fee_cents": 200,
        "currency": "EUR",
        "vat_rate_percent": Decimal("22.00"),
        "contract_alert_days": 30,
        "travel_average_speed_kmh": Decimal("40"),
        "travel_road_factor": Decimal("1.30"),
        "travel_buffer_minutes": 10,
        "booking_min_lead_hours": 24,
        "booking_horizon_days": 60,
        "ticket_counter": 0,
    }
    return await insert(db, m.Organization, slug=slug, **(defaults | values))


async def staff(
    db: Db,
    organization_id: uuid.UUID,
    email: str,
    role: m.StaffRole = m.StaffRole.ADMIN,
    password: str | None = PASSWORD,
    **values: Any,
) -> uuid.UUID:
    return await insert(
        db,
        m.StaffUser,
        organization_id=organization_id,
        first_name=values.pop("first_name", "Sara"),
        last_name=values.pop("last_name", "Staff"),
        email=email,
        role=role.value,
        active=values.pop("active", True),
        password_hash=hash_password(password) if password else None,
        **values,
    )


async def client(db: Db, organization_id: uuid.UUID, code: str, **values: Any) -> uuid.UUID:
    return await insert(
        db,
        m.Client,
        organization_id=organization_id,
        code=code,
        name=values.pop("name", f"Client {code}"),
        portal_enabled=values.pop("portal_enabled", True),
        **values,
    )


async def site(db: Db, organization_id: uuid.UUID, client_id: uuid.UUID, name: str) -> uuid.UUID:
    return await insert(
        db,
        m.Site,
        organization_id=organization_id,
        client_id=client_id,
        name=name,
        address="Via Roma 1",
        city="Milano",
        postal_code="20121",
        country="IT",
        lat=Decimal("45.464200"),
        lng=Decimal("9.190000"),
    )


async def contact(
    db: Db,
    organization_id: uuid.UUID,
    email: str,
    *,
    password: str | None = PASSWORD,
    state: m.ContactState = m.ContactState.ACTIVE,
    clients: tuple[uuid.UUID, ...] = (),
    sites: tuple[uuid.UUID, ...] = (),
    **values: Any,
) -> uuid.UUID:
    flags = {name: values.pop(name, False) for name in FEATURE_FLAGS}
    contact_id = await insert(
        db,
        m.Contact,
        organization_id=organization_id,
        first_name=values.pop("first_name", "Carla"),
        last_name=values.pop("last_name", "Contatto"),
        email=email,
        username=values.pop("username", email.split("@")[0]),
        notes="",
        password_hash=hash_password(password) if password else None,
        state=state.value,
        portal_access=values.pop("portal_access", True),
        **flags,
        **values,
    )
    for client_id in clients:
        await insert(
            db,
            m.PortalGrant,
            organization_id=organization_id,
            contact_id=contact_id,
            client_id=client_id,
        )
    for site_id in sites:
        await insert(
            db,
            m.PortalGrant,
            organization_id=organization_id,
            contact_id=contact_id,
            site_id=site_id,
        )
    return contact_id
