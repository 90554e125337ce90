"""``sportello import FILE... --organization SLUG``: the import of resolvers/imports/ from files.

It runs as the database owner but binds each file's transaction to the organization as a
request is bound (db/tenancy.py), so row-level security holds it to that organization as it
holds the API. Each file is its own transaction: imported whole or not at all. Files run in
dependency order (clients before sites before equipment), whatever order they are given in.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncEngine

from authz.principals import Audience
from authz.scope import RowScope
from db import tenancy
from db.queries import imports
from db.queries.accounts import organization_id_by_slug
from resolvers.imports import parse, run
from resolvers.imports.entities import ENTITIES, ORDER
from schema.import_types import ImportFormat, ImportOutcome
from sportello.base.errors import StartupError

FORMATS = {
    ".csv": ImportFormat.CSV,
    ".jsonl": ImportFormat.JSON_LINES,
    ".ndjson": ImportFormat.JSON_LINES,
}


@dataclasses.dataclass(frozen=True)
class ImportFile:
    path: Path
    format: ImportFormat
    entity: str | None


def entity_of_name(path: Path) -> str | None:
    """The entity a file's name starts with (``clients.csv``, ``sites-2026.csv``)."""
    first = re.split(r"[^a-z]+", path.stem.lower())[0]
    return first if first in ENTITIES else None


def planned(paths: Sequence[Path], entity: str | None) -> list[ImportFile]:
    """The files with their format and entity, in dependency order; StartupError for one
    the command cannot read as an import."""
    if entity is not None and entity not in ENTITIES:
        raise StartupError(f"--entity {entity}: use one of {', '.join(ORDER)}")
    files: list[ImportFile] = []
    for path in paths:
        format = FORMATS.get(path.suffix.lower())
        if format is None:
            raise StartupError(f"{path}: give a .csv or a .jsonl (JSON lines) file")
        if not path.is_file():
            raise StartupError(f"{path}: no such file")
        named = entity or entity_of_name(path)
        if named is None and format is ImportFormat.CSV:
            known = ", ".join(ORDER)
            raise StartupError(f"{path}: name the file after its entity ({known}) or use --entity")
        files.append(ImportFile(path, format, named))
    # A file mixing entities (JSON lines without one) keeps its place after the named ones.
    return sorted(files, key=lambda f: ORDER.index(f.entity) if f.entity else len(ORDER))


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise StartupError(f"{path}: not UTF-8 text; save it as UTF-8") from None


def print_report(name: str, report: run.Report, out: TextIO) -> None:
    """One line per row, then the file's summary."""
    for row in report.rows:
        where = f"{name}:{row.line}"
        ref = row.external_ref or "-"
        if row.outcome is ImportOutcome.REFUSED:
            print(f"{where}\t{ref}\trefused\t{row.field}: {row.reason}", file=out)
        else:
            print(f"{where}\t{ref}\t{row.outcome.value.lower()}\t{' '.join(row.changed)}", file=out)
    counts = ", ".join(
        f"{report.count(outcome)} {outcome.value.lower()}" for outcome in ImportOutcome
    )
    if report.written:
        changes = report.count(ImportOutcome.CREATED) + report.count(ImportOutcome.UPDATED)
        state = "written" if changes else "nothing to change"
    elif report.dry_run:
        state = "dry run: nothing written"
    else:
        state = "refused: nothing written"
    print(f"{name}: {counts} ({state})", file=out)


async def import_files(
    engine: AsyncEngine,
    organization: str,
    files: Sequence[ImportFile],
    *,
    dry_run: bool,
    out: TextIO,
) -> bool:
    """Import each file in its own transaction; whether every row of every file was accepted."""
    accepted = True
    known: run.Registry = {}
    for file in files:
        lines = parse.read(_text(file.path), file.format)
        async with engine.begin() as db:
            organization_id = await organization_id_by_slug(db, organization)
            if organization_id is None:
                raise StartupError(f"no organization {organization!r}; check --organization")
            await tenancy.bind(db, organization_id)
            report = await run.run(
                db,
                RowScope(organization_id, Audience.STAFF),
                lines,
                entity=file.entity,
                dry_run=dry_run,
                actor=None,
                ip=None,
                source="sportello import",
                known=known,
            )
        if report.written:
            async with engine.begin() as db:
                await imports.refresh_statistics(db, (e.model for e in ENTITIES.values()))
        print_report(file.path.name, report, out)
        accepted = accepted and report.count(ImportOutcome.REFUSED) == 0
    return accepted
