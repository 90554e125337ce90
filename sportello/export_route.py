"""``GET /export/{list}.csv``: every list a caller sees, as CSV, with the same scope and filters.

- The same authentication as /graphql (cookie or bearer); the permission of the list is the
  rule of its GraphQL root field, and each column is the GraphQL field it mirrors, included
  only when the caller's view holds that field: an export never shows more than the API.
- Filters are query parameters named like the GraphQL arguments (``siteId``, ``clientId``,
  ``search``, ...); an unknown parameter or a malformed value (text PostgreSQL cannot store,
  a day outside the calendar) is a 400 BAD_USER_INPUT naming it. Every error answer has the
  JSON shape of /graphql's and a request id (sportello/errors.py).
- Rows stream in keyset batches inside one transaction bound to the caller's organization;
  the header row comes first and the columns keep the order of the export's definition.
- Cells: times in the organization's time zone with their offset, records' global ids with
  the client's and site's names beside them, amounts in integer cents (``*_cents``) with a
  ``currency`` column, true/false, lists joined by "; "; a cell a spreadsheet would run as a
  formula is quoted. ``bom=true`` puts a UTF-8 byte order mark first. The file is named
  ``<organization>-<list>-<local day, or the bill's month>.csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from authz.checks import FieldChecks
from authz.policy import rule_for
from authz.principals import Audience
from db.pagination import PageRequest, fetch_page
from db.queries import organization_settings
from schema.kit.errors import NotFound
from sportello import rate_limit
from sportello.base.clock import now_utc
from sportello.errors import Refusal, answering, internal_error, new_request_id
from sportello.exports import EXPORTS, Column, ExportInputError
from sportello.exports.arguments import flag
from sportello.opening import Gate, open_request

BATCH = 500
# ``?bom=true``: the file starts with a UTF-8 byte order mark, which spreadsheet programs
# (Excel) need to read accents right; off by default, as other programs show it as text.
BOM = "bom"

log = logging.getLogger("sportello.export")


PLAIN_NUMBER = re.compile(r"[+-]?[\d\s().]*\d[\d\s().]*(e[+-]?\d+)?")


def _cell(value: Any, zone: ZoneInfo) -> str:
    """Text of a cell; a leading =, +, - or @ is quoted so spreadsheets do not run it."""
    text = _text(value, zone)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _number(text) else text


def _text(value: Any, zone: ZoneInfo) -> str:
    """A value as the API writes it, except times: local to the organization, with their
    offset (2026-12-07T09:30:00+01:00), so that a spreadsheet shows the office's hours."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(zone).isoformat(timespec="seconds")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(_text(item, zone) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _number(text: str) -> bool:
    """A number or a phone number ("+39 02 4851 2290"): nothing a spreadsheet would run."""
    return PLAIN_NUMBER.fullmatch(text) is not None


@answering
async def export_csv(request: Request) -> Response:
    name = request.path_params["name"]
    export = EXPORTS.get(name)
    if export is None:
        raise Refusal(404, "NOT_FOUND", "No such export.")
    readers = Gate(rule_for("Query", export.query_field), "This list is not available to you.")
    opening = await open_request(request, readers, check_origin=False)
    handed_to_stream = False
    try:
        connection, scope, principal = opening.db, opening.scope, opening.principal
        # Partner tokens spend their per-minute budget on exports too (sportello/rate_limit.py).
        limited = await rate_limit.charge(opening.state, principal, rate_limit.EXPORT_COST)
        if limited is not None:
            raise Refusal.of(limited)
        params = dict(request.query_params)
        try:
            bom = flag(params, BOM) or False
            params.pop(BOM, None)
            statement = export.statement(scope, params)
        except ExportInputError as error:
            raise Refusal(400, "BAD_USER_INPUT", str(error), field=error.field) from None
        checks = FieldChecks(principal)
        columns = [c for c in export.columns if _holds(checks, c)]
        if export.check is not None:
            # A filter naming a client or site out of sight is NOT_FOUND, as in the API.
            try:
                await export.check(connection, scope, params)
            except NotFound as missing:
                raise Refusal.of(missing) from None
        # The first batch is read before answering: a statement that fails (a timeout, a
        # value the database refuses) gets a masked error, not a CSV cut off mid-download.
        try:
            organization = await organization_settings.settings(connection, scope.organization_id)
            first = await fetch_page(
                connection, statement, export.ordering, PageRequest(first=BATCH), max_page=BATCH
            )
        except DBAPIError:
            request_id = new_request_id()
            log.exception("export %s failed (request %s)", name, request_id)
            return internal_error(request_id)
        handed_to_stream = True
    finally:
        if not handed_to_stream:
            await opening.close()

    zone = ZoneInfo(organization.timezone)

    async def rows() -> AsyncIterator[str]:
        try:
            buffer = io.StringIO()
            if bom:
                buffer.write("\ufeff")
            writer = csv.writer(buffer)
            writer.writerow([c.header for c in columns])
            page = first
            while True:
                for row in page.rows:
                    writer.writerow([_cell(c.value(row), zone) for c in columns])
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
                if not page.has_next:
                    break
                page = await fetch_page(
                    connection,
                    statement,
                    export.ordering,
                    PageRequest(first=BATCH, after=page.cursor(-1)),
                    max_page=BATCH,
                )
        finally:
            await opening.close()

    period = export.period(params) if export.period else now_utc().astimezone(zone).date()
    file_name = f"{organization.slug}-{name}-{period}.csv"
    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )


def _holds(checks: FieldChecks, column: Column) -> bool:
    """Does the caller's view hold the field ``column`` mirrors, and may the caller read it?

    A field without a rule is in the staff view alone (schema/kit/views.py)."""
    principal = checks.principal
    rule = rule_for(column.type_name, column.field_name)
    if rule is None:
        return principal.audience is Audience.STAFF
    return (
        principal.audience in rule.audiences
        and checks.reason(column.type_name, column.field_name) is None
    )
