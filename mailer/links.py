"""The emails that carry one-use links: an invitation to set a password, a password reset.

Links are built from the configured public URL (never from the request), as
``<public URL>/invitation?org=<slug>#token=...`` and
``<public URL>/reset-password?org=<slug>#token=...``: the page shows the organization's
branding (``portalBranding``) before the token is used.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.identity.login import LinkMailer
from db import models as m
from db.models.base import table_of
from db.queries.accounts import Account
from mailer.compose import Brand, Invitation, PasswordReset, compose
from mailer.outbox import QueuedMessage, enqueue_many

ORGANIZATION = table_of(m.Organization)


async def brand_of(db: AsyncConnection, organization_id: uuid.UUID) -> Brand:
    """The organization as its messages show it."""
    return (await brand_and_slug(db, organization_id))[0]


async def brand_and_slug(db: AsyncConnection, organization_id: uuid.UUID) -> tuple[Brand, str]:
    """The organization as its messages show it, and its slug for the links."""
    row = (
        await db.execute(
            sa.select(
                ORGANIZATION.c.name,
                ORGANIZATION.c.logo_url,
                ORGANIZATION.c.locale,
                ORGANIZATION.c.timezone,
                ORGANIZATION.c.slug,
            ).where(ORGANIZATION.c.id == organization_id)
        )
    ).one()
    return Brand(row.name, row.logo_url, row.locale, row.timezone), row.slug


async def queue_link_mail(
    db: AsyncConnection,
    public_url: str,
    account: Account,
    purpose: m.TokenPurpose,
    token: str,
    expires_at: dt.datetime,
) -> None:
    """Compose the message in the account's language and queue it in the caller's transaction."""
    brand, slug = await brand_and_slug(db, account.organization_id)
    data: Invitation | PasswordReset
    if purpose is m.TokenPurpose.INVITATION:
        data = Invitation(account.first_name, public_url, token, expires_at, slug)
    else:
        data = PasswordReset(account.first_name, public_url, token, expires_at, slug)
    queued = QueuedMessage(
        organization_id=account.organization_id,
        to_address=account.email,
        message=compose(data, brand, account.locale),
        # Whose link it is, so that the worker sends nothing to an access deleted or disabled
        # meanwhile (mailer.stale_mail). Never the token.
        payload={"account_kind": account.kind.value, "account_id": str(account.id)},
        dedupe_key=None,
    )
    await enqueue_many(db, [queued])


def link_mailer(public_url: str) -> LinkMailer:
    """The LinkMailer that authz/identity/login.py calls when it issues a link token."""

    async def queue(
        db: AsyncConnection,
        account: Account,
        purpose: m.TokenPurpose,
        token: str,
        expires_at: dt.datetime,
    ) -> None:
        await queue_link_mail(db, public_url, account, purpose, token, expires_at)

    return queue
