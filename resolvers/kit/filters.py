"""Filter arguments shared by the root lists: the enum filters, and the site and client filters
of every record that belongs to a client's site."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from typing import TypedDict

import strawberry

from schema.kit.ids import filter_id


class Owner(TypedDict):
    """The site and client filters, as the domains' filter fields name them."""

    site_id: uuid.UUID | None
    client_id: uuid.UUID | None


def values_of(members: Sequence[enum.Enum] | None) -> tuple[str, ...] | None:
    """The stored values of enum filter arguments; None (no filter) when not given."""
    if members is None:
        return None
    return tuple(str(member.value) for member in members)


def owned_by(site_id: strawberry.ID | None, client_id: strawberry.ID | None) -> Owner:
    """The row ids of the ``siteId`` and ``clientId`` arguments of a list (None: no filter)."""
    return {"site_id": filter_id("Site", site_id), "client_id": filter_id("Client", client_id)}
