"""A contact's rule for the documents of one type of owner keeps what the documents' rule keeps.

A record's documents (a work sheet's, an invoice's) are read with authz.policy.OwnedDocuments'
rule, which checks the one owner instead of all six owner types of visible_documents. These
tests run both rules on the demo data, for every owner column and every set of a contact's
feature flags, and compare the documents each keeps.
"""

from __future__ import annotations

import itertools
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.principals import Audience
from authz.scope import RowScope
from db.models.documents import OWNER_COLUMNS, DocumentKind
from db.queries.documents import (
    DOCUMENT,
    documents_statement,
    insert_document,
    owned_documents_statement,
)

FLAGS = ("can_view_contracts", "can_view_invoices")
FLAG_SETS = [
    frozenset(chosen)
    for size in range(len(FLAGS) + 1)
    for chosen in itertools.combinations(FLAGS, size)
]


@pytest.fixture
async def connection(demo_connection: AsyncConnection) -> AsyncConnection:
    """The demo data, plus documents of appointments (the demo has none), rolled back."""
    await add_appointment_documents(demo_connection)
    return demo_connection


async def add_appointment_documents(connection: AsyncConnection) -> None:
    """A portal-visible document on an appointment of each activity type, visible on the
    portal or not."""
    appointments = (
        await connection.execute(
            sa.text(
                "SELECT DISTINCT ON (activity_type.portal_visible) intervention.id,"
                " intervention.organization_id, intervention.client_id, intervention.site_id"
                " FROM intervention JOIN activity_type"
                " ON activity_type.id = intervention.activity_type_id"
                " JOIN organization ON organization.id = intervention.organization_id"
                " WHERE organization.slug = 'brillanti'"
                " ORDER BY activity_type.portal_visible, intervention.id"
            )
        )
    ).all()
    assert len(appointments) == 2, "the demo has appointments of both kinds of activity"
    for appointment in appointments:
        await insert_document(
            connection,
            {
                "organization_id": appointment.organization_id,
                "client_id": appointment.client_id,
                "site_id": appointment.site_id,
                "intervention_id": appointment.id,
                "kind": DocumentKind.OTHER,
                "file_name": "report.pdf",
                "mime_type": "application/pdf",
                "size_bytes": 1,
                "sha256": "0" * 64,
                "storage_key": uuid.uuid4().hex,
                "portal_visible": True,
            },
        )


async def whole_organization(connection: AsyncConnection, flags: frozenset[str]) -> RowScope:
    """A contact scope granted every client of the brillanti organization whole."""
    rows = (
        await connection.execute(
            sa.text(
                "SELECT site.organization_id, site.client_id, site.id FROM site JOIN organization"
                " ON organization.id = site.organization_id WHERE organization.slug = 'brillanti'"
            )
        )
    ).all()
    clients = frozenset(row.client_id for row in rows)
    return RowScope(
        rows[0].organization_id,
        Audience.PORTAL,
        clients=clients,
        whole_clients=clients,
        sites=frozenset(row.id for row in rows),
        flags=flags,
    )


async def kept_ids(connection: AsyncConnection, statement: sa.Select[object]) -> set[uuid.UUID]:
    return set((await connection.execute(statement.with_only_columns(DOCUMENT.c.id))).scalars())


@pytest.mark.parametrize("owner_column", OWNER_COLUMNS)
async def test_the_owners_rule_keeps_the_documents_the_documents_rule_keeps(
    connection: AsyncConnection, owner_column: str
) -> None:
    owner = DOCUMENT.c[owner_column]
    kept_somewhere = False
    for flags in FLAG_SETS:
        scope = await whole_organization(connection, flags)
        every = await kept_ids(connection, documents_statement(scope).where(owner.is_not(None)))
        owned = await kept_ids(connection, owned_documents_statement(scope, owner_column))
        assert owned == every, (owner_column, sorted(flags))
        kept_somewhere = kept_somewhere or bool(owned)
    assert kept_somewhere, f"the demo data has no visible document through {owner_column}"


async def test_the_owners_rule_hides_documents_of_hidden_owners(
    connection: AsyncConnection,
) -> None:
    """Not vacuous: documents marked visible are hidden when their owner is (an invoice or a
    contract without the flag, an appointment whose activity stays off the portal)."""
    hiding: tuple[tuple[str, frozenset[str]], ...] = (
        ("invoice_id", frozenset()),
        ("contract_id", frozenset({"can_view_invoices"})),
        ("intervention_id", frozenset()),
    )
    for owner_column, flags in hiding:
        scope = await whole_organization(connection, flags)
        owned = await kept_ids(connection, owned_documents_statement(scope, owner_column))
        of_scope = set(
            (
                await connection.execute(
                    sa.select(DOCUMENT.c.id).where(
                        DOCUMENT.c.organization_id == scope.organization_id,
                        DOCUMENT.c[owner_column].is_not(None),
                        DOCUMENT.c.portal_visible.is_(True),
                    )
                )
            ).scalars()
        )
        assert owned < of_scope, owner_column
