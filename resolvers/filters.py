"""Filter arguments shared by the list fields of contracts, billing and tickets."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from typing import Any

import strawberry

from schema import ids
from schema.errors import BadUserInput

NO_ID = uuid.UUID(int=0)


def filter_id(type_name: str, value: strawberry.ID | None) -> uuid.UUID | None:
    """The row id of an id filter; a malformed or foreign id filters like a missing one."""
    if value is None:
        return None
    return ids.decode(type_name, value) or NO_ID


def check_period(since: Any, until: Any) -> None:
    """Refuse a period (arguments ``from`` and ``to``) that ends before it starts."""
    if since is not None and until is not None and until < since:
        raise BadUserInput("to", "must not be before from")


def values_of(members: Sequence[enum.Enum] | None) -> tuple[str, ...] | None:
    """The stored values of enum filter arguments; None (no filter) when not given."""
    if members is None:
        return None
    return tuple(str(member.value) for member in members)
