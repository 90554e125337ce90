"""How a person's name reads: one function, so every list, export and bill writes it alike."""

from __future__ import annotations


def full_name(first: str, last: str) -> str:
    """First and last name with one space between; an empty part (an erased contact is
    "former contact" with no last name) leaves no stray space."""
    return " ".join(part for part in (first.strip(), last.strip()) if part)
