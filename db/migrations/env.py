"""Alembic environment: migrations run on a connection handed over by db/migrate.py.

Run by hand (``alembic ...``), it connects to DATABASE_URL or the running embedded cluster.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from db.models import metadata

config = context.config


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        compare_server_default=True,
        # One transaction for the whole upgrade: a failure leaves the database as it was.
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_by_hand() -> None:
    from db import embedded
    from db.engine import create_engine
    from sportello.base.settings import Settings

    settings = Settings.from_env()
    url = settings.database_url or embedded.start(settings.embedded_data_dir)
    engine = create_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(run_on)
        await connection.commit()
    await engine.dispose()


handed_over = config.attributes.get("connection")
if handed_over is not None:
    run_on(handed_over)
elif context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
else:
    asyncio.run(run_by_hand())
