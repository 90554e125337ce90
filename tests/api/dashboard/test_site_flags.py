"""graphql_examples/portal/site_dashboard.graphql works for every contact, whatever its
flags: a section the contact may not see answers null with one FORBIDDEN error at its path,
the rest of the page intact, and none of that section's SQL runs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from schema.kit import ids
from tests.api import Demo, StatementCounter

DASHBOARD = (
    Path(__file__).resolve().parents[3] / "graphql_examples" / "portal" / "site_dashboard.graphql"
).read_text(encoding="utf-8")
ROLE = "contact of one client"
# The flag, the section of the dashboard it gates, and the table that section reads.
GATED = {
    "can_view_invoices": ("invoices", "invoice"),
    "can_view_contracts": ("contracts", "contract"),
}


SITES = """{ sites(first: 100) { edges { node { id
  contracts(first: 1) { edges { cursor } } invoices(first: 1) { edges { cursor } } } } } }"""


async def busy_site(demo: Demo, token: str, section: str) -> str:
    """A site of the contact with rows of ``section`` to hide. The demo's contracts are
    mostly client-wide: when no site of the contact has one, a contract of its client is
    moved onto its first site."""
    data = await demo.data(SITES, token)
    sites = [edge["node"] for edge in data["sites"]["edges"]]
    found: str | None = next((site["id"] for site in sites if site[section]["edges"]), None)
    if found is not None:
        return found
    assert section == "contracts", f"no site of the contact has {section}"
    site: str = sites[0]["id"]
    await demo.execute(
        "UPDATE contract SET site_id = :site WHERE id = (SELECT contract.id FROM contract "
        "JOIN site ON site.client_id = contract.client_id WHERE site.id = :site "
        "ORDER BY contract.number LIMIT 1)",
        site=ids.decode("Site", site),
    )
    return site


async def dashboard(demo: Demo, token: str, site: str) -> tuple[int, dict[str, Any], list[str]]:
    with StatementCounter(demo.app_engine) as counter:
        response = await demo.gql(DASHBOARD, token=token, variables={"site": site})
    return response.status_code, response.json(), counter.statements


def reads(statements: list[str], table: str) -> bool:
    return table in tables(statements)


def tables(statements: list[str]) -> set[str]:
    """The tables the statements read from or join."""
    return {name for s in statements for name in re.findall(r"(?:FROM|JOIN) (\w+) ", s)}


@pytest.mark.parametrize("flag", sorted(GATED))
async def test_the_dashboard_loads_for_a_contact_without_a_flag(demo: Demo, flag: str) -> None:
    section, table = GATED[flag]
    token = await demo.as_(ROLE)
    site_id = await busy_site(demo, token, section)
    status, full, statements = await dashboard(demo, token, site_id)
    assert status == 200
    assert "errors" not in full, full
    assert full["data"]["site"][section]["edges"], "the demo site has no rows to hide"
    assert reads(statements, table)

    email = demo.login_of(ROLE)
    await demo.execute(f"UPDATE contact SET {flag} = false WHERE email = :e", e=email)  # noqa: S608
    # The flags are read at each request: the same session now lacks the flag.
    status, partial, without = await dashboard(demo, token, site_id)
    assert status == 200
    assert partial["errors"] == [
        {
            "message": f"Cannot use Site.{section}: not enabled for this portal access.",
            "path": ["site", section],
            "extensions": {"code": "FORBIDDEN"},
        }
    ]
    site = partial["data"]["site"]
    assert site[section] is None
    expected = {key: value for key, value in full["data"]["site"].items() if key != section}
    assert stable({key: value for key, value in site.items() if key != section}) == stable(expected)
    assert partial["data"]["ticketStatistics"] == full["data"]["ticketStatistics"]
    # None of the refused section's statements ran; all of the others did (a level's
    # statements go as one: db/kept.py together).
    assert not reads(without, table)
    assert tables(statements) - {table} == tables(without)


def stable(value: Any) -> Any:
    """``value`` with each download link cut to its path (links carry their expiry time)."""
    if isinstance(value, dict):
        return {
            key: item.split("?")[0] if key == "downloadUrl" else stable(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [stable(item) for item in value]
    return value


async def test_a_listed_rows_gated_field_is_null_on_every_row_without_its_sql(
    demo: Demo,
) -> None:
    """On a list, each row's gated field is null with its own error (graphql's rule: an
    error for each null it caused), resolved neither per row nor together with the rows."""
    role = "contact of several clients"
    token = await demo.as_(role)
    await demo.execute(
        "UPDATE contact SET can_view_invoices = false WHERE email = :e", e=demo.login_of(role)
    )
    query = "{ sites(first: 20) { edges { node { name invoices(first: 3) { totalCount } } } } }"
    with StatementCounter(demo.app_engine) as counter:
        response = await demo.gql(query, token=token)
    body = response.json()
    nodes = [edge["node"] for edge in body["data"]["sites"]["edges"]]
    assert len(nodes) > 1
    assert all(node["name"] and node["invoices"] is None for node in nodes)
    assert [error["path"] for error in body["errors"]] == [
        ["sites", "edges", index, "node", "invoices"] for index in range(len(nodes))
    ]
    assert not reads(counter.statements, "invoice")


async def test_a_partial_answer_keeps_the_sessions_last_use(demo: Demo) -> None:
    """Answers with only refused flag-gated fields commit the request's transaction: the
    session's last use is recorded, so a contact using the dashboard every day stays in."""
    token = await demo.as_(ROLE)
    email = demo.login_of(ROLE)
    await demo.execute("UPDATE contact SET can_view_invoices = false WHERE email = :e", e=email)
    await demo.execute(
        "UPDATE session SET last_seen_at = last_seen_at - interval '2 hours' "
        "WHERE contact_id = (SELECT id FROM contact WHERE email = :e)",
        e=email,
    )
    answer = await demo.gql("{ invoices(first: 1) { totalCount } apiVersion }", token=token)
    assert answer.json()["data"]["invoices"] is None
    idle = await demo.scalar(
        "SELECT extract(epoch FROM now() - max(last_seen_at)) FROM session "
        "WHERE contact_id = (SELECT id FROM contact WHERE email = :e)",
        e=email,
    )
    assert idle < 600
