"""Filter arguments shared by the list fields of contracts, billing and tickets."""

from __future__ import annotations

import enum
from collections.abc import Sequence


def values_of(members: Sequence[enum.Enum] | None) -> tuple[str, ...] | None:
    """The stored values of enum filter arguments; None (no filter) when not given."""
    if members is None:
        return None
    return tuple(str(member.value) for member in members)
