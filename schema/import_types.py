"""The import's enums and its report (``importRecords``, resolvers/imports/; the CLI prints
the same report)."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="What a file holds; a JSON lines file may name it per line.")
class ImportEntity(enum.Enum):
    CLIENTS = "clients"
    SITES = "sites"
    DEPARTMENTS = "departments"
    EQUIPMENT = "equipment"
    CONTRACTS = "contracts"


@strawberry.enum(description="CSV with a header row, or one JSON object per line.")
class ImportFormat(enum.Enum):
    CSV = "CSV"
    JSON_LINES = "JSON_LINES"


@strawberry.enum(description="What the import does (or, in a dry run, would do) with a row.")
class ImportOutcome(enum.Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"
    REFUSED = "REFUSED"


@strawberry.type(description="One row of the file and what became of it.")
class ImportRow:
    line: int = strawberry.field(description="Its line in the file (the CSV header is line 1).")
    entity: ImportEntity | None
    external_ref: str | None
    outcome: ImportOutcome
    changed: list[str] = strawberry.field(
        description="The fields a created or updated row sets (as the mutations name them)."
    )
    field: str | None = strawberry.field(description="The field a refused row is refused for.")
    reason: str | None


@strawberry.type(description="An import's report; nothing was written unless `written`.")
class ImportReport:
    dry_run: bool
    written: bool = strawberry.field(
        description="Whether the changes were written: false for a dry run or a refused row."
    )
    created: int
    updated: int
    unchanged: int
    refused: int
    rows: list[ImportRow]
