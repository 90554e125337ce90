"""Statements built once per scope shape never carry one request's ids into another.

db/scoped/nested.py keeps the statements of nested lists and lookups by id per
(statement function, audience, restricted or not, flags) and runs them with each request's
scope parameters. These tests run the kept statements for different scopes of one shape, in
turn, and check each sees exactly its own rows; that a kept statement cannot run without the
request's values; and that a statement function made per call is refused.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from authz.principals import Audience
from authz.scope import RowScope, Scoping
from db.pagination import PageRequest
from db.queries import equipment as equipment_queries
from db.scoped.nested import rows_by_id, shaped
from schema.kit import ids
from tests.api import Demo
from tests.api.grants import VISIBLE

SITES_WITH_EQUIPMENT = """{ sites(first: 40) { pageInfo { hasNextPage } edges { node { id
  equipment(first: 40) { totalCount pageInfo { hasNextPage } edges { node { id } } } } } } }"""

EXPECTED = f"""SELECT r.site_id, array_agg(r.id ORDER BY r.kind, r.id)
  FROM equipment r WHERE {VISIBLE} GROUP BY r.site_id"""  # noqa: S608 (a constant of the tests)


async def test_contacts_of_one_shape_in_turn_each_see_only_their_own_nested_rows(
    demo: Demo,
) -> None:
    roles = ["contact of one client", "contact limited to one site", "contact of several clients"]
    for role in roles + list(reversed(roles)) + roles:
        token = await demo.as_(role)
        listed = (await demo.data(SITES_WITH_EQUIPMENT, token))["sites"]
        assert not listed["pageInfo"]["hasNextPage"], "the demo contacts see fewer than 40 sites"
        sites = listed["edges"]
        seen = {
            ids.decode("Site", site["node"]["id"]): [
                ids.decode("Equipment", edge["node"]["id"])
                for edge in site["node"]["equipment"]["edges"]
            ]
            for site in sites
        }
        async with demo.engine.connect() as demo_connection:
            rows = await demo_connection.execute(sa.text(EXPECTED), {"email": demo.login_of(role)})
            expected = {site_id: list(equipment) for site_id, equipment in rows}
        assert seen, role
        assert {site: found for site, found in seen.items() if found} == expected, role
        for site in sites:
            equipment = site["node"]["equipment"]
            assert not equipment["pageInfo"]["hasNextPage"]
            assert equipment["totalCount"] == len(equipment["edges"]), role


async def two_contact_scopes(connection: AsyncConnection) -> tuple[RowScope, RowScope]:
    """Two contact scopes of one shape on different sites of one organization."""
    rows = (
        await connection.execute(
            sa.text(
                "SELECT organization_id, client_id, id FROM site WHERE organization_id = "
                "(SELECT id FROM organization WHERE slug = 'brillanti') ORDER BY id LIMIT 2"
            )
        )
    ).all()

    def scope(row: Any) -> RowScope:
        organization, client, site = row
        return RowScope(
            organization,
            Audience.PORTAL,
            clients=frozenset({client}),
            whole_clients=frozenset(),
            sites=frozenset({site}),
        )

    return scope(rows[0]), scope(rows[1])


async def test_a_kept_statement_runs_with_each_scopes_values(
    demo_connection: AsyncConnection,
) -> None:
    first, second = await two_contact_scopes(demo_connection)
    assert first.shape == second.shape
    assert shaped(equipment_queries.equipment_statement, first.shape) is shaped(
        equipment_queries.equipment_statement, second.shape
    )
    every_site = list((first.sites or set()) | (second.sites or set()))
    for scope in (first, second, first, second):
        pages = await equipment_queries.equipment_of_sites(
            demo_connection, scope, every_site, PageRequest(first=100, with_total=True)
        )
        assert scope.sites is not None
        (own_site,) = scope.sites
        expected = (
            await demo_connection.execute(
                sa.text("SELECT id FROM equipment WHERE site_id = :s ORDER BY kind, id"),
                {"s": own_site},
            )
        ).scalars()
        assert [row.id for row in pages[own_site].rows] == list(expected)
        assert pages[own_site].total == len(pages[own_site].rows)
        for other in set(every_site) - {own_site}:
            assert pages[other].rows == []
            assert pages[other].total == 0
        own = pages[own_site].rows[0].id
        found = await rows_by_id(
            demo_connection,
            equipment_queries.equipment_statement,
            scope,
            equipment_queries.EQUIPMENT.c.id,
            [own, uuid.uuid4()],
        )
        assert [row.id if row else None for row in found] == [own, None]


async def test_a_kept_statement_does_not_run_without_the_requests_values(
    demo_connection: AsyncConnection,
) -> None:
    first, _ = await two_contact_scopes(demo_connection)
    statement = shaped(equipment_queries.equipment_statement, first.shape)
    with pytest.raises(sa.exc.StatementError, match=r"scope_organization|scope_sites"):
        await demo_connection.execute(statement)


def test_a_statement_function_made_per_call_is_refused() -> None:
    scope = RowScope(uuid.uuid4(), Audience.STAFF)

    def per_request(shape: Scoping) -> sa.Select[Any]:
        return equipment_queries.equipment_statement(shape, site_id=uuid.uuid4())

    with pytest.raises(TypeError, match="module-level"):
        shaped(per_request, scope.shape)
