"""Fixtures of the mail tests: a real SMTP server and settings pointing a worker at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from sportello.base.settings import Settings
from tests.conftest import MakeClient
from tests.mailer.smtp import HOST, SmtpServer

if TYPE_CHECKING:
    from tests.mailer.follows import World


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the same fresh database the worker under test uses."""
    engine = create_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def world(
    db: AsyncEngine, database_url: str, make_client: MakeClient, smtp: SmtpServer, tmp_path: Path
) -> World:
    """The organization whose mail follows its changes (tests/mailer/follows.py)."""
    from tests.mailer.follows import make_world  # the kit imports this module

    return await make_world(db, database_url, make_client, smtp, tmp_path)


def mail_settings(database_url: str, data_dir: Path, port: int | None, **values: Any) -> Settings:
    """Settings for a worker: SMTP on ``port`` (plain, local), or .eml files when None."""
    smtp: dict[str, Any] = (
        {} if port is None else {"smtp_host": HOST, "smtp_port": port, "smtp_security": "plain"}
    )
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        smtp_timeout_seconds=10,
        mail_from="Brillanti <no-reply@brillanti.example>",
        **(smtp | values),
    )
