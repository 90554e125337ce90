"""The receiver, the demo office that registers endpoints, and the worker's settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from db.engine import create_engine
from sportello.base.settings import Settings
from tests.api import Demo
from tests.api.webhooks.kit import (
    KEY,
    Receiver,
)
from tests.conftest import MakeClient


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    made.thread.start()
    yield made
    made.server.shutdown()
    made.server.server_close()


@pytest.fixture
async def office(
    make_client: MakeClient, demo_database: str, tmp_path: Path
) -> AsyncIterator[Demo]:
    """The demo app with a signing key and private addresses allowed (the receiver)."""
    engine = create_engine(demo_database, pool_size=1)
    client = await make_client(
        demo_database, data_dir=tmp_path, file_signing_key=KEY, webhook_allow_private=True
    )
    yield Demo(engine, client)
    await engine.dispose()


@pytest.fixture
def worker_settings(demo_database: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=demo_database,
        data_dir=tmp_path,
        file_signing_key=KEY,
        webhook_allow_private=True,
        webhook_timeout_seconds=1.0,
    )
