"""Admission: what a GraphQL request must pass before the server spends work on it.

Two classes of abuse are stopped here (issue 24, items 1 and 2):

- **Anonymous amplification.** Parsing and validating a 2,000-token document costs about
  100 ms; a caller who has not said who it is must not be able to buy that with one small
  request. An anonymous document may only be a *public operation*: at most
  ``ANONYMOUS_MAX_CHARS`` characters and ``ANONYMOUS_MAX_TOKENS`` tokens (schema/kit/limits.py),
  selecting only root fields of the public view (schema/sdl/public.graphql, read from the view
  itself, so a public field added there is admitted without a change here). Anything else is
  the documented 401 without detail, decided on the text's length or within the token bound,
  before the document is parsed in full or validated. Anonymous requests are also counted per
  client address (an IPv6 /64), ``SPORTELLO_ANONYMOUS_REQUESTS_PER_MINUTE``, in PostgreSQL so
  that every process sees the same count; each process keeps its own count too and refuses
  an address that is over the limit by that count alone, without a database round trip.
- **One principal starving the others.** Each principal (a session or partner token, told
  apart by the credential it sends; anonymous callers by address) executes at most
  ``SPORTELLO_PRINCIPAL_CONCURRENT_REQUESTS`` operations at once and may have
  ``SPORTELLO_PRINCIPAL_WAITING_REQUESTS`` more waiting for those; beyond that it is refused
  at once (RATE_LIMITED, retry in a second). Only then does a request queue for one of the
  process's ``SPORTELLO_CONCURRENT_REQUESTS`` turns, so a heavy principal holds at most its
  share of that queue and a light one waits behind at most that share of each other
  principal, not behind everything the heavy one sent. The query-cost budget per minute
  (sportello/rate_limit.py) bounds what a principal gets through over time.
"""

from __future__ import annotations

import enum
import hashlib
import ipaddress
import math
from functools import cache, lru_cache

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
)
from starlette.requests import Request

from authz.identity.authenticate import COOKIE, client_address
from authz.principals import Audience
from db.queries import usage
from db.queries.partner_usage import window_of
from schema.kit.errors import RateLimited, Unauthenticated
from schema.kit.limits import ANONYMOUS_MAX_CHARS, ANONYMOUS_MAX_TOKENS
from sportello.assembly import views
from sportello.base.clock import now_utc
from sportello.base.settings import Settings
from sportello.state import AppState


class Verdict(enum.Enum):
    """What a document's text may be, judged without parsing more than a public one needs."""

    # Selects only public queries: an anonymous caller may run it (as may anyone else).
    PUBLIC_QUERY = "public query"
    # Selects only public mutations (login, reset...): runs as an anonymous caller, whoever
    # sent it, so a stale session does not get in the way of logging in again.
    PUBLIC_MUTATION = "public mutation"
    # Anything else: for authenticated callers only.
    NOT_PUBLIC = "not public"


@cache
def public_root_fields() -> dict[OperationType, frozenset[str]]:
    """The root fields of the public view, per operation type (read once from the view)."""
    schema = views()[Audience.PUBLIC]._schema
    roots = {OperationType.QUERY: schema.query_type, OperationType.MUTATION: schema.mutation_type}
    return {kind: frozenset(root.fields) for kind, root in roots.items() if root is not None}


def verdict(query: str, operation_name: str | None) -> Verdict:
    """Whether ``query`` is a public operation. A text longer than any public operation is
    not one, by its length alone; a shorter one is parsed only up to the token bound."""
    if len(query) > ANONYMOUS_MAX_CHARS:
        return Verdict.NOT_PUBLIC
    return _short_verdict(query, operation_name)


@lru_cache(maxsize=1024)
def _short_verdict(query: str, operation_name: str | None) -> Verdict:
    """Cached per text: only texts within ANONYMOUS_MAX_CHARS get here, so the cache's keys
    stay small whatever callers send."""
    try:
        document = parse(query, max_tokens=ANONYMOUS_MAX_TOKENS, no_location=True)
    except GraphQLError:  # a syntax error, or more tokens than any public operation has
        return Verdict.NOT_PUBLIC
    operation = chosen_operation(document, operation_name)
    if operation is None:
        return Verdict.NOT_PUBLIC
    allowed = public_root_fields().get(operation.operation)
    if allowed is None:
        return Verdict.NOT_PUBLIC
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    if not _selects_only(operation.selection_set, allowed, fragments, frozenset()):
        return Verdict.NOT_PUBLIC
    if operation.operation is OperationType.MUTATION:
        return Verdict.PUBLIC_MUTATION
    return Verdict.PUBLIC_QUERY


def chosen_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    """The operation a request runs: the one named, else the only one."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    named = [o for o in operations if o.name is not None and o.name.value == operation_name]
    if named:
        return named[0]
    return operations[0] if len(operations) == 1 else None


def _selects_only(
    selections: SelectionSetNode,
    allowed: frozenset[str],
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str],
) -> bool:
    """Whether every root field selected (through fragments too) is one of ``allowed``."""
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value not in allowed and selection.name.value != "__typename":
                return False
        elif isinstance(selection, InlineFragmentNode):
            if not _selects_only(selection.selection_set, allowed, fragments, seen):
                return False
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:
                return False
            if not _selects_only(fragment.selection_set, allowed, fragments, seen | {name}):
                return False
    return True


def has_credentials(request: Request) -> bool:
    """Whether the request says who it is (a bearer token or the session cookie); without
    either it is anonymous, known without asking the database."""
    return "authorization" in request.headers or COOKIE in request.cookies


def address_key(address: str | None) -> str:
    """The unit anonymous requests are counted in: an IPv4 address, or an IPv6 /64 (one
    subscriber usually holds a whole /64 and could rotate through it)."""
    if address is None:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def principal_key(request: Request, settings: Settings) -> str:
    """Who a request's turn is counted for, known before the database is asked: the
    credential it sends (a digest, never the secret), else its client address."""
    credential = request.headers.get("authorization") or request.cookies.get(COOKIE)
    if credential is not None:
        return "credential:" + hashlib.sha256(credential.encode()).hexdigest()
    return "address:" + address_key(client_address(request, settings))


async def admit_anonymous(
    state: AppState, request: Request, judged: Verdict
) -> RateLimited | Unauthenticated | None:
    """Count an anonymous request against its address, then refuse it unless it is a public
    operation: RateLimited over the limit, Unauthenticated (the 401 without detail) for
    anything but a public operation, None to go on."""
    limited = await charge_address(state, request)
    if limited is not None:
        return limited
    if judged is Verdict.NOT_PUBLIC:
        return Unauthenticated("Authentication required.")
    return None


async def charge_address(state: AppState, request: Request) -> RateLimited | None:
    """Count one anonymous request of the request's address; the refusal when the address is
    over ``anonymous_requests_per_minute`` (by this process's count, else PostgreSQL's)."""
    settings = state.settings
    limit = settings.anonymous_requests_per_minute
    now = now_utc()
    window = window_of(now)
    address = address_key(client_address(request, settings))
    if state.admission.addresses.count(address, window) <= limit:
        async with state.standing.alone() as db:
            if await usage.charge_address(db, address, now, max_requests=limit):
                return None
    retry_after = max(1, math.ceil(window.timestamp() + 60 - now.timestamp()))
    return RateLimited(
        f"Too many requests without logging in from your address ({limit} a minute); "
        f"retry in {retry_after} s.",
        retry_after,
    )
