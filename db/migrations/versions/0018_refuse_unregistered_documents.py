"""An organization may refuse its contacts' unregistered GraphQL documents.

``refuse_unregistered_documents`` on ``organization`` (false by default, set by staff admins):
when true, a contact of the organization may run only the server's registered documents
(sportello/persisted.py); staff and partners are never refused by it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "organization",
        sa.Column(
            "refuse_unregistered_documents",
            sa.Boolean(),
            server_default=sa.false(),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("organization", "refuse_unregistered_documents")
