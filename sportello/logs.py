"""How the service logs: lines of text, or one JSON object per line for a log collector.

``SPORTELLO_LOG_FORMAT=json`` writes each record as ``{"time", "level", "logger",
"message", "request_id", "organization_id", "principal", "exception"}``: the request's id (the
``requestId`` its caller sees in an error), the organization it was bound to and the kind of
principal (public, staff, portal, partner), so one request's lines can be found together.
Records carry what our code put in them and nothing else: no headers, no bodies, no
variables, so never a password, a token or a session; exceptions keep their traceback, whose
frames hold code, not values.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

from sportello.base.settings import Settings


@dataclasses.dataclass(slots=True)
class RequestFacts:
    """What the log lines of one request share; filled in as the request learns them."""

    request_id: str
    organization_id: str | None = None
    principal: str = "public"
    # For the metrics (sportello/metrics.py): the client's operation name, and the first
    # error code of a GraphQL result (other answers: their status says it).
    operation_name: object = None
    outcome: str | None = None


_current: contextvars.ContextVar[RequestFacts | None] = contextvars.ContextVar(
    "sportello_request", default=None
)


@contextlib.contextmanager
def request_facts(request_id: str) -> Iterator[RequestFacts]:
    """The facts of the request running in the block (in this task and the tasks it starts)."""
    facts = RequestFacts(request_id)
    token = _current.set(facts)
    try:
        yield facts
    finally:
        _current.reset(token)


def current_request() -> RequestFacts | None:
    return _current.get()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        facts = _current.get()
        if facts is not None:
            entry["request_id"] = facts.request_id
            entry["organization_id"] = facts.organization_id
            entry["principal"] = facts.principal
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(settings: Settings) -> None:
    """One handler on stderr for every logger of the process (uvicorn's included), unless
    whoever runs us (a test runner, an application embedding Sportello) configured logging."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    # Our own lines and uvicorn's (start, stop, access) from INFO; other libraries' warnings.
    root.setLevel(logging.WARNING)
    for name in ("sportello", "uvicorn"):
        logging.getLogger(name).setLevel(logging.INFO)
