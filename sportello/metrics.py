"""Prometheus metrics at ``GET /metrics`` (prometheus_client's text format).

What an operator watches: GraphQL requests by operation name, audience and outcome; their
latency by audience; SQL statements per request; the outbox (messages waiting, the age of
the oldest, DEAD ones); rate-limit refusals; failed logins.

- Off unless ``SPORTELLO_METRICS_TOKEN`` is set: then the scraper sends it as a bearer token
  (compared in constant time) and anything else gets the same 404 as an unknown path, so
  the endpoint neither leaks figures nor says that it exists.
- Operation names are chosen by clients: a name that is not a GraphQL name is counted as
  ``invalid``, and past ``MAX_OPERATION_NAMES`` distinct names a process counts the rest
  as ``other``, so a caller cannot grow the series without bound.
- The outbox's figures are read from PostgreSQL at each scrape (the one state every process
  shares), so any process answers them whole. Counters and histograms are per process:
  with several processes behind one port, set ``PROMETHEUS_MULTIPROC_DIR`` to an empty
  folder (prometheus_client's multiprocess mode) and every process answers the sum.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hmac
import os
import re
from typing import Any

import sqlalchemy as sa
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

from db.queries import operations
from sportello.errors import problem
from sportello.state import AppState

REGISTRY = CollectorRegistry(auto_describe=True)
MAX_OPERATION_NAMES = 100
OPERATION_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")

REQUESTS = Counter(
    "sportello_graphql_requests",
    "GraphQL requests by operation name, audience and outcome (ok or the first error code).",
    ["operation", "audience", "outcome"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "sportello_graphql_request_duration_seconds",
    "Time from the request's arrival to its answer, by audience.",
    ["audience"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
STATEMENTS = Histogram(
    "sportello_sql_statements_per_request",
    "SQL statements one GraphQL request ran (authentication and admission included).",
    buckets=(1, 2, 3, 5, 8, 13, 21, 34, 55, 89),
    registry=REGISTRY,
)
EXECUTIONS = Counter(
    "sportello_graphql_executions",
    "GraphQL operations executed, by how: a read plan or Strawberry (schema/kit/read_plans.py).",
    ["path"],
    registry=REGISTRY,
)

REFUSALS = Counter(
    "sportello_rate_limit_refusals",
    "GraphQL requests refused with RATE_LIMITED, by the caller's audience.",
    ["audience"],
    registry=REGISTRY,
)
LOGIN_FAILURES = Counter(
    "sportello_login_failures",
    "Logins refused (wrong credentials or throttled).",
    registry=REGISTRY,
)
# Read at each scrape: with several processes, the value of the latest scrape is the one.
OUTBOX_PENDING = Gauge(
    "sportello_outbox_pending",
    "Messages waiting to be sent.",
    multiprocess_mode="mostrecent",
    registry=REGISTRY,
)
OUTBOX_OLDEST = Gauge(
    "sportello_outbox_oldest_pending_age_seconds",
    "Age of the oldest message waiting to be sent (0 when none waits).",
    multiprocess_mode="mostrecent",
    registry=REGISTRY,
)
OUTBOX_DEAD = Gauge(
    "sportello_outbox_dead",
    "Messages given up on after their last attempt.",
    multiprocess_mode="mostrecent",
    registry=REGISTRY,
)

_names: set[str] = set()
# The statements the current request ran (None outside a GraphQL request).
_statements: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "sportello_statements", default=None
)


def operation_label(name: object) -> str:
    """The label of a client-chosen operation name, bounded as the module says."""
    if name is None:
        return "anonymous"
    if not isinstance(name, str) or not OPERATION_NAME.match(name):
        return "invalid"
    if name in _names:
        return name
    if len(_names) >= MAX_OPERATION_NAMES:
        return "other"
    _names.add(name)
    return name


def count_statements() -> contextvars.Token[list[int] | None]:
    """Start counting the statements of the current request (``statements_counted`` ends)."""
    return _statements.set([0])


def statements_counted(token: contextvars.Token[list[int] | None]) -> int:
    counter = _statements.get()
    _statements.reset(token)
    return counter[0] if counter is not None else 0


def _on_statement(*_: Any) -> None:
    counter = _statements.get()
    if counter is not None:
        counter[0] += 1


def watch_statements(engine: AsyncEngine) -> None:
    """Count every statement ``engine`` runs against the request that ran it."""
    sa.event.listen(engine.sync_engine, "before_cursor_execute", _on_statement)


def observe_request(
    operation: str, audience: str, outcome: str, seconds: float, statements: int
) -> None:
    REQUESTS.labels(operation, audience, outcome).inc()
    LATENCY.labels(audience).observe(seconds)
    STATEMENTS.observe(statements)


def _authorized(request: Request, token: str) -> bool:
    sent = request.headers.get("authorization", "")
    return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


async def _read_outbox(engine: AsyncEngine) -> None:
    async with engine.connect() as db:
        figures = await operations.outbox_health(db)
    now = dt.datetime.now(dt.UTC)
    OUTBOX_PENDING.set(figures.pending)
    OUTBOX_DEAD.set(figures.dead)
    oldest = figures.oldest_pending
    OUTBOX_OLDEST.set((now - oldest).total_seconds() if oldest is not None else 0)


async def metrics_endpoint(request: Request) -> Response:
    state: AppState = request.app.state.sportello
    token = state.settings.metrics_token
    if token is None or not _authorized(request, token):
        return problem(404, "NOT_FOUND", "Not found.")
    await _read_outbox(state.engine)
    registry = REGISTRY
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
