"""Traces over OTLP/HTTP: a collector on loopback receives one trace per GraphQL request."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from db.seed import DEMO_PASSWORD
from sportello import tracing
from tests.conftest import MakeDemo


class Collector:
    """An OTLP/HTTP receiver: the spans of every export it was sent."""

    def __init__(self) -> None:
        self.spans: list[Any] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                request = ExportTraceServiceRequest.FromString(body)
                for resource in request.resource_spans:
                    for scope in resource.scope_spans:
                        collector.spans.extend(scope.spans)
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1/traces"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def collector() -> Iterator[Collector]:
    running = Collector()
    yield running
    tracing.disable()
    running.server.shutdown()
    running.server.server_close()


def attributes(span: Any) -> dict[str, str]:
    return {a.key: a.value.string_value for a in span.attributes}


async def test_a_request_is_one_trace_of_request_execution_and_statements(
    collector: Collector, make_demo: MakeDemo
) -> None:
    demo = await make_demo(otlp_traces_endpoint=collector.url)
    token = await demo.staff("ADMIN")
    query = "query Sites { sites(first: 3) { totalCount edges { node { name } } } }"
    response = await demo.gql(query, token, operation_name="Sites")
    request_id = response.headers["x-request-id"]
    tracing.disable()  # sends what is buffered
    requests = [
        s for s in collector.spans if attributes(s).get("sportello.request_id") == request_id
    ]
    assert len(requests) == 1
    root = requests[0]
    assert attributes(root)["graphql.operation.name"] == "Sites"
    assert attributes(root)["sportello.audience"] == "staff"
    assert attributes(root)["sportello.outcome"] == "ok"
    trace = [s for s in collector.spans if s.trace_id == root.trace_id]
    executions = [s for s in trace if s.name == "graphql.execute"]
    assert len(executions) == 1
    assert executions[0].parent_span_id == root.span_id
    statements = [s for s in trace if s.name == "sql"]
    assert len(statements) >= 3
    assert all(attributes(s)["db.statement"] for s in statements)
    under_execution = [s for s in statements if s.parent_span_id == executions[0].span_id]
    assert any("site" in attributes(s)["db.statement"] for s in under_execution)
    # The statement's text only: the login's password and the session token are nowhere.
    every_value = " ".join(v for s in collector.spans for v in attributes(s).values())
    assert DEMO_PASSWORD not in every_value
    assert token not in every_value
    await demo.engine.dispose()
