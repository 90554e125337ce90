"""Idempotency keys of the records a staff user or a contact creates (appointments, tickets).

A key is its author's own: the record keeps it beside two author columns,
``<verb>_by_staff_id`` and ``<verb>_by_contact_id`` (``booked`` for an appointment, ``opened``
for a ticket), and a lookup matches the key of the same author only.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, restrict
from db.models.base import table_of
from db.queries.accounts import AccountKind

# Who sent an idempotency key: a staff user or a contact (db.queries.accounts.account_of).
Author = tuple[AccountKind, uuid.UUID]


def _column(author: Author, verb: str) -> str:
    kind, _ = author
    return f"{verb}_by_{'staff' if kind is AccountKind.STAFF else 'contact'}_id"


def author_columns(author: Author, verb: str) -> dict[str, uuid.UUID | None]:
    """Both author columns of a new record: ``author``'s id in its own, None in the other."""
    return {
        f"{verb}_by_staff_id": None,
        f"{verb}_by_contact_id": None,
        _column(author, verb): author[1],
    }


async def id_by_key(
    db: AsyncConnection, scope: RowScope, model: Any, verb: str, author: Author, key: str
) -> uuid.UUID | None:
    """The id of the record of ``model`` an earlier request of ``author`` with ``key`` created,
    if the caller can still see it; another author's equal key is not found."""
    table = table_of(model)
    found = await db.scalar(
        restrict(sa.select(table.c.id), model, scope).where(
            table.c[_column(author, verb)] == author[1], table.c.idempotency_key == key
        )
    )
    return found if isinstance(found, uuid.UUID) else None
