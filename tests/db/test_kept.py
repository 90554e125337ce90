"""Kept statements run on the driver give exactly what SQLAlchemy gives (db/kept.py).

Each test runs kept statements (built once per scope shape, as the nested lists and lookups by
id of a request are) through :func:`db.kept.execute` and through SQLAlchemy on the same
connection and compares the rows value by value and type by type, on columns whose types
SQLAlchemy converts (enums, numerics, arrays) and on those it passes through.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.principals import Audience
from authz.scope import RowScope, Scoping
from db import kept
from db.pagination import PageRequest, fetch_child_pages, rows_by_id_statement
from db.queries import billing, clients, equipment, tickets, timesheets, usage, worksheets
from db.scoped.nested import shaped

StatementOf = Callable[[Scoping], sa.Select[Any]]

# Statement functions whose rows hold every kind of column the tables have: numerics (site
# coordinates), enums (statuses, urgencies), dates and times, uuids, text, nullable columns.
LOOKUPS: list[tuple[StatementOf, sa.Table]] = [
    (clients.sites_statement, clients.SITE),
    (billing.invoices_statement, billing.INVOICE),
    (tickets.tickets_statement, tickets.TICKET),
    (worksheets.work_sheets_statement, worksheets.WORK_SHEET),
    (timesheets.entries_statement, timesheets.ENTRY),
    (equipment.equipment_statement, equipment.EQUIPMENT),
]


async def staff_scope(connection: AsyncConnection) -> RowScope:
    organization = await connection.scalar(
        sa.text("SELECT id FROM organization WHERE slug = 'brillanti'")
    )
    assert isinstance(organization, uuid.UUID)
    return RowScope(organization, Audience.STAFF)


def same_rows(direct: Sequence[sa.Row[Any]], through: Sequence[sa.Row[Any]]) -> None:
    assert len(direct) == len(through)
    for mine, theirs in zip(direct, through, strict=True):
        assert list(mine._mapping.keys()) == list(theirs._mapping.keys())
        assert tuple(mine) == tuple(theirs)
        assert [type(v) for v in mine] == [type(v) for v in theirs], mine._mapping.keys()


def used_the_driver(statement: kept.Returning) -> bool:
    plan = kept._KEPT.get(statement)
    return plan is not None and plan.make_row is not None


async def lookup_of_first(
    connection: AsyncConnection, scope: RowScope, statement_of: StatementOf, table: sa.Table, n: int
) -> tuple[sa.Select[Any], Mapping[str, Any]]:
    """The kept lookup by id of ``statement_of`` and its values for the first ``n`` rows of
    ``table`` in the scope's organization."""
    ids = list(
        (
            await connection.execute(
                sa.select(table.c.id)
                .where(table.c.organization_id == scope.organization_id)
                .order_by(table.c.id)
                .limit(n)
            )
        ).scalars()
    )
    statement = rows_by_id_statement(shaped(statement_of, scope.shape), table.c.id)
    return statement, {**scope.parameters, "row_ids": ids}


async def test_rows_from_the_driver_are_sqlalchemys_rows(demo_connection: AsyncConnection) -> None:
    await demo_connection.begin()
    scope = await staff_scope(demo_connection)
    assert kept.direct_available(demo_connection)
    for statement_of, table in LOOKUPS:
        statement, values = await lookup_of_first(demo_connection, scope, statement_of, table, 20)
        ids = values["row_ids"]
        direct = await kept.execute(demo_connection, statement, values)
        assert used_the_driver(statement), table.name
        through = (await demo_connection.execute(statement, values)).all()
        assert len(direct) == len(ids), table.name
        same_rows(direct, through)


