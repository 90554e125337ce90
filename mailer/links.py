"""The emails that carry one-use links: an invitation to set a password, a password reset."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import models as m
from db.models.base import table_of
from db.queries.accounts import Account
from sportello.settings import Settings

OUTBOX = table_of(m.OutboxMessage)
ORGANIZATION = table_of(m.Organization)

_SUBJECTS = {
    ("it", m.TokenPurpose.INVITATION): "{org}: il tuo accesso al portale clienti",
    ("it", m.TokenPurpose.PASSWORD_RESET): "{org}: reimposta la password",
    ("es", m.TokenPurpose.INVITATION): "{org}: tu acceso al portal de clientes",
    ("es", m.TokenPurpose.PASSWORD_RESET): "{org}: restablece tu contraseña",
    ("en", m.TokenPurpose.INVITATION): "{org}: your access to the client portal",
    ("en", m.TokenPurpose.PASSWORD_RESET): "{org}: reset your password",
}
_BODIES = {
    "it": "Ciao {name},\n\nper impostare la password apri questo link:\n{link}\n",
    "es": "Hola {name},\n\npara establecer tu contraseña abre este enlace:\n{link}\n",
    "en": "Hello {name},\n\nto set your password open this link:\n{link}\n",
}


async def queue_link_mail(
    db: AsyncConnection,
    settings: Settings,
    account: Account,
    purpose: m.TokenPurpose,
    link: str,
) -> None:
    """Queue the message in the caller's transaction."""
    del settings
    org_name = await db.scalar(
        sa.select(ORGANIZATION.c.name).where(ORGANIZATION.c.id == account.organization_id)
    )
    locale = account.locale if account.locale in _BODIES else "en"
    now = dt.datetime.now(dt.UTC)
    await db.execute(
        OUTBOX.insert().values(
            id=uuid.uuid4(),
            created_at=now,
            organization_id=account.organization_id,
            kind=purpose.value.lower(),
            to_address=account.email,
            locale=locale,
            subject=_SUBJECTS[(locale, purpose)].format(org=org_name),
            body_text=_BODIES[locale].format(name=account.first_name, link=link),
            payload={},
            status=m.OutboxStatus.PENDING.value,
            attempts=0,
            next_attempt_at=now,
        )
    )
