"""What /graphql answers when it refuses a request or an operation fails, in the one error
shape (sportello/errors.py), each answer with the request's id and its outcome recorded for
the metrics (sportello/metrics.py)."""

from __future__ import annotations

import logging
import re
from typing import Any

from graphql import DocumentNode, GraphQLError
from starlette.responses import JSONResponse, Response

from schema.kit.errors import ApiError, RateLimited, Unauthenticated
from schema.kit.input_faults import refusal
from sportello import logs
from sportello.errors import MASKED, Refusal

log = logging.getLogger("sportello.graphql")

# Coercion messages may still suggest names ("Did you mean ...?"); nothing may spell out the
# schema to a caller.
SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def record_outcome(code: str) -> None:
    """The request's outcome for the metrics, when it is a GraphQL request."""
    facts = logs.current_request()
    if facts is not None and facts.outcome is None:
        facts.outcome = code


def answer(refused: Refusal, request_id: str) -> JSONResponse:
    """The answer to a request refused before execution."""
    record_outcome(refused.code)
    return refused.response(request_id)


def error_response(
    status: int, code: str, message: str, request_id: str, **extensions: Any
) -> JSONResponse:
    return answer(Refusal(status, code, message, **extensions), request_id)


def unauthenticated(request_id: str) -> JSONResponse:
    """Anonymous callers learn nothing about why their document was refused."""
    return error_response(401, "UNAUTHENTICATED", "Authentication required.", request_id)


def refused_anonymous(refused: RateLimited | Unauthenticated, request_id: str) -> Response:
    """The answer to an anonymous request admission refused (sportello/admission.py)."""
    if isinstance(refused, RateLimited):
        return answer(Refusal.of(refused), request_id)
    return unauthenticated(request_id)


def errors_response(
    errors: list[GraphQLError], document: DocumentNode | None, request_id: str, *, code: str
) -> JSONResponse:
    """A document refused before execution: 400 and every error found."""
    record_outcome(code)
    body = {"errors": [format_error(e, document, request_id, code=code) for e in errors]}
    return JSONResponse(body, status_code=400, headers={"X-Request-Id": request_id})


def format_error(
    error: GraphQLError,
    document: DocumentNode | None,
    request_id: str,
    *,
    code: str = "BAD_USER_INPUT",
) -> dict[str, Any]:
    """What the caller sees of an error about ``document``: ApiErrors as raised, anything
    unexpected masked.

    Errors graphql-core raises itself (syntax, validation, variable coercion) are about the
    caller's document and keep their message, with ``code`` unless they carry one. A literal
    or variable a scalar refused by its own rule (a day outside the calendar) is named by its
    argument.
    """
    fault = refusal(error, document) if document is not None else None
    if fault is not None:
        return {
            "message": fault.message,
            "extensions": {"code": "BAD_USER_INPUT", "field": fault.field},
        }
    original = error.original_error
    # No path: the error is about the document or its variables (graphql-core keeps the
    # coercion failure as original_error), not a failure while resolving a field.
    if original is None or (error.path is None and not isinstance(original, ApiError)):
        formatted: dict[str, Any] = dict(error.formatted)
        formatted["message"] = SUGGESTION.sub("", formatted["message"])
        extensions = dict(formatted.get("extensions") or {})
        extensions.setdefault("code", code)
        formatted["extensions"] = extensions
        return formatted
    if isinstance(original, ApiError):
        formatted = {"message": original.message, "extensions": original.as_extensions()}
    else:
        log.error("request %s failed in %s", request_id, error.path, exc_info=original)
        formatted = {
            "message": MASKED,
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        }
    if error.path is not None:
        formatted["path"] = error.path
    return formatted
