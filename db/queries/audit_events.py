"""Reading the audit trail (staff only), newest first: ix_audit_event_org_created serves it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.scope import RowScope, restrict
from db import models as m
from db.models.base import table_of
from db.pagination import Ordering, Page, PageRequest, count, fetch_page
from db.queries.accounts import CONTACT, STAFF

AUDIT = table_of(m.AuditEvent)

AUDIT_ORDER = Ordering((AUDIT.c.created_at, AUDIT.c.id), descending=True)


@dataclasses.dataclass(frozen=True)
class AuditFilter:
    """An action, and a period: from inclusive, to exclusive; None means no condition."""

    action: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def audit_statement(scope: RowScope, where: AuditFilter) -> sa.Select[Any]:
    """The audit events of the caller's organization, filtered by ``where``."""
    statement = restrict(sa.select(AUDIT), m.AuditEvent, scope)
    if where.action is not None:
        statement = statement.where(AUDIT.c.action == where.action)
    if where.since is not None:
        statement = statement.where(AUDIT.c.created_at >= where.since)
    if where.until is not None:
        statement = statement.where(AUDIT.c.created_at < where.until)
    return statement


def with_actor_names(statement: sa.Select[Any]) -> sa.Select[Any]:
    """``statement`` on ``audit_event`` with ``actor_name``: the first and last name of the
    staff user or contact who acted (null for partners, anonymous callers and unknown ids)."""
    names = [
        sa.select(people.c.first_name + " " + people.c.last_name)
        .where(AUDIT.c.actor_type == kind, people.c.id == AUDIT.c.actor_id)
        .scalar_subquery()
        for kind, people in (("STAFF", STAFF), ("CONTACT", CONTACT))
    ]
    return statement.add_columns(sa.func.coalesce(*names).label("actor_name"))


async def audit_page(
    db: AsyncConnection, scope: RowScope, request: PageRequest, where: AuditFilter
) -> Page:
    """One page of audit events, newest first."""
    return await fetch_page(db, audit_statement(scope, where), AUDIT_ORDER, request)


async def audit_count(db: AsyncConnection, scope: RowScope, where: AuditFilter) -> int:
    """How many audit events the filtered list holds."""
    return await count(db, audit_statement(scope, where))
