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
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from authz.authenticate import authenticate, bind
from authz.checks import FieldChecks
from authz.login import now_utc
from authz.policy import rule_for
from db.pagination import PageRequest, fetch_page
from schema.errors import ApiError, NotFound
from sportello import rate_limit
from sportello.errors import internal_error, new_request_id, problem
from sportello.exports import EXPORTS, ExportInputError
from sportello.state import AppState

BATCH = 500

log = logging.getLogger("sportello.export")


PLAIN_NUMBER = re.compile(r"[+-]?[\d\s().]*\d[\d\s().]*(e[+-]?\d+)?")


def _cell(value: Any) -> str:
    """Text of a cell; a leading =, +, - or @ is quoted so spreadsheets do not run it."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _number(text) else text


def _number(text: str) -> bool:
    """A number or a phone number ("+39 02 4851 2290"): nothing a spreadsheet would run."""
    return PLAIN_NUMBER.fullmatch(text) is not None


async def export_csv(request: Request) -> Response:
    state: AppState = request.app.state.sportello
    name = request.path_params["name"]
    export = EXPORTS.get(name)
    if export is None:
        return problem(404, "NOT_FOUND", "No such export.")
    connection = await state.engine.connect()
    transaction = await connection.begin()
    handed_to_stream = False
    try:
        try:
            identity = await authenticate(
                connection, request, state.settings, now_utc(), check_origin=False
            )
        except ApiError as refused:
            status = 403 if refused.code == "FORBIDDEN" else 401
            return problem(status, refused.code, refused.message)
        rule = rule_for("Query", export.query_field)
        if identity.scope is None:
            return problem(401, "UNAUTHENTICATED", "Authentication required.")
        if rule is None or rule.check(identity.principal) is not None:
            return problem(403, "FORBIDDEN", "This list is not available to you.")
        # Partner tokens spend their per-minute budget on exports too (sportello/rate_limit.py).
        limited = await rate_limit.charge(state, identity.principal, rate_limit.EXPORT_COST)
        if limited is not None:
            return rate_limit.refusal(limited, new_request_id())
        try:
            statement = export.statement(identity.scope, dict(request.query_params))
        except ExportInputError as error:
            return problem(400, "BAD_USER_INPUT", str(error), field=error.field)
        checks = FieldChecks(identity.principal)
        columns = [
            c
            for c in export.columns
            if (c_rule := rule_for(c.type_name, c.field_name)) is not None
            and identity.principal.audience in c_rule.audiences
            and checks.reason(c.type_name, c.field_name) is None
        ]
        await bind(connection, identity)
        if export.check is not None:
            # A filter naming a client or site out of sight is NOT_FOUND, as in the API.
            try:
                await export.check(connection, identity.scope, dict(request.query_params))
            except NotFound as missing:
                return problem(404, missing.code, missing.message)
        # The first batch is read before answering: a statement that fails (a timeout, a
        # value the database refuses) gets a masked error, not a CSV cut off mid-download.
        try:
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
            await transaction.rollback()
            await connection.close()

    async def rows() -> AsyncIterator[str]:
        try:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow([c.header for c in columns])
            page = first
            while True:
                for row in page.rows:
                    writer.writerow([_cell(c.value(row)) for c in columns])
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
            await transaction.rollback()
            await connection.close()

    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
