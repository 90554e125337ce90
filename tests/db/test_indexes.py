"""Indexes: the lists that grow read a page in order, and no reference costs a table scan.

Both read PostgreSQL's catalog and planner after the migrations, so they check what the
migrations built (test_migrations.py checks that the models say the same).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.pagination import Ordering
from db.queries.appointments import APPOINTMENT_ORDER
from db.queries.audit_events import AUDIT_ORDER
from db.queries.billing import INVOICE_ORDER, QUOTE_ORDER
from db.queries.clients import CLIENT_ORDER, SITE_ORDER
from db.queries.contracts import CONTRACT_ORDER
from db.queries.documents import DOCUMENT_ORDER, RECENT_ORDER
from db.queries.equipment import EQUIPMENT_ORDER
from db.queries.outbox import OUTBOX_ORDER
from db.queries.revisions import REVISION_ORDER
from db.queries.tickets import TICKET_ORDER
from db.queries.timesheets import ENTRY_ORDER
from db.queries.worksheets import WORK_SHEET_ORDER

# The orderings of lists that grow with the work done. Each is paged under every scope its
# table has: the organization (staff), a client and a site (a client's or a site's page, a
# contact's grants). Lists of one parent that stay short (a ticket's comments, a technician's
# absences and hours) and the organization's own short lists (staff, departments, activity
# types) are sorted in memory and left out.
GROWING = (
    APPOINTMENT_ORDER,
    AUDIT_ORDER,
    CLIENT_ORDER,
    CONTRACT_ORDER,
    DOCUMENT_ORDER,
    ENTRY_ORDER,
    EQUIPMENT_ORDER,
    INVOICE_ORDER,
    OUTBOX_ORDER,
    QUOTE_ORDER,
    RECENT_ORDER,
    REVISION_ORDER,
    SITE_ORDER,
    TICKET_ORDER,
    WORK_SHEET_ORDER,
)
SCOPES = ("organization_id", "client_id", "site_id")


def page_of(ordering: Ordering, scope: str) -> sa.Select[Any] | None:
    """A page of ``ordering``'s list within one ``scope`` (None when its table has no such
    column), the way keyset pagination reads the first page."""
    tables = {column.table for column in ordering.columns}
    assert len(tables) == 1, "an ordering of one table's columns"
    table = tables.pop()
    if scope not in table.c:
        return None
    order = [c.desc() if ordering.descending else c.asc() for c in ordering.columns]
    return sa.select(table).where(table.c[scope] == uuid.uuid4()).order_by(*order).limit(21)


CASES = {
    f"{page.get_final_froms()[0]} by {scope}": page
    for ordering in GROWING
    for scope in SCOPES
    if (page := page_of(ordering, scope)) is not None
}


@pytest.mark.parametrize("case", CASES)
async def test_a_growing_list_reads_its_page_in_order_from_an_index(
    engine: AsyncEngine, case: str
) -> None:
    """The planner, kept off whole-table reads, answers a page without sorting: an index
    gives the scope's rows in the list's order (a backward scan for a descending list)."""
    page = CASES[case].compile(engine, compile_kwargs={"literal_binds": True})
    async with engine.begin() as db:
        await db.execute(sa.text("SET LOCAL enable_seqscan = off"))
        await db.execute(sa.text("SET LOCAL enable_bitmapscan = off"))
        # The statement is built from the models above, with no outside input.
        plan = "\n".join(await db.scalars(sa.text(f"EXPLAIN {page}")))
    assert "Sort" not in plan, plan
    assert "Index Scan" in plan, plan


async def test_every_foreign_key_has_an_index_led_by_one_of_its_columns(
    engine: AsyncEngine,
) -> None:
    """Deleting a referenced row checks (or cascades to) the rows referring to it through
    such an index, and reverse lookups read it, instead of scanning the referring table."""
    async with engine.connect() as db:
        unindexed = await db.execute(
            sa.text(
                """
                SELECT c.conrelid::regclass::text, c.conname
                FROM pg_constraint c
                WHERE c.contype = 'f'
                  AND c.connamespace = 'public'::regnamespace
                  AND NOT EXISTS (
                      SELECT 1 FROM pg_index i
                      WHERE i.indrelid = c.conrelid AND i.indkey[0] = ANY (c.conkey)
                  )
                ORDER BY 1, 2
                """
            )
        )
        assert [tuple(row) for row in unindexed] == []
