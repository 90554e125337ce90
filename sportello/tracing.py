"""OpenTelemetry traces, sent over OTLP/HTTP when ``SPORTELLO_OTLP_TRACES_ENDPOINT`` is set.

A GraphQL request is one trace: the span ``graphql`` (request id, operation name, audience,
outcome), its child ``graphql.execute`` (the resolvers' work), and a ``sql`` span per
statement, child of whatever ran it, holding the statement's text (``db.statement``) and never
its parameters, which may carry personal data or secrets. Spans leave in batches from a
background thread; a collector that is down costs dropped spans, not requests.

Unset (the default), nothing is traced and nothing of OpenTelemetry runs on a request.
The provider is this module's own, not the process-wide one, so an application embedding
Sportello keeps its own tracing.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from sqlalchemy.ext.asyncio import AsyncEngine

_provider: TracerProvider | None = None
_tracer: trace.Tracer | None = None
# The span of the statement this task is running (one at a time: a connection runs one).
_statement: contextvars.ContextVar[trace.Span | None] = contextvars.ContextVar(
    "sportello_statement_span", default=None
)


def enable(endpoint: str) -> TracerProvider:
    """Send spans to the OTLP/HTTP ``endpoint`` (e.g. http://collector:4318/v1/traces)."""
    global _provider, _tracer
    provider = TracerProvider(resource=Resource.create({"service.name": "sportello"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    _provider, _tracer = provider, provider.get_tracer("sportello")
    return provider


def disable() -> None:
    """Stop tracing, sending what is still buffered first."""
    global _provider, _tracer
    if _provider is not None:
        _provider.shutdown()
    _provider, _tracer = None, None


@contextlib.contextmanager
def span(name: str, **attributes: Any) -> Iterator[trace.Span | None]:
    """A span around the block when tracing is on; None (and no cost) when it is off."""
    if _tracer is None:
        yield None
        return
    with _tracer.start_as_current_span(name, attributes=attributes) as current:
        yield current


def _before(*_: Any) -> None:
    if _tracer is not None:
        opened = _tracer.start_span("sql", attributes={"db.system": "postgresql"})
        _statement.set(opened)


def _statement_text(opened: trace.Span, statement: str) -> None:
    opened.set_attribute("db.statement", statement)


def _after(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
    opened = _statement.get()
    if opened is not None:
        _statement_text(opened, statement)
        opened.end()
        _statement.set(None)


def _failed(failure: Any) -> None:
    opened = _statement.get()
    if opened is not None:
        _statement_text(opened, str(failure.statement))
        opened.set_status(trace.StatusCode.ERROR)
        opened.end()
        _statement.set(None)


def watch_statements(engine: AsyncEngine) -> None:
    """A ``sql`` span for each statement ``engine`` runs, while tracing is on."""
    sa.event.listen(engine.sync_engine, "before_cursor_execute", _before)
    sa.event.listen(engine.sync_engine, "after_cursor_execute", _after)
    sa.event.listen(engine.sync_engine, "handle_error", _failed)
