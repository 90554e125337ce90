"""Documents attached to records, within a row scope, and storing a new one.

Any record type with documents lists them through :func:`documents_of` (pages per owner id,
one statement for all owners) and :func:`document_counts_of`, keyed by its owner column:

    loaders.pages_of(documents_of("work_sheet_id"), request).load(work_sheet_id)

Contacts see only documents marked portal-visible whose owner they can see
(authz/policy.py visible_documents); restrict() applies that to every statement here, and
the documents of one type of owner check that owner alone (authz/policy.py OwnedDocuments).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.policy import OwnedDocuments
from authz.scope import RowScope, Scoping, restrict
from db import models as m
from db.models.base import table_of
from db.models.documents import OWNER_COLUMNS
from db.pagination import Ordering, Page, PageRequest, count, fetch_page
from db.scoped.loaders import CountsOf, PagesOf
from db.scoped.nested import child_page_counts, child_pages, rows_by_id

DOCUMENT = table_of(m.Document)

# Oldest first: a record's documents in the order they were filed.
DOCUMENT_ORDER = Ordering((DOCUMENT.c.created_at, DOCUMENT.c.id))
# The root list: newest first.
RECENT_ORDER = Ordering((DOCUMENT.c.created_at, DOCUMENT.c.id), descending=True)


class UnknownOwner(ValueError):
    """Documents belong to the records of OWNER_COLUMNS only; use one of those columns."""


def documents_statement(
    scope: Scoping,
    *,
    site_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
    kind: str | None = None,
) -> sa.Select[Any]:
    """Documents the scope sees, narrowed by the list's filters."""
    statement = restrict(sa.select(DOCUMENT), m.Document, scope)
    if site_id is not None:
        statement = statement.where(DOCUMENT.c.site_id == site_id)
    if client_id is not None:
        statement = statement.where(DOCUMENT.c.client_id == client_id)
    if kind is not None:
        statement = statement.where(DOCUMENT.c.kind == m.DocumentKind(kind))
    return statement


async def document_page(
    db: AsyncConnection, scope: RowScope, request: PageRequest, **filters: Any
) -> Page:
    """One page, newest first; ``filters`` are those of :func:`documents_statement`."""
    return await fetch_page(db, documents_statement(scope, **filters), RECENT_ORDER, request)


async def document_count(db: AsyncConnection, scope: RowScope, **filters: Any) -> int:
    return await count(db, documents_statement(scope, **filters))


async def documents_by_id(
    db: AsyncConnection, scope: RowScope, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    """Rows in the order of ``ids``; None for an id that does not exist or is out of scope."""
    return await rows_by_id(db, documents_statement, scope, DOCUMENT.c.id, ids)


def _known(owner_column: str) -> str:
    if owner_column not in OWNER_COLUMNS:
        raise UnknownOwner(f"{owner_column!r} is not one of {', '.join(OWNER_COLUMNS)}")
    return owner_column


def _owner(owner_column: str) -> sa.Column[Any]:
    return DOCUMENT.c[_known(owner_column)]


def owned_documents_statement(scope: Scoping, owner_column: str) -> sa.Select[Any]:
    """Documents the scope sees among those of records owning them through ``owner_column``
    (a contact's rule checks that owner's rule alone: authz.policy.OwnedDocuments)."""
    owned = sa.select(DOCUMENT).where(_owner(owner_column).is_not(None))
    return restrict(owned, OwnedDocuments(owner_column), scope)


@cache
def documents_of(owner_column: str) -> PagesOf:
    """The loader function of the documents of records owning them through ``owner_column``.

    The same function object per column, so a request shares one loader per owner type.
    """
    owner = _owner(owner_column)

    async def pages(
        db: AsyncConnection, scope: RowScope, owner_ids: Sequence[uuid.UUID], request: PageRequest
    ) -> dict[uuid.UUID, Page]:
        return await child_pages(
            db,
            owned_documents_statement,
            scope,
            owner,
            owner_ids,
            DOCUMENT_ORDER,
            request,
            where=(owner_column,),
        )

    return pages


@cache
def document_counts_of(owner_column: str) -> CountsOf:
    """The loader function counting the documents of each owner (see :func:`documents_of`)."""
    owner = _owner(owner_column)

    async def counts(
        db: AsyncConnection, scope: RowScope, owner_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, int]:
        return await child_page_counts(
            db, owned_documents_statement, scope, owner, owner_ids, where=(owner_column,)
        )

    return counts


async def owner_placement(
    db: AsyncConnection, scope: RowScope, owner_column: str, owner_id: uuid.UUID
) -> sa.Row[Any] | None:
    """(client_id, site_id) of the record a new document will belong to; None when the
    record does not exist or is out of scope."""
    model = m.DOCUMENT_OWNERS[_known(owner_column)]
    table = table_of(model)
    statement: sa.Select[Any] = sa.select(table.c.client_id, table.c.site_id).where(
        table.c.id == owner_id
    )
    row: sa.Row[Any] | None = (await db.execute(restrict(statement, model, scope))).first()
    return row


async def insert_document(db: AsyncConnection, values: dict[str, Any]) -> None:
    """Insert one document row in the caller's transaction (the caller commits)."""
    await db.execute(DOCUMENT.insert().values(**values))
