"""``POST /graphql``: one JSON document in, one JSON result out, through the caller's view.

The request is read first (sportello/graphql_request.py), then waits for a turn
(sportello/admission.py), is opened like every route (sportello/opening.py), and its document
is parsed, validated and executed in one transaction; every refusal and error is answered in
the one error shape (sportello/graphql_errors.py).
"""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
)
from graphql.execution import ExecutionResult, execute
from starlette.requests import Request
from starlette.responses import Response
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from authz.checks import FieldChecks
from authz.principals import Anonymous, Caller, ContactPrincipal
from db.scoped.loaders import Loaders
from schema.kit.context import Context
from schema.kit.errors import FieldRefused
from schema.kit.input_faults import request_fault
from schema.kit.limits import MAX_COST, query_cost
from schema.kit.read_plans import plan_for
from schema.kit.reading import read
from schema.kit.relay import set_page_limit
from sportello import admission, logs, metrics, persisted, rate_limit, tracing
from sportello.assembly import view_for
from sportello.base.settings import Settings
from sportello.errors import MASKED, Refusal
from sportello.graphql_documents import (
    document_facts,
    document_field_uses,
    parse_document,
    past_first,
    validate_document,
)
from sportello.graphql_errors import (
    answer,
    error_response,
    errors_response,
    format_error,
    refused_anonymous,
    unauthenticated,
)
from sportello.graphql_request import ResultResponse, read_operation, wants_html
from sportello.graphql_session import apply_cookies, record_preview
from sportello.opening import EVERYONE, Opened, opened
from sportello.playground import playground
from sportello.state import AppState
from sportello.turns import Crowded

log = logging.getLogger("sportello.graphql")


async def graphql_endpoint(request: Request) -> Response:
    """Every failure outside GraphQL execution too (a database gone while authenticating)
    answers a masked JSON error with the request id, never a bare 500."""
    request_id = uuid.uuid4().hex
    started = time.perf_counter()
    counting = metrics.count_statements()
    with (
        logs.request_facts(request_id) as facts,
        tracing.span("graphql", **{"sportello.request_id": request_id}) as traced,
    ):
        try:
            response = await _graphql(request, request_id)
        except Exception:
            log.exception("request %s failed before or after execution", request_id)
            response = error_response(500, "INTERNAL_SERVER_ERROR", MASKED, request_id)
        outcome = _observe(
            facts, response, time.perf_counter() - started, metrics.statements_counted(counting)
        )
        if traced is not None:
            traced.set_attributes(
                {
                    "graphql.operation.name": metrics.operation_label(facts.operation_name),
                    "sportello.audience": facts.principal,
                    "sportello.outcome": outcome,
                }
            )
    return response


# The outcome of an answer whose code no error helper recorded (a result without errors).
STATUS_OUTCOMES = {200: "ok"}


def _observe(facts: logs.RequestFacts, response: Response, seconds: float, statements: int) -> str:
    """The request in the metrics (sportello/metrics.py); its outcome."""
    status = response.status_code
    outcome = facts.outcome or STATUS_OUTCOMES.get(status, f"HTTP_{status}")
    operation = metrics.operation_label(facts.operation_name)
    metrics.observe_request(operation, facts.principal, outcome, seconds, statements)
    if outcome == "RATE_LIMITED":
        metrics.REFUSALS.labels(facts.principal).inc()
    return outcome


async def _graphql(request: Request, request_id: str) -> Response:
    state: AppState = request.app.state.sportello
    settings = state.settings
    if request.method == "GET" and settings.development and wants_html(request):
        return await playground(request)
    try:
        operation = await read_operation(request, settings.max_body_bytes)
    except Refusal as rejected:
        return answer(rejected, request_id)
    _facts().operation_name = operation["operation_name"]
    # The body is read before taking a turn: a client sending it slowly holds no turn. Each
    # principal gets its share of the turns (sportello/admission.py).
    try:
        async with state.admission.turns.turn(admission.principal_key(request, settings)):
            return await _run(request, request_id, state, operation)
    except Crowded as crowded:
        return answer(Refusal.of(crowded.limited), request_id)


