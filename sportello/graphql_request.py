"""The HTTP request of a GraphQL operation, read before anything else is done with it.

Deliberately narrower than a general GraphQL server: JSON bodies only (a browser form cannot
send one across origins without a CORS preflight), no GET (no mutation or query in a URL), no
batches (one operation per request, so limits and throttling count per request). A body may
name a registered document by its hash instead of sending its text (sportello/persisted.py).
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse

from sportello import persisted
from sportello.errors import Refusal


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


async def read_operation(request: Request, max_body_bytes: int) -> dict[str, Any]:
    """The body's query (its text, or the registered text of its persisted hash), whether that
    text is registered, its variables and operation name; or a Refusal."""
    if request.method != "POST":
        raise Refusal(
            405,
            "METHOD_NOT_ALLOWED",
            "Send GraphQL operations with POST.",
            headers={"Allow": "POST"},
        )
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise Refusal(415, "UNSUPPORTED_MEDIA_TYPE", "Send the operation as application/json.")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_body_bytes:
        raise Refusal(413, "PAYLOAD_TOO_LARGE", "The request body is too large.")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_body_bytes:
            raise Refusal(413, "PAYLOAD_TOO_LARGE", "The request body is too large.")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nesting bombs are bad JSON too
        raise Refusal(400, "BAD_REQUEST", "The request body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise Refusal(400, "BAD_REQUEST", "Send one operation per request as a JSON object.")
    # A hash of a registered document stands for its text from here on (sportello/persisted.py).
    document = persisted.document(payload)
    variables = payload.get("variables")
    operation_name = payload.get("operationName")
    if variables is not None and not isinstance(variables, dict):
        raise Refusal(400, "BAD_REQUEST", "variables must be a JSON object.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise Refusal(400, "BAD_REQUEST", "operationName must be a string.")
    return {
        "query": document.text,
        "registered": document.registered,
        "variables": variables,
        "operation_name": operation_name,
    }


class ResultResponse(JSONResponse):
    """An execution's result, encoded by orjson: the same compact UTF-8 JSON as Starlette's
    encoder, several times faster on the large answers of lists and reports. It also writes
    the datetimes and dates a read plan leaves in the data (schema/kit/filling.py)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
