"""Filter arguments shared by the list fields of contracts, billing and tickets."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from schema.errors import BadUserInput


def check_period(since: Any, until: Any) -> None:
    """Refuse a period (arguments ``from`` and ``to``) that ends before it starts."""
    if since is not None and until is not None and until < since:
        raise BadUserInput("to", "must not be before from")


def values_of(members: Sequence[enum.Enum] | None) -> tuple[str, ...] | None:
    """The stored values of enum filter arguments; None (no filter) when not given."""
    if members is None:
        return None
    return tuple(str(member.value) for member in members)