async def test_a_kept_page_with_cursor_and_totals_matches(demo_connection: AsyncConnection) -> None:
    await demo_connection.begin()
    scope = await staff_scope(demo_connection)
    sites = list(
        (
            await demo_connection.execute(
                sa.text(
                    "SELECT site_id FROM equipment WHERE organization_id = :o "
                    "GROUP BY site_id HAVING count(*) > 3"
                ),
                {"o": scope.organization_id},
            )
        ).scalars()
    )[:5]
    statement = shaped(equipment.equipment_statement, scope.shape)
    first = await fetch_child_pages(
        demo_connection,
        statement,
        equipment.EQUIPMENT.c.site_id,
        sites,
        equipment.EQUIPMENT_ORDER,
        PageRequest(first=2, with_total=True),
        parameters=scope.parameters,
    )
    for site in sites:
        page = first[site]
        assert len(page.rows) == 2
        assert page.has_next
        expected = await demo_connection.scalar(
            sa.text("SELECT count(*) FROM equipment WHERE site_id = :s"), {"s": site}
        )
        assert page.total == expected
        after = await fetch_child_pages(
            demo_connection,
            statement,
            equipment.EQUIPMENT.c.site_id,
            [site],
            equipment.EQUIPMENT_ORDER,
            PageRequest(first=100, after=page.cursor(-1)),
            parameters=scope.parameters,
        )
        rest = (
            await demo_connection.execute(
                sa.text("SELECT id FROM equipment WHERE site_id = :s ORDER BY kind, id OFFSET 2"),
                {"s": site},
            )
        ).scalars()
        assert [row.id for row in after[site].rows] == list(rest)


async def test_statements_sent_at_once_on_one_connection_wait_their_turn(
    demo_connection: AsyncConnection,
) -> None:
    await demo_connection.begin()
    scope = await staff_scope(demo_connection)
    ids = list(
        (
            await demo_connection.execute(
                sa.text("SELECT id FROM site WHERE organization_id = :o LIMIT 30"),
                {"o": scope.organization_id},
            )
        ).scalars()
    )
    statement = rows_by_id_statement(
        shaped(clients.sites_statement, scope.shape), clients.SITE.c.id
    )
    values = {**scope.parameters, "row_ids": ids}
    expected = (await demo_connection.execute(statement, values)).all()
    sleep = demo_connection.execute(sa.text("SELECT pg_sleep(0.01)"))
    direct = [kept.execute(demo_connection, statement, values) for _ in range(10)]
    results = await asyncio.gather(*direct[:5], sleep, *direct[5:])
    for rows in results[:5] + results[6:]:
        assert isinstance(rows, list)
        same_rows(rows, expected)


async def test_a_kept_statement_needs_the_requests_values(demo_connection: AsyncConnection) -> None:
    await demo_connection.begin()
    scope = await staff_scope(demo_connection)
    await demo_connection.execute(sa.text("SELECT 1"))
    statement = rows_by_id_statement(
        shaped(clients.sites_statement, scope.shape), clients.SITE.c.id
    )
    with pytest.raises(sa.exc.InvalidRequestError, match="scope_organization"):
        await kept.execute(demo_connection, statement, {"row_ids": []})


# A statement of the tests' own, kept: its page size is a parameter PostgreSQL checks.
FIRST_SITES = kept.keep(
    sa.select(clients.SITE.c.id)
    .order_by(clients.SITE.c.id)
    .limit(sa.bindparam("size", type_=sa.Integer))
)


async def test_a_failing_statement_raises_a_dbapi_error_and_the_transaction_rolls_back(
    demo_connection: AsyncConnection,
) -> None:
    transaction = await demo_connection.begin()
    await demo_connection.execute(sa.text("SELECT 1"))
    with pytest.raises(sa.exc.DBAPIError, match="LIMIT must not be negative"):
        await kept.execute(demo_connection, FIRST_SITES, {"size": -1})
    assert used_the_driver(FIRST_SITES)
    with pytest.raises(sa.exc.DBAPIError, match="current transaction is aborted"):
        await kept.execute(demo_connection, FIRST_SITES, {"size": 1})
    await transaction.rollback()
    async with demo_connection.begin():
        await demo_connection.execute(sa.text("SELECT 1"))
        again = await kept.execute(demo_connection, FIRST_SITES, {"size": 2})
        expected = (
            await demo_connection.execute(sa.text("SELECT id FROM site ORDER BY id LIMIT 2"))
        ).scalars()
    assert [row.id for row in again] == list(expected)


async def test_before_the_transaction_starts_sqlalchemy_runs_it(
    demo_connection: AsyncConnection,
) -> None:
    scope = await staff_scope(demo_connection)
    await demo_connection.commit()
    ids = list(
        (
            await demo_connection.execute(
                sa.text("SELECT id FROM ticket WHERE organization_id = :o LIMIT 5"),
                {"o": scope.organization_id},
            )
        ).scalars()
    )
    await demo_connection.commit()
    statement = rows_by_id_statement(
        shaped(tickets.tickets_statement, scope.shape), tickets.TICKET.c.id
    )
    values = {**scope.parameters, "row_ids": ids}
    first = await kept.execute(demo_connection, statement, values)  # begins the transaction
    second = await kept.execute(demo_connection, statement, values)
    same_rows(first, second)
    assert len(first) == 5


