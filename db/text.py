"""Text in PostgreSQL: what it can store (Unicode without U+0000), and searching it.

A lone UTF-16 surrogate (U+D800 to U+DFFF) reaches Python through JSON's ``\\u`` escapes but
has no UTF-8 encoding, and PostgreSQL refuses U+0000 in text: either one sent to SQL fails
the statement (and in an answer, the JSON encoder). Input is checked with :func:`unstorable`
where it arrives (sportello/graphql_route.py, the exports, cursors), so neither gets that far.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """Why ``text`` cannot be stored (a sentence that does not repeat it), or None."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "text may not contain the NUL character (U+0000)"
    return (
        f"text may not contain a lone UTF-16 surrogate (U+{ord(found.group()):04X}); "
        "send valid Unicode"
    )


def contains(columns: Iterable[sa.ColumnElement[Any]], search: str) -> sa.ColumnElement[bool]:
    """Any of ``columns`` contains ``search`` (trimmed, any case); ``%``, ``_`` and ``\\`` in
    it match themselves, not as LIKE wildcards."""
    escaped = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return sa.or_(*(sa.func.lower(column).like(pattern, escape="\\") for column in columns))
