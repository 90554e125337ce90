"""Checks of plain input values shared by the back-office mutations."""

from __future__ import annotations

import uuid

import strawberry

from schema.kit import ids
from schema.kit.errors import BadUserInput


def text_input(field: str, value: str | None, *, required: bool, limit: int) -> str | None:
    """``value`` trimmed; refused naming ``field`` when missing or empty (if ``required``) or
    longer than ``limit`` characters."""
    if value is None:
        if required:
            raise BadUserInput(field, "is required")
        return None
    value = value.strip()
    if required and not value:
        raise BadUserInput(field, "must not be empty")
    if len(value) > limit:
        raise BadUserInput(field, f"use at most {limit} characters")
    return value


def one_line(field: str, value: str, limit: int) -> str:
    """``value`` trimmed: one line of 1 to ``limit`` characters, else refused naming ``field``."""
    text = text_input(field, value, required=True, limit=limit) or ""
    if any(ch < " " or ch == "\x7f" for ch in text):
        raise BadUserInput(field, "must be one line, without control characters")
    return text


def global_ids(field: str, type_name: str, values: list[strawberry.ID]) -> list[uuid.UUID]:
    """The row ids of a list of ``type_name`` ids; refused naming ``field`` when one is not."""
    decoded = [ids.decode(type_name, value) for value in values]
    if any(value is None for value in decoded):
        raise BadUserInput(field, f"holds an id that is not a {type_name}")
    return [value for value in decoded if value is not None]
