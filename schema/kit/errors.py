"""Errors a caller may see, each with the ``extensions.code`` of SPEC §8.

Resolvers raise these; anything else is masked as INTERNAL_SERVER_ERROR with a request id.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error whose message is safe to show to the caller."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions

    def as_extensions(self) -> dict[str, Any]:
        return {"code": self.code, **self.extensions}


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"


class Forbidden(ApiError):
    code = "FORBIDDEN"


class FieldRefused(Forbidden):
    """A flag-gated field the caller may not read, answered null at its path.

    The route keeps the request's transaction when these are its only errors: they refuse
    a read, not the request (the session's last use is still recorded)."""


class NotFound(ApiError):
    """Also the answer for a record outside the caller's scope: the two must look the same."""

    code = "NOT_FOUND"

    def __init__(self, what: str = "record") -> None:
        super().__init__(f"No such {what}.")


class BadUserInput(ApiError):
    """Invalid input; ``field`` names the argument or input field at fault."""

    code = "BAD_USER_INPUT"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", field=field)


class Conflict(ApiError):
    code = "CONFLICT"


class RateLimited(ApiError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message, retryAfter=retry_after_seconds)
        self.retry_after_seconds = retry_after_seconds