TRANSACTION_ID = kept.keep(sa.select(sa.func.txid_current().label("id")))


async def test_a_begun_transaction_starts_on_the_driver_with_its_first_kept_statement(
    demo_connection: AsyncConnection,
) -> None:
    """SQLAlchemy sends BEGIN with a transaction's first statement; when that statement is a
    kept one (a request's session lookup), the short path sends it: the statements after it,
    through either path, are in the same transaction, and a rollback undoes them all."""
    await demo_connection.commit()
    transaction = await demo_connection.begin()
    first = await kept.execute(demo_connection, TRANSACTION_ID, {})
    assert used_the_driver(TRANSACTION_ID)
    assert await demo_connection.scalar(sa.select(sa.func.txid_current())) == first[0].id
    await demo_connection.execute(sa.text("CREATE TABLE scratch (n int)"))
    assert (await kept.execute(demo_connection, TRANSACTION_ID, {}))[0].id == first[0].id
    await transaction.rollback()
    async with demo_connection.begin():
        assert await demo_connection.scalar(sa.text("SELECT to_regclass('scratch')")) is None
        assert (await kept.execute(demo_connection, TRANSACTION_ID, {}))[0].id != first[0].id


async def test_in_autocommit_a_kept_statement_runs_alone_on_the_driver(
    demo_connection: AsyncConnection,
) -> None:
    """A connection in autocommit (the per-minute budgets' upserts, db/engine.py
    ``committed_alone``) runs a kept statement on the driver, each in a transaction of its
    own, and leaves none open."""
    await demo_connection.commit()
    await demo_connection.execution_options(isolation_level="AUTOCOMMIT")
    first = await kept.execute(demo_connection, TRANSACTION_ID, {})
    assert used_the_driver(TRANSACTION_ID)
    second = await kept.execute(demo_connection, TRANSACTION_ID, {})
    assert first[0].id != second[0].id
    assert await demo_connection.scalar(sa.select(sa.func.txid_current_if_assigned())) is None


async def test_the_budget_upsert_runs_on_the_driver_and_counts(
    demo_connection: AsyncConnection,
) -> None:
    """The account budget's upsert (INSERT ... RETURNING, kept) is counted on the driver: the
    database fills the row's created_at, and a request over the budget counts nothing."""
    scope = await staff_scope(demo_connection)
    await demo_connection.commit()
    await demo_connection.execution_options(isolation_level="AUTOCOMMIT")
    account = uuid.uuid4()
    now = dt.datetime(2026, 12, 7, 10, 0, 30, tzinfo=dt.UTC)
    charge = functools.partial(
        usage.charge_account, demo_connection, scope.organization_id, account, now, max_cost=10
    )
    assert await charge(6)
    assert used_the_driver(usage._CHARGE_ACCOUNT)
    assert not await charge(5)
    assert await charge(4)
    stored = (
        await demo_connection.execute(
            sa.text("SELECT cost, requests, created_at FROM account_usage WHERE account_id = :a"),
            {"a": account},
        )
    ).one()
    assert (stored.cost, stored.requests) == (10, 2)
    assert stored.created_at is not None


async def test_a_default_made_in_python_keeps_an_insert_on_sqlalchemy(
    demo_connection: AsyncConnection,
) -> None:
    """An INSERT whose column default SQLAlchemy makes in Python (created_at's, when the
    statement does not set it) cannot run on the driver, which would leave it out: it goes
    through SQLAlchemy, default and all."""
    scope = await staff_scope(demo_connection)  # begins the transaction
    statement = kept.keep(
        sa.insert(usage.ACCOUNTS)
        .values(
            id=sa.bindparam("row", type_=sa.Uuid),
            organization_id=scope.organization_id,
            account_id=sa.bindparam("row", type_=sa.Uuid),
            window_start=sa.func.now(),
            requests=1,
            cost=1,
        )
        .returning(usage.ACCOUNTS.c.created_at)
    )
    rows = await kept.execute(demo_connection, statement, {"row": uuid.uuid4()})
    assert not used_the_driver(statement)
    assert rows[0].created_at is not None