def _facts() -> logs.RequestFacts:
    """The running request's facts (set by graphql_endpoint before anything else)."""
    facts = logs.current_request()
    assert facts is not None
    return facts


@dataclasses.dataclass(frozen=True)
class Executed:
    """An operation that ran, what it answered and what it asked of the session cookie."""

    document: DocumentNode
    result: ExecutionResult
    context: Context


async def _run(
    request: Request, request_id: str, state: AppState, operation: dict[str, Any]
) -> Response:
    """Admit, open, then parse, validate and execute ``operation`` in one transaction.

    Runs in one of the process's turns (``settings.concurrent_requests``): with every
    operation in flight interleaved on one event loop, each took as long as all of them
    together, and the slowest several times the median (bench/RESULTS.md); with a few at
    a time and the rest waiting in arrival order, each runs nearly alone, the CPU still
    overlaps with PostgreSQL, and waiting requests hold no database connection.

    A document is parsed only once its caller is known, or is known to be a public operation
    (sportello/admission.py): an anonymous caller cannot make the server parse and validate
    more than a public operation's few tokens.
    """
    judged = admission.verdict(operation["query"], operation["operation_name"])
    # Logging in, accepting an invitation, resetting a password: whoever the caller was
    # before does not matter (and must not bind the request to its organization).
    public_mutation = judged is admission.Verdict.PUBLIC_MUTATION
    # Known to be anonymous without the database: counted, and refused unless public, first.
    counted = public_mutation or not admission.has_credentials(request)
    if counted:
        turned_away = await admission.admit_anonymous(state, request, judged)
        if turned_away is not None:
            return refused_anonymous(turned_away, request_id)
    try:
        async with opened(request, EVERYONE, public=public_mutation) as opening:
            executed = await _execute(opening, request, request_id, operation, judged, counted)
    except Refusal as refused:
        # Credentials that open nothing: counted like any anonymous request.
        limited = None if counted else await admission.charge_address(state, request)
        return answer(refused if limited is None else Refusal.of(limited), request_id)
    if isinstance(executed, Response):
        return executed
    return _result_response(executed, request_id, state.settings)


