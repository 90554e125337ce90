"""``POST /graphql``: one JSON document in, one JSON result out, through the caller's view.

Deliberately narrower than a general GraphQL server: JSON bodies only (a browser form cannot
send one across origins without a CORS preflight), no GET (no mutation or query in a URL), no
batches (one operation per request, so limits and throttling count per request).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
import uuid
from functools import lru_cache
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    Visitor,
    parse,
    specified_rules,
    validate,
    visit,
)
from graphql.execution import ExecutionResult, execute
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from authz.checks import FieldChecks, FieldUses, field_uses
from authz.identity.authenticate import ANONYMOUS, COOKIE, authenticate, bind, client_address
from authz.principals import Anonymous, Caller, ContactPrincipal
from db.queries import audit
from db.scoped.loaders import Loaders
from schema.kit.context import Context
from schema.kit.errors import ApiError, RateLimited, Unauthenticated
from schema.kit.execution import FieldRefused, PlainFieldsExecution, is_awaitable
from schema.kit.input_faults import InputFault, refusal, refused_value, request_fault
from schema.kit.limits import LIMIT_RULES, MAX_COST, MAX_ERRORS, MAX_TOKENS, query_cost
from schema.kit.relay import set_page_limit
from schema.kit.views import ViewSchema
from sportello import admission, logs, metrics, rate_limit, tracing
from sportello.assembly import view_for
from sportello.base.clock import now_utc
from sportello.base.settings import Settings
from sportello.playground import playground
from sportello.state import AppState

log = logging.getLogger("sportello.graphql")

# Past the first error of a document, one generic error (schema/kit/limits.py MAX_ERRORS).
MORE_ERRORS = "The document has more errors; fix this one and send it again to see the next."
# Coercion messages may still suggest names ("Did you mean ...?"); nothing may spell out the
# schema to a caller.
SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class RequestRejected(Exception):
    """The HTTP request cannot carry a GraphQL operation; answered before any parsing."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@lru_cache(maxsize=512)
def parse_document(query: str) -> DocumentNode:
    """Parsed once per distinct document text (the clients send the same few over and over)."""
    return parse(query, max_tokens=MAX_TOKENS, no_location=False)


@lru_cache(maxsize=1024)
def validate_document(query: str, view: ViewSchema) -> tuple[GraphQLError, ...]:
    """The principal-independent validation of a document against a view, done once.

    hide_suggestions: "Did you mean ...?" would spell out the schema to whoever guesses.
    """
    schema = view._schema
    document = parse_document(query)
    # The limits first and alone: an abusive document gets one error, cheaply.
    errors = validate(schema, document, rules=LIMIT_RULES, max_errors=MAX_ERRORS)
    if not errors:
        errors = validate(
            schema, document, rules=specified_rules, max_errors=MAX_ERRORS, hide_suggestions=True
        )
    return tuple(past_first(errors))


def past_first(errors: list[GraphQLError]) -> list[GraphQLError]:
    """The first ``MAX_ERRORS`` errors and one generic error for the rest: ten unknown
    directives are one "Unknown directive" and "more errors", not a list of the ten."""
    if len(errors) <= MAX_ERRORS:
        return errors
    return [*errors[:MAX_ERRORS], GraphQLError(MORE_ERRORS)]


@lru_cache(maxsize=1024)
def document_field_uses(query: str, view: ViewSchema) -> FieldUses:
    """The fields a valid document selects on each type, found once per (document, view)."""
    return field_uses(view._schema, parse_document(query))


