"""``importRecords``: the staff API's bulk upsert, the same import as ``sportello import``.

The file travels in the request, so it is bounded: the request body limit
(``SPORTELLO_MAX_BODY_BYTES``, 100 kB by default: about a thousand rows) comes first; past
it, at most :data:`MAX_CONTENT_CHARS` characters and :data:`MAX_ROWS` rows (BAD_USER_INPUT
``content``). Larger files go through the CLI, which has no bound. Refused rows are not
errors: the report lists every one (with nothing written), which one GraphQL error could not.
"""

from __future__ import annotations

import strawberry
from strawberry import Info

from authz.policy import BACK_OFFICE_ONLY
from db.queries import audit
from resolvers.imports import parse, run
from schema.import_types import (
    ImportEntity,
    ImportFormat,
    ImportOutcome,
    ImportReport,
    ImportRow,
)
from schema.kit.context import Context
from schema.kit.errors import BadUserInput
from schema.kit.permissions import permitted

MAX_CONTENT_CHARS = 5_000_000
MAX_ROWS = 20_000


def report_of(report: run.Report) -> ImportReport:
    """The GraphQL form of an import's report."""
    entities = {entity.value for entity in ImportEntity}
    return ImportReport(
        dry_run=report.dry_run,
        written=report.written,
        created=report.count(ImportOutcome.CREATED),
        updated=report.count(ImportOutcome.UPDATED),
        unchanged=report.count(ImportOutcome.UNCHANGED),
        refused=report.count(ImportOutcome.REFUSED),
        rows=[
            ImportRow(
                line=row.line,
                entity=ImportEntity(row.entity) if row.entity in entities else None,
                external_ref=row.external_ref,
                outcome=row.outcome,
                changed=row.changed,
                field=row.field,
                reason=row.reason,
            )
            for row in report.rows
        ],
    )


@strawberry.type
class ImportMutation:
    @strawberry.mutation(
        description="Create or update records by their external reference (ADMIN, OFFICE): "
        "all of the content or nothing; a dry run only reports. At most 5,000,000 "
        "characters and 20,000 rows (and the request body limit); more with `sportello "
        "import`.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def import_records(
        self,
        info: Info[Context, None],
        format: ImportFormat,
        content: str,
        entity: ImportEntity | None = None,
        dry_run: bool = False,
    ) -> ImportReport:
        if len(content) > MAX_CONTENT_CHARS:
            raise BadUserInput("content", f"give at most {MAX_CONTENT_CHARS} characters")
        if format is ImportFormat.CSV and entity is None:
            raise BadUserInput("entity", "a CSV file holds one entity; name it")
        lines = parse.read(content, format)
        if len(lines) > MAX_ROWS:
            raise BadUserInput("content", f"give at most {MAX_ROWS} rows")
        context = info.context
        report = await run.run(
            context.db,
            context.rows.scope,
            lines,
            entity=entity.value if entity is not None else None,
            dry_run=dry_run,
            actor=audit.actor_of(context.principal),
            ip=context.caller.ip,
            source="importRecords",
        )
        return report_of(report)
