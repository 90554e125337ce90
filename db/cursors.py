"""Cursors of keyset pagination (db/pagination.py): the ordering values of a row, opaque to
clients (base64url of a JSON array) and checked on the way in. A cursor that does not decode,
or does not fit the list's ordering, is a BadCursor.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import json
import re
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from db.text import unstorable


class BadCursor(ValueError):
    """A cursor that this list did not hand out; ``argument`` is where it was given."""

    def __init__(self, argument: str = "after") -> None:
        super().__init__("the cursor does not belong to this list")
        self.argument = argument


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time | uuid.UUID | decimal.Decimal):
        return str(value)
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# The longest cursor taken: a few ordering values, a name among them (issued ones are far
# shorter). Longer text is refused before it is decoded.
MAX_CURSOR_CHARS = 4096
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
# A JSON string, to be skipped when counting brackets.
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_INT_BITS = {sa.SmallInteger: 16, sa.BigInteger: 64}


def _typed(column: sa.ColumnElement[Any], value: Any) -> Any:
    """``value`` of a decoded cursor as the column's Python value; ValueError unless it is
    a value the column can hold and the database can be asked about."""
    if value is None:
        return None
    # sqlmodel's AutoString decorates String; look through decorators.
    sql_type = getattr(column.type, "impl_instance", column.type)
    if isinstance(sql_type, sa.String):
        if isinstance(value, str) and unstorable(value) is None:
            return value
        raise ValueError(value)
    kind = column.type.python_type
    if kind is int:
        bits = next((b for t, b in _INT_BITS.items() if isinstance(sql_type, t)), 32)
        if type(value) is int and -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            return value
        raise ValueError(value)
    if not isinstance(value, str):
        raise ValueError(value)
    if kind is dt.datetime:
        moment = dt.datetime.fromisoformat(value)
        # Compared in UTC: a time whose UTC is outside Python's calendar (year 1 at +14:00)
        # raises OverflowError here, not in the driver.
        moment.astimezone(dt.UTC)
        return moment
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if kind is dt.time:
        return dt.time.fromisoformat(value)
    if kind is uuid.UUID:
        return uuid.UUID(value)
    if kind is decimal.Decimal:
        number = decimal.Decimal(value)
        if not number.is_finite() or abs(number.adjusted()) > 100:
            raise ValueError(value)
        return number
    if kind is str:
        return value
    raise ValueError(value)


def decode_cursor(
    cursor: str, columns: Sequence[sa.ColumnElement[Any]], argument: str = "after"
) -> list[Any]:
    """The values of ``columns`` (a list's ordering) in a cursor this list handed out, or
    BadCursor naming ``argument``.

    Only the exact text :func:`encode_cursor` makes is taken: base64url without padding of a
    flat JSON array, one value per column, each of the column's type and encoded
    again to the same text. Anything else (nested arrays, NUL, lone surrogates, numbers out
    of range, another list's cursor) is refused before it reaches JSON's recursion or SQL.
    """
    if len(cursor) > MAX_CURSOR_CHARS or not _BASE64URL.fullmatch(cursor):
        raise BadCursor(argument)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        # One array of scalars: a single bracket outside strings and no object.
        skeleton = _JSON_STRING.sub(b"", raw)
        if skeleton.count(b"[") != 1 or b"{" in skeleton:
            raise BadCursor(argument)
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(columns):
            raise BadCursor(argument)
        typed = [_typed(c, v) for c, v in zip(columns, values, strict=True)]
        if encode_cursor(typed) != cursor:
            raise BadCursor(argument)
        return typed
    except (binascii.Error, ValueError, TypeError, ArithmeticError):
        # UnicodeDecodeError, OverflowError and decimal's errors are among these.
        raise BadCursor(argument) from None
