"""Reading an import file into numbered lines of text fields, before any check.

Two formats. CSV: a header row naming the fields (``externalRef``, then the entity's fields
as the staff mutations name them), one record per row, comma or semicolon separated (a
spreadsheet in an Italian locale writes semicolons), a UTF-8 BOM ignored. JSON lines: one
object per line, the same field names, plus ``entity`` when the file mixes entities. A
value given empty clears an optional field; a field left out (no column, a key absent or
null) stays as it is. A line the format itself refuses keeps its number and a fault.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from typing import Any

from schema.import_types import ImportFormat


@dataclasses.dataclass
class Line:
    """One record of a file: its line number (the header is line 1), the entity it names
    (None: the file's), its fields as text, or the (field, reason) the format refused."""

    number: int
    entity: str | None
    fields: dict[str, str]
    fault: tuple[str, str] | None = None


def _delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def read_csv(content: str) -> list[Line]:
    """The rows of a CSV file with a header row, numbered as an editor shows them."""
    content = content.removeprefix("\ufeff")
    rows = csv.reader(content.splitlines(keepends=True), delimiter=_delimiter(content[:2000]))
    header: list[str] | None = None
    lines: list[Line] = []
    last = 0
    try:
        for cells in rows:
            number, last = last + 1, rows.line_num
            if header is None:
                header = [cell.strip() for cell in cells]
                continue
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                reason = f"has {len(cells)} cells where the header names {len(header)}"
                lines.append(Line(number, None, {}, ("line", reason)))
                continue
            lines.append(Line(number, None, dict(zip(header, cells, strict=True))))
    except csv.Error as error:
        lines.append(Line(last + 1, None, {}, ("line", f"is not valid CSV ({error})")))
    if header is None:
        return [Line(1, None, {}, ("line", "the file is empty; give a header row first"))]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated or "" in header:
        reason = f"the header names {', '.join(duplicated)} twice" if duplicated else ""
        return [Line(1, None, {}, ("line", reason or "the header has an empty column name"))]
    return lines


def _text(value: Any) -> str | None:
    """A JSON value as the text a CSV cell would hold; None for null (left out)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise ValueError("give text, a number or true/false")


def read_json_lines(content: str) -> list[Line]:
    """One object per non-blank line; ``entity`` names the entity of its line."""
    lines: list[Line] = []
    for number, text in enumerate(content.removeprefix("\ufeff").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            found = json.loads(text)
        except ValueError:
            lines.append(Line(number, None, {}, ("line", "is not a JSON object")))
            continue
        if not isinstance(found, dict):
            lines.append(Line(number, None, {}, ("line", "is not a JSON object")))
            continue
        entity = found.pop("entity", None)
        fields: dict[str, str] = {}
        fault = None
        for key, value in found.items():
            try:
                given = _text(value)
            except ValueError as error:
                fault = (key, str(error))
                break
            if given is not None:
                fields[key] = given
        lines.append(Line(number, entity if isinstance(entity, str) else None, fields, fault))
    return lines


def read(content: str, format: ImportFormat) -> list[Line]:
    return read_csv(content) if format is ImportFormat.CSV else read_json_lines(content)
