"""The organization's own logo: its hash and MIME type on the organization row.

The bytes live in the document file store (``SPORTELLO_FILES_DIR``) under a key made of the
hash and the organization's id (db/queries/organization_logo.py), served publicly by
``GET /branding/<slug>/logo``. Both columns are set together or not at all; only raster types
a browser shows without running anything (PNG, JPEG, WebP; never SVG) are allowed.

The columns sit on ``organization``, which already has its row-level security policy (its own
id) and the grants of ``sportello_app`` (migration 0004); new columns inherit both, so ADMIN
staff bound to their organization may change only their own logo.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organization", sa.Column("logo_sha256", sa.String(length=64), nullable=True))
    op.add_column("organization", sa.Column("logo_mime_type", sa.String(length=32), nullable=True))
    op.create_check_constraint(
        op.f("ck_organization_logo_sha256_and_type"),
        "organization",
        "(logo_sha256 IS NULL) = (logo_mime_type IS NULL)",
    )
    op.create_check_constraint(
        op.f("ck_organization_logo_sha256_hex"), "organization", "logo_sha256 ~ '^[0-9a-f]{64}$'"
    )
    op.create_check_constraint(
        op.f("ck_organization_logo_raster"),
        "organization",
        "logo_mime_type IN ('image/png', 'image/jpeg', 'image/webp')",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_organization_logo_raster"), "organization", type_="check")
    op.drop_constraint(op.f("ck_organization_logo_sha256_hex"), "organization", type_="check")
    op.drop_constraint(op.f("ck_organization_logo_sha256_and_type"), "organization", type_="check")
    op.drop_column("organization", "logo_mime_type")
    op.drop_column("organization", "logo_sha256")