async def read_operation(request: Request, max_body_bytes: int) -> dict[str, Any]:
    """The body's query, variables and operation name, or RequestRejected."""
    if request.method != "POST":
        raise RequestRejected(405, "METHOD_NOT_ALLOWED", "Send GraphQL operations with POST.")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise RequestRejected(
            415, "UNSUPPORTED_MEDIA_TYPE", "Send the operation as application/json."
        )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_body_bytes:
        raise RequestRejected(413, "PAYLOAD_TOO_LARGE", "The request body is too large.")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_body_bytes:
            raise RequestRejected(413, "PAYLOAD_TOO_LARGE", "The request body is too large.")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nesting bombs are bad JSON too
        raise RequestRejected(400, "BAD_REQUEST", "The request body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise RequestRejected(
            400, "BAD_REQUEST", "Send one operation per request as a JSON object."
        )
    query = payload.get("query")
    variables = payload.get("variables")
    operation_name = payload.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise RequestRejected(400, "BAD_REQUEST", "The body needs a query string.")
    if variables is not None and not isinstance(variables, dict):
        raise RequestRejected(400, "BAD_REQUEST", "variables must be a JSON object.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestRejected(400, "BAD_REQUEST", "operationName must be a string.")
    return {"query": query, "variables": variables, "operation_name": operation_name}


class ResultResponse(JSONResponse):
    """An execution's result, encoded by orjson: the same compact UTF-8 JSON as Starlette's
    encoder, several times faster on the large answers of lists and reports."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def _record_outcome(code: str) -> None:
    """The request's outcome for the metrics, when it is a GraphQL request."""
    facts = logs.current_request()
    if facts is not None and facts.outcome is None:
        facts.outcome = code


def error_response(
    status: int, code: str, message: str, request_id: str, **extensions: Any
) -> JSONResponse:
    _record_outcome(code)
    body = {
        "errors": [
            {
                "message": message,
                "extensions": {"code": code, **extensions, "requestId": request_id},
            }
        ]
    }
    return JSONResponse(body, status_code=status, headers={"X-Request-Id": request_id})


def errors_response(errors: list[GraphQLError], request_id: str, *, code: str) -> JSONResponse:
    """A document refused before execution: 400 and every error found."""
    _record_outcome(code)
    body = {"errors": [format_error(e, request_id, code=code) for e in errors]}
    return JSONResponse(body, status_code=400, headers={"X-Request-Id": request_id})


def scalar_refusal(error: GraphQLError) -> InputFault | None:
    """A literal or variable a scalar refused by its own rule (a day outside the calendar),
    named by its argument: the document is the one just parsed (cached)."""
    if refused_value(error) is None or error.source is None:
        return None
    return refusal(error, parse_document(error.source.body))


def format_error(
    error: GraphQLError, request_id: str, *, code: str = "BAD_USER_INPUT"
) -> dict[str, Any]:
    """What the caller sees of an error: ApiErrors as raised, anything unexpected masked.

    Errors graphql-core raises itself (syntax, validation, variable coercion) are about the
    caller's document and keep their message, with ``code`` unless they carry one.
    """
    fault = scalar_refusal(error)
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
            "message": "Internal server error.",
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        }
    if error.path is not None:
        formatted["path"] = error.path
    return formatted


@dataclasses.dataclass(frozen=True)
class DocumentFacts:
    """What the route needs to know of a document's text, found in one walk of it."""

    # Asks for __schema or __type anywhere (fragments included).
    introspects: bool


