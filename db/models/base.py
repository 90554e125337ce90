"""Column conventions shared by every table.

- UUID primary keys (the seed derives them from a seeded generator, so demo data is stable).
- Every tenant table has ``organization_id``; row-level security keys on it.
- Records that belong to a client carry ``client_id`` (and ``site_id`` where they belong to a
  site). Composite foreign keys make those denormalised ids agree with each other:
  ``(client_id, organization_id)`` must name a client of that organization and
  ``(site_id, client_id)`` a site of that client. Row scope then filters every table the same
  way, on its own columns.
- Every unique and exclusion constraint and every composite key of a tenant table includes
  ``organization_id``, so the schema can be distributed by organization (docs/scaling.md;
  tests/db/test_constraints.py keeps it so).
- Enumerations are stored as text with a CHECK constraint (no PostgreSQL enum types to migrate).
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def id_field() -> Any:
    return Field(default_factory=new_id, primary_key=True)


def org_field() -> Any:
    return Field(foreign_key="organization.id", index=True, ondelete="CASCADE")


def reference_index(table: str, column: str) -> sa.Index:
    """An index on an optional reference (``ix_<table>_<column>``), holding only the rows that
    have one: what deleting the referenced row checks, and what the reverse lookup reads."""
    return sa.Index(f"ix_{table}_{column}", column, postgresql_where=sa.column(column).is_not(None))


def tz(nullable: bool = False, **kwargs: Any) -> Any:
    """A ``timestamptz`` column; the database sets ``now()`` when ``server_now`` is given."""
    server_now = kwargs.pop("server_now", False)
    return Field(
        sa_column_kwargs={"server_default": sa.func.now()} if server_now else {},
        sa_type=sa.DateTime(timezone=True),
        nullable=nullable,
        **kwargs,
    )


def enum_field(enum_cls: type[enum.Enum], **kwargs: Any) -> Any:
    """A text column restricted to the member values of ``enum_cls`` by a CHECK constraint."""
    return Field(
        sa_type=sa.Enum(
            enum_cls,
            native_enum=False,
            create_constraint=True,
            length=32,
            name=enum_cls.__name__.lower(),
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
        **kwargs,
    )


def text_array(**kwargs: Any) -> Any:
    return Field(sa_type=sa.ARRAY(sa.Text), **kwargs)


def int_array(**kwargs: Any) -> Any:
    return Field(sa_type=sa.ARRAY(sa.Integer), **kwargs)


def now_utc() -> datetime:
    return datetime.now(UTC)


def created_at_field() -> Any:
    return tz(server_now=True, default_factory=now_utc)


class TableBase(SQLModel):
    """Every table: a UUID id and the time the row was created. Tables name themselves."""

    id: uuid.UUID = id_field()
    created_at: datetime = created_at_field()


class TenantBase(TableBase):
    """A row that belongs to one organization."""

    organization_id: uuid.UUID = org_field()


def same_organization(
    table: str, column: str, target: str, name: str, *, ondelete: str | None = "CASCADE"
) -> sa.ForeignKeyConstraint:
    """The composite key ``fk_<table>_<name>_org``: ``column`` points to a ``target`` row of
    the row's own organization."""
    return sa.ForeignKeyConstraint(
        [column, "organization_id"],
        [f"{target}.id", f"{target}.organization_id"],
        name=f"fk_{table}_{name}_org",
        ondelete=ondelete,
    )


def client_scope_constraints(table: str) -> tuple[sa.ForeignKeyConstraint, ...]:
    """Composite keys tying ``client_id``/``site_id`` to each other and to the organization.

    A null ``site_id`` (a client-level record) is not checked by the second key (MATCH SIMPLE).
    """
    return (
        same_organization(table, "client_id", "client", "client"),
        sa.ForeignKeyConstraint(
            ["site_id", "client_id", "organization_id"],
            ["site.id", "site.client_id", "site.organization_id"],
            name=f"fk_{table}_site_client",
            ondelete="CASCADE",
        ),
    )


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table of a model, for set-based statements in db/queries/."""
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    return table
