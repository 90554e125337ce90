"""Who is asking: the principal of a request, resolved once before anything runs."""

from __future__ import annotations

import dataclasses
import enum
import uuid
from typing import Any

from db.models.staff import StaffRole


class Audience(enum.StrEnum):
    """The schema views; each principal is served exactly one."""

    PUBLIC = "public"
    STAFF = "staff"
    PORTAL = "portal"
    PARTNER = "partner"


# What a contact with portal access may do or receive, each a column of the contact.
FEATURE_FLAGS = (
    "receives_visit_reminders",
    "receives_signed_worksheets",
    "can_view_contracts",
    "can_view_invoices",
    "can_open_tickets",
    "can_book_appointments",
)
# The contact feature flags a portal field or mutation can require.
CONTACT_FLAGS = ("portal_access", *FEATURE_FLAGS)


def flags_of(row: Any) -> frozenset[str]:
    """The contact flags set on ``row`` (a row with a column of each of CONTACT_FLAGS)."""
    columns = row._mapping  # one mapping for all of them: a kept row builds it per access
    return frozenset(name for name in CONTACT_FLAGS if columns[name])


@dataclasses.dataclass(frozen=True)
class Anonymous:
    audience: Audience = dataclasses.field(default=Audience.PUBLIC, init=False)


@dataclasses.dataclass(frozen=True)
class StaffPrincipal:
    organization_id: uuid.UUID
    user_id: uuid.UUID
    role: StaffRole
    session_id: uuid.UUID | None = None
    audience: Audience = dataclasses.field(default=Audience.STAFF, init=False)


@dataclasses.dataclass(frozen=True)
class ContactPrincipal:
    """A client contact; ``viewed_by`` is set when staff preview the portal as this contact."""

    organization_id: uuid.UUID
    contact_id: uuid.UUID
    flags: frozenset[str]
    session_id: uuid.UUID | None = None
    viewed_by: StaffPrincipal | None = None
    # The organization refuses document texts it does not know from this contact
    # (sportello/persisted.py): read with the session, in authentication's one statement.
    registered_documents_only: bool = False
    audience: Audience = dataclasses.field(default=Audience.PORTAL, init=False)

    @property
    def read_only(self) -> bool:
        """Staff previewing the portal may look, never act."""
        return self.viewed_by is not None


@dataclasses.dataclass(frozen=True)
class PartnerPrincipal:
    organization_id: uuid.UUID
    token_id: uuid.UUID
    scopes: frozenset[str]
    # None: every client of the organization; otherwise only these.
    client_ids: frozenset[uuid.UUID] | None
    audience: Audience = dataclasses.field(default=Audience.PARTNER, init=False)


Principal = Anonymous | StaffPrincipal | ContactPrincipal | PartnerPrincipal


@dataclasses.dataclass(frozen=True)
class Caller:
    """Where a request comes from: recorded with sessions and audit events."""

    ip: str | None
    user_agent: str | None