@lru_cache(maxsize=512)
def document_facts(query: str) -> DocumentFacts:
    """Computed once per distinct document text, like its parse."""
    introspects = False

    class Finder(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            nonlocal introspects
            introspects = introspects or node.name.value in {"__schema", "__type"}

    visit(parse_document(query), Finder())
    return DocumentFacts(introspects)


async def record_preview(state: AppState, contact: ContactPrincipal, ip: str | None) -> None:
    """Staff looking at the portal as a contact is audited, whatever the request's outcome."""
    staff = contact.viewed_by
    assert staff is not None
    async with state.engine.begin() as independent:
        await audit.record(
            independent,
            contact.organization_id,
            "portal_previewed",
            actor=audit.ActorRef("STAFF", staff.user_id),
            ip=ip,
            subject_type="Contact",
            subject_id=contact.contact_id,
        )


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def unauthenticated(request_id: str) -> JSONResponse:
    """Anonymous callers learn nothing about why their document was refused."""
    return error_response(401, "UNAUTHENTICATED", "Authentication required.", request_id)


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
            response = error_response(
                500, "INTERNAL_SERVER_ERROR", "Internal server error.", request_id
            )
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


# The outcome of an answer whose code no error helper recorded (rate_limit.refusal's).
STATUS_OUTCOMES = {200: "ok", 429: "RATE_LIMITED"}


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
        _facts().operation_name = operation["operation_name"]
    except RequestRejected as rejected:
        response = error_response(rejected.status, rejected.code, rejected.message, request_id)
        if rejected.status == 405:
            response.headers["Allow"] = "POST"
        return response
    # The body is read before taking a turn: a client sending it slowly holds no turn. Each
    # principal gets its share of the turns (sportello/admission.py).
    try:
        async with state.admission.turns.turn(admission.principal_key(request, settings)):
            return await _run(request, request_id, state, operation)
    except admission.Crowded as crowded:
        return rate_limit.refusal(crowded.limited, request_id)


def _facts() -> logs.RequestFacts:
    """The running request's facts (set by graphql_endpoint before anything else)."""
    facts = logs.current_request()
    assert facts is not None
    return facts


def refused_anonymous(refused: RateLimited | Unauthenticated, request_id: str) -> Response:
    """The answer to an anonymous request admission refused (sportello/admission.py)."""
    if isinstance(refused, RateLimited):
        return rate_limit.refusal(refused, request_id)
    return unauthenticated(request_id)


async def _run(
    request: Request, request_id: str, state: AppState, operation: dict[str, Any]
) -> Response:
    """Parse, authenticate, validate and execute ``operation`` in one transaction.

    Runs in one of the process's turns (``settings.concurrent_requests``): with every
    operation in flight interleaved on one event loop, each took as long as all of them
    together, and the slowest several times the median (bench/RESULTS.md); with a few at
    a time and the rest waiting in arrival order, each runs nearly alone, the CPU still
    overlaps with PostgreSQL, and waiting requests hold no database connection.

    A document is parsed only once its caller is known, or is known to be a public operation
    (sportello/admission.py): an anonymous caller cannot make the server parse and validate
    more than a public operation's few tokens.
    """
    settings = state.settings
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

    async with state.engine.connect() as db:
        transaction = await db.begin()
        if public_mutation:
            identity = ANONYMOUS
        else:
            try:
                identity = await authenticate(db, request, settings, now_utc())
            except ApiError as refused:
                # Credentials that open nothing: counted like any anonymous request.
                limited = None if counted else await admission.charge_address(state, request)
                if limited is not None:
                    return rate_limit.refusal(limited, request_id)
                status = 403 if refused.code == "FORBIDDEN" else 401
                return error_response(status, refused.code, refused.message, request_id)
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
        if isinstance(identity.principal, ContactPrincipal) and identity.principal.viewed_by:
            await record_preview(state, identity.principal, client_address(request, settings))
        await bind(db, identity)
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
            return error_response(
                400, "BAD_USER_INPUT", fault.message, request_id, field=fault.field
            )
        if document is None:
            assert parse_error is not None
            if anonymous:
                return unauthenticated(request_id)
            return errors_response([parse_error], request_id, code="GRAPHQL_PARSE_FAILED")
        facts = document_facts(operation["query"])
        introspects = facts.introspects
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
            return errors_response(errors, request_id, code="GRAPHQL_VALIDATION_FAILED")
        cost = query_cost(document, operation["operation_name"], operation["variables"])
        if cost > MAX_COST:
            return error_response(
                400,
                "QUERY_TOO_COMPLEX",
                f"The query costs too much (limit {MAX_COST}).",
                request_id,
            )
        # Partner tokens (SPEC §7): pages up to 1,000 rows, and a budget of requests and query
        # cost per token per minute, counted in PostgreSQL (sportello/rate_limit.py).
        set_page_limit(identity.principal)
        limited = await rate_limit.charge(state, identity.principal, cost)
        if limited is not None:
            return rate_limit.refusal(limited, request_id)

        context = Context(
            settings=settings,
            principal=identity.principal,
            scope=identity.scope,
            db=db,
            engine=state.engine,
            checks=checks,
            request_id=request_id,
            request=request,
            session_id=identity.session_id,
            loaders=Loaders(db, identity.scope) if identity.scope is not None else None,
            caller=Caller(client_address(request, settings), request.headers.get("user-agent")),
        )
        with tracing.span("graphql.execute"):
            result = execute(
                view._schema,
                document,
                variable_values=operation["variables"],
                operation_name=operation["operation_name"],
                context_value=context,
                executor_class=PlainFieldsExecution,
                is_awaitable=is_awaitable,
                hide_suggestions=True,
            )
            if not isinstance(result, ExecutionResult):
                result = await result
        # One transaction per request: kept only when everything succeeded (a flag-gated
        # field answered null refuses a read, not the request).
        if any(not isinstance(e.original_error, FieldRefused) for e in result.errors or ()):
            await transaction.rollback()
        else:
            await transaction.commit()

    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [format_error(e, request_id) for e in result.errors]
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
        apply_cookies(response, context, settings)
    return response


def apply_cookies(response: Response, context: Context, settings: Settings) -> None:
    """Set or clear the session cookie as login and logout asked."""
    if context.set_session_token is not None:
        response.set_cookie(
            COOKIE,
            context.set_session_token,
            max_age=settings.session_absolute_hours * 3600,
            httponly=True,
            secure=settings.secure_cookies,
            samesite="lax",
            path="/",
        )
    elif context.clear_session_cookie:
        response.delete_cookie(
            COOKIE, httponly=True, secure=settings.secure_cookies, samesite="lax", path="/"
        )
