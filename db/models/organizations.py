"""The service company: one tenant of a Sportello deployment."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import TableBase, int_array


class Organization(TableBase, table=True):
    __tablename__ = "organization"
    __table_args__ = (
        sa.CheckConstraint("portal_fee_cents >= 0", name="portal_fee_not_negative"),
        sa.CheckConstraint("vat_rate_percent >= 0", name="vat_not_negative"),
        sa.CheckConstraint("travel_average_speed_kmh > 0", name="speed_positive"),
        sa.CheckConstraint("travel_road_factor >= 1", name="road_factor_at_least_one"),
        sa.CheckConstraint("travel_buffer_minutes >= 0", name="buffer_not_negative"),
        sa.CheckConstraint("ticket_counter >= 0", name="ticket_counter_not_negative"),
        # A stored logo has both its hash and its type, or neither (migration 0009).
        sa.CheckConstraint(
            "(logo_sha256 IS NULL) = (logo_mime_type IS NULL)", name="logo_sha256_and_type"
        ),
        sa.CheckConstraint("logo_sha256 ~ '^[0-9a-f]{64}$'", name="logo_sha256_hex"),
        sa.CheckConstraint(
            "logo_mime_type IN ('image/png', 'image/jpeg', 'image/webp')", name="logo_raster"
        ),
    )

    slug: str = Field(max_length=63, unique=True)
    name: str = Field(max_length=200)
    logo_url: str | None = Field(default=None, max_length=500)
    # The logo Sportello stores and serves itself (sportello/branding_route.py): its file lies
    # in the document store under a key made of this hash and the organization's id
    # (db/queries/organization_logo.py). When set, it is the logo pages show, not logo_url.
    logo_sha256: str | None = Field(default=None, max_length=64)
    logo_mime_type: str | None = Field(default=None, max_length=32)
    portal_info_text: str = Field(default="")
    notification_email: str = Field(max_length=254)
    locale: str = Field(default="it", max_length=8)
    timezone: str = Field(default="Europe/Rome", max_length=64)
    portal_enabled: bool = True
    # Billing of portal accesses: a monthly fee per access, VAT on top.
    portal_fee_cents: int = 200
    currency: str = Field(default="EUR", max_length=3)
    vat_rate_percent: Decimal = Field(default=Decimal("22.00"), max_digits=5, decimal_places=2)
    # Days before a visit on which contacts get a reminder, and before a contract expires.
    reminder_offsets_days: list[int] = int_array(default_factory=lambda: [30, 7])
    contract_alert_days: int = 30
    # Planning assistant: straight-line distance x road factor at the average speed, plus buffer.
    travel_average_speed_kmh: Decimal = Field(default=Decimal("40"), max_digits=6, decimal_places=2)
    travel_road_factor: Decimal = Field(default=Decimal("1.30"), max_digits=4, decimal_places=2)
    travel_buffer_minutes: int = 10
    booking_min_lead_hours: int = 24
    booking_horizon_days: int = 60
    # Contacts may run only the server's registered GraphQL documents (sportello/persisted.py).
    refuse_unregistered_documents: bool = Field(
        default=False, sa_column_kwargs={"server_default": sa.false()}
    )
    # Last ticket number handed out; tickets are numbered per organization.
    ticket_counter: int = 0
