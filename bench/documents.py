"""What a new document text costs before it runs: parse, validation, field uses and decisions.

Run by hand, never from the tests: ``.venv/bin/python -m bench.documents [--runs N]``.
In process, no database: each document of :data:`DOCUMENTS` is sent to the route's own
functions (sportello/graphql_documents.py) as a text never seen before (a comment with a counter
in front, so that no cache of the route answers), through the view the route would pick for
its principal, in the route's order:

- parse: ``parse_document``;
- facts: ``document_facts`` (does it introspect);
- validate: ``validate_document`` (the limits, the rules of the spec and, since the checks
  share one walk, the field uses);
- field uses: ``document_field_uses`` (a cache hit once the validation collected them);
- decisions: ``FieldChecks.refusals`` (one decision per field of the document for the
  principal's capability);
- cost: ``query_cost``.

Prints min and median of each step and of the whole over ``--runs`` texts per document, and
the share of each step in the median. The steps are timed one by one, so the whole is their sum.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from authz.checks import FieldChecks
from authz.principals import (
    CONTACT_FLAGS,
    Anonymous,
    ContactPrincipal,
    PartnerPrincipal,
    Principal,
    StaffPrincipal,
)
from bench.kit import machine
from db.models.staff import StaffRole
from schema.kit.limits import query_cost
from sportello import graphql_documents as checks
from sportello.assembly import view_for

ROOT = Path(__file__).resolve().parent.parent
NOBODY = uuid.UUID(int=0)
CONTACT = ContactPrincipal(NOBODY, NOBODY, frozenset(CONTACT_FLAGS))
STAFF = StaffPrincipal(NOBODY, NOBODY, StaffRole.ADMIN)
PARTNER = PartnerPrincipal(NOBODY, NOBODY, frozenset({"reports:read", "lists:read"}), None)
# (document, principal): the portal dashboard, the bench's workloads, a few staff pages.
DOCUMENTS: tuple[tuple[str, Principal], ...] = (
    ("graphql_examples/portal/site_dashboard.graphql", CONTACT),
    ("bench/workloads/portal_site.graphql", CONTACT),
    ("bench/workloads/timesheet_page.graphql", STAFF),
    ("bench/workloads/intervention_report.graphql", PARTNER),
    ("bench/workloads/login.graphql", Anonymous()),
    ("graphql_examples/staff/tickets.graphql", STAFF),
    ("graphql_examples/staff/timesheets_page.graphql", STAFF),
    ("graphql_examples/staff/clients_and_sites.graphql", STAFF),
)
STEPS = ("parse", "facts", "validate", "field uses", "decisions", "cost")


def first_request(text: str, principal: Principal) -> dict[str, float]:
    """Seconds of each step the route takes for ``text`` before executing it."""
    seconds: dict[str, float] = {}

    def step(name: str, work: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        value = work()
        seconds[name] = time.perf_counter() - started
        return value

    document = step("parse", lambda: checks.parse_document(text))
    facts = step("facts", lambda: checks.document_facts(text))
    view = view_for(principal, narrowed=facts.introspects)
    errors = step("validate", lambda: checks.validate_document(text, view))
    assert not errors, errors
    uses = step("field uses", lambda: checks.document_field_uses(text, view))
    refused = step("decisions", lambda: FieldChecks(principal).refusals(uses))
    assert not refused, refused
    step("cost", lambda: query_cost(document, None, {}))
    return seconds


def measure(
    path: str, principal: Principal, runs: int, counter: list[int]
) -> list[dict[str, float]]:
    """``runs`` first requests of the document at ``path``, each a text never seen before."""
    query = (ROOT / path).read_text(encoding="utf-8")
    timings = []
    for _ in range(runs):
        counter[0] += 1
        timings.append(first_request(f"# new text {counter[0]}\n{query}", principal))
    return timings


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def report(path: str, timings: list[dict[str, float]]) -> str:
    """One table row per document: min and median of the whole, median and share of each step."""
    totals = [sum(t.values()) for t in timings]
    median_total = statistics.median(totals)
    parts = []
    for name in STEPS:
        median = statistics.median(t[name] for t in timings)
        parts.append(f"{ms(median)} ({median / median_total:.0%})")
    name = Path(path).name
    return f"| {name} | {ms(min(totals))} | {ms(median_total)} | " + " | ".join(parts) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="new texts per document")
    args = parser.parse_args()
    counter = [0]
    for path, principal in DOCUMENTS:  # views built and policy table checked, out of the timing
        measure(path, principal, 3, counter)
    print(machine())
    print(f"median of {args.runs} new texts per document, ms (share of the median whole)\n")
    print("| document | min | median | " + " | ".join(STEPS) + " |")
    print("|---|---:|---:|" + "---:|" * len(STEPS))
    for path, principal in DOCUMENTS:
        print(report(path, measure(path, principal, args.runs, counter)))


if __name__ == "__main__":
    main()
