"""The migrations build exactly the schema the models describe, and fail without harm."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from db import migrate
from db.engine import create_engine
from db.models import metadata


def differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, metadata))


async def test_upgrade_from_an_empty_database_reaches_head_without_drift(
    empty_database: str,
) -> None:
    engine = create_engine(empty_database, pool_size=1)
    try:
        reached = await migrate.upgrade(engine)
        assert reached == migrate.head_revision()
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
            tables = await connection.scalar(
                sa.text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            )
        # every model table plus alembic_version
        assert tables == len(metadata.tables) + 1
    finally:
        await engine.dispose()


async def test_upgrade_twice_changes_nothing(engine: AsyncEngine) -> None:
    assert await migrate.upgrade(engine) == migrate.head_revision()
    assert await migrate.current_revision(engine) == migrate.head_revision()


async def test_a_failed_migration_leaves_the_database_as_it_was(empty_database: str) -> None:
    engine = create_engine(empty_database, pool_size=1)
    try:
        async with engine.begin() as connection:
            # A table in the way of the initial migration makes it fail half-way through.
            await connection.execute(sa.text("CREATE TABLE ticket (squatter int)"))
        with pytest.raises(migrate.MigrationError, match="left as it was"):
            await migrate.upgrade(engine)
        async with engine.connect() as connection:
            tables = await connection.scalars(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
            assert list(tables) == ["ticket"]
        assert await migrate.current_revision(engine) is None
    finally:
        await engine.dispose()


async def test_two_processes_starting_at_once_migrate_one_after_the_other(
    empty_database: str,
) -> None:
    """Two deploys start together on an empty database: one migrates, the other waits for
    it and then finds the schema at head (without the lock, the second's CREATE TABLEs
    collide with the first's)."""
    import asyncio

    engines = [create_engine(empty_database, pool_size=1) for _ in range(2)]
    try:
        reached = await asyncio.gather(*(migrate.upgrade(engine) for engine in engines))
        assert reached == [migrate.head_revision()] * 2
        async with engines[0].connect() as connection:
            versions = await connection.scalar(sa.text("SELECT count(*) FROM alembic_version"))
        assert versions == 1
    finally:
        for engine in engines:
            await engine.dispose()
