"""Mail follows appointment changes: an outbox message can be CANCELLED (not sent, no longer
wanted when the worker took it; its last_error says why).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

CONSTRAINT = "ck_outbox_message_outboxstatus"


def _allow(*statuses: str) -> None:
    op.drop_constraint(op.f(CONSTRAINT), "outbox_message", type_="check")
    listed = ", ".join(f"'{status}'" for status in statuses)
    # The name is given whole (no naming convention applied): it is the one 0001 created.
    op.execute(
        f"ALTER TABLE outbox_message ADD CONSTRAINT {CONSTRAINT} CHECK (status IN ({listed}))"
    )


def upgrade() -> None:
    _allow("PENDING", "SENT", "DEAD", "CANCELLED")


def downgrade() -> None:
    # A message that was not sent stays unsent: DEAD keeps it out of the queue, reason and all.
    op.execute("UPDATE outbox_message SET status = 'DEAD' WHERE status = 'CANCELLED'")
    _allow("PENDING", "SENT", "DEAD")
