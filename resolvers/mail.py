"""Queueing the emails that carry one-use links (invitation, password reset)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from authz.login import LinkMailer
from db import models as m
from db.queries.accounts import Account
from mailer import links
from sportello.settings import Settings


def queue_link_mail(settings: Settings) -> LinkMailer:
    async def queue(
        db: AsyncConnection, account: Account, purpose: m.TokenPurpose, link: str
    ) -> None:
        await links.queue_link_mail(db, settings, account, purpose, link)

    return queue