async def _execute(
    opening: Opened,
    request: Request,
    request_id: str,
    operation: dict[str, Any],
    judged: admission.Verdict,
    counted: bool,
) -> Executed | Response:
    """The operation executed for the opened request's caller, or the refusal to run it."""
    state, settings, identity = opening.state, opening.settings, opening.identity
    anonymous = isinstance(identity.principal, Anonymous)
    known = _facts()
    known.principal = identity.principal.audience.value
    if identity.scope is not None:
        known.organization_id = str(identity.scope.organization_id)
    if anonymous and not counted:
        # A cookie that opens no session: an anonymous request after all.
        turned_away = await admission.admit_anonymous(state, request, judged)
        if turned_away is not None:
            return refused_anonymous(turned_away, request_id)
    # Before anything runs or is written (sportello/persisted.py).
    refused = persisted.refusal(identity.principal, operation["registered"])
    if refused is not None:
        return answer(refused, request_id)
    if isinstance(identity.principal, ContactPrincipal) and identity.principal.viewed_by:
        await record_preview(state, identity.principal, opening.address)
    try:
        document: DocumentNode | None = parse_document(operation["query"])
        parse_error = None
    except GraphQLError as error:
        document, parse_error = None, error
    # Text PostgreSQL cannot store (NUL, lone surrogates), anywhere in the request:
    # refused and named before validation, execution and the operation's SQL; a
    # surrogate in the document is also why it did not parse (schema/kit/input_faults.py).
    fault = request_fault(
        operation["query"], document, operation["variables"], operation["operation_name"]
    )
    if fault is not None:
        return error_response(400, "BAD_USER_INPUT", fault.message, request_id, field=fault.field)
    if document is None:
        assert parse_error is not None
        if anonymous:
            return unauthenticated(request_id)
        return errors_response([parse_error], None, request_id, code="GRAPHQL_PARSE_FAILED")
    introspects = document_facts(operation["query"]).introspects
    # Introspection describes only what this principal may use (see sportello/assembly.py).
    view = view_for(identity.principal, narrowed=introspects)
    if introspects and (anonymous or not settings.introspection):
        return (
            unauthenticated(request_id)
            if anonymous
            else error_response(403, "FORBIDDEN", "Introspection is disabled.", request_id)
        )
    checks = FieldChecks(identity.principal)
    errors = list(validate_document(operation["query"], view))
    if not errors:
        # What this principal may use: one decision per field of the document.
        uses = document_field_uses(operation["query"], view)
        errors = past_first(checks.refusals(uses))
    if errors:
        if anonymous:
            return unauthenticated(request_id)
        return errors_response(errors, document, request_id, code="GRAPHQL_VALIDATION_FAILED")
    cost = query_cost(document, operation["operation_name"], operation["variables"])
    if cost > MAX_COST:
        message = f"The query costs too much (limit {MAX_COST})."
        return error_response(400, "QUERY_TOO_COMPLEX", message, request_id)
    # Partner tokens (SPEC §7): pages up to 1,000 rows, and a budget of requests and query
    # cost per token per minute, counted in PostgreSQL (sportello/rate_limit.py).
    set_page_limit(identity.principal)
    limited = await rate_limit.charge(state, identity.principal, cost)
    if limited is not None:
        return answer(Refusal.of(limited), request_id)

    context = Context(
        settings=settings,
        principal=identity.principal,
        scope=identity.scope,
        db=opening.db,
        engine=state.engine,
        checks=checks,
        request_id=request_id,
        request=request,
        session_id=identity.session_id,
        loaders=Loaders(opening.db, identity.scope) if identity.scope is not None else None,
        caller=Caller(opening.address, request.headers.get("user-agent")),
    )
    with tracing.span("graphql.execute"):
        result = await execute_operation(
            view._schema, operation, document, checks, context, plans=settings.read_plans
        )
    # One transaction per request: kept only when everything succeeded (a flag-gated
    # field answered null refuses a read, not the request).
    if any(not isinstance(e.original_error, FieldRefused) for e in result.errors or ()):
        await opening.transaction.rollback()
    else:
        await opening.transaction.commit()
    return Executed(document, result, context)


async def execute_operation(
    schema: GraphQLSchema,
    operation: dict[str, Any],
    document: DocumentNode,
    checks: FieldChecks,
    context: Context,
    *,
    plans: bool = True,
) -> ExecutionResult:
    """The operation through its plan (schema/kit/read_plans.py); what no plan runs (variables
    that do not fit, no operation to choose; everything with ``plans`` off) through
    Strawberry's executor, where each field's permission class (schema/kit/permissions.py)
    answers a refused flag-gated read null with its FORBIDDEN error, as the plan does. Each
    way is counted in ``metrics.EXECUTIONS``."""
    planned = plans and plan_for(
        schema,
        operation["query"],
        document,
        operation["operation_name"],
        checks.nulled,
        operation["variables"],
    )
    if planned:
        metrics.EXECUTIONS.labels("plan").inc()
        plan, variables = planned
        return await read(plan, variables, context)
    metrics.EXECUTIONS.labels("strawberry").inc()
    result = execute(
        schema,
        document,
        variable_values=operation["variables"],
        operation_name=operation["operation_name"],
        context_value=context,
        executor_class=StrawberryGraphQLCoreExecutionContext,
        hide_suggestions=True,
    )
    if not isinstance(result, ExecutionResult):
        result = await result
    return result


def _result_response(executed: Executed, request_id: str, settings: Settings) -> Response:
    """The operation's data and errors; a 400 when the variables did not fit it."""
    result = executed.result
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [format_error(e, executed.document, request_id) for e in result.errors]
        first = body["errors"][0]
        _facts().outcome = first["extensions"]["code"]
        if first.get("path") == ["login"]:
            metrics.LOGIN_FAILURES.inc()
    body["data"] = result.data
    # No data and no error from a resolver: the variables did not fit the operation.
    not_run = result.data is None and all(e.path is None for e in result.errors or ())
    response = ResultResponse(
        body, status_code=400 if not_run else 200, headers={"X-Request-Id": request_id}
    )
    if not result.errors:
        apply_cookies(response, executed.context, settings)
    return response
