"""The one JSON error answer of every HTTP route, /graphql's included.

Routes raise a :class:`Refusal` (sportello/opening.py does when a caller may not open a
route) and :func:`answering` answers it; /graphql answers it with its own request id
(sportello/graphql_errors.py). Every such answer carries a request id, in
``extensions.requestId`` and ``X-Request-Id``, so a caller can quote it and the operator find
the log line. An exception no route caught becomes the masked INTERNAL_SERVER_ERROR
(:func:`unhandled`, installed by create_app), never Starlette's bare ``500 text/plain``.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from schema.kit.errors import ApiError, RateLimited

log = logging.getLogger("sportello")

MASKED = "Internal server error."


def new_request_id() -> str:
    return uuid.uuid4().hex


def problem(
    status: int,
    code: str,
    message: str,
    *,
    request_id: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """``{"errors": [{"message", "extensions": {"code", ..., "requestId"}}]}`` with ``status``."""
    request_id = request_id or new_request_id()
    body = {
        "errors": [
            {
                "message": message,
                "extensions": {"code": code, **extensions, "requestId": request_id},
            }
        ]
    }
    return JSONResponse(
        body, status_code=status, headers={**(headers or {}), "X-Request-Id": request_id}
    )


def internal_error(request_id: str | None = None) -> JSONResponse:
    """The masked answer to a failure; what failed goes to the log with the same id."""
    return problem(500, "INTERNAL_SERVER_ERROR", MASKED, request_id=request_id)


# The HTTP status of an API error's code, when a route answers the error as it was raised.
STATUSES = {
    "BAD_USER_INPUT": 400,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "CONFLICT": 409,
    "RATE_LIMITED": 429,
}


class Refusal(Exception):
    """A request a route will not serve, answered in the one error shape (:func:`problem`).

    Raised anywhere below a route wrapped by :func:`answering` (sportello/opening.py raises
    it when a caller may not open a route)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.extensions = extensions

    @classmethod
    def of(cls, error: ApiError, status: int | None = None) -> Refusal:
        """``error`` as raised (RATE_LIMITED with its ``Retry-After`` header), with ``status``
        or the one its code has (:data:`STATUSES`)."""
        headers = None
        if isinstance(error, RateLimited):
            headers = {"Retry-After": str(error.retry_after_seconds)}
        return cls(
            status or STATUSES.get(error.code, 400),
            error.code,
            error.message,
            headers=headers,
            **error.extensions,
        )

    def response(self, request_id: str | None = None) -> JSONResponse:
        return problem(
            self.status,
            self.code,
            self.message,
            request_id=request_id,
            headers=self.headers,
            **self.extensions,
        )


Route = Callable[[Request], Awaitable[Response]]


def answering(route: Route) -> Route:
    """``route`` with every :class:`Refusal` it raises answered in the one error shape."""

    @functools.wraps(route)
    async def answered(request: Request) -> Response:
        try:
            return await route(request)
        except Refusal as refusal:
            return refusal.response()

    return answered


# Codes of the refusals Starlette raises itself (no route for the path, a method the route
# does not take).
HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}


async def http_refusal(request: Request, error: Exception) -> Response:
    """Starlette's own 404 and 405 in the JSON error shape, not its bare text/plain."""
    assert isinstance(error, HTTPException)
    code = HTTP_CODES.get(error.status_code, "BAD_REQUEST")
    message = "No such resource." if error.status_code == 404 else str(error.detail)
    return problem(error.status_code, code, message, headers=dict(error.headers or {}))


async def unhandled(request: Request, error: Exception) -> Response:
    """Starlette's handler for any exception a route let through: logged with a request id,
    answered masked (Starlette then re-raises it to the server, which logs it once more)."""
    request_id = new_request_id()
    log.error("request %s to %s failed", request_id, request.url.path, exc_info=error)
    return internal_error(request_id)
