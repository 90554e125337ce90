"""CSV exports: the same scope, filters and fields as the API, streamed with a header row."""

from __future__ import annotations

import csv
import io
import uuid

from schema.kit import ids
from tests.api import Demo, StatementCounter
from tests.partners import partner_token


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def get(demo: Demo, path: str, token: str | None) -> tuple[int, str]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    demo.client.cookies.clear()
    response = await demo.client.get(path, headers=headers)
    return response.status_code, response.text


async def test_staff_export_every_client_in_the_list_order(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    status, text = await get(demo, "/export/clients.csv", token)
    assert status == 200
    table = rows(text)
    assert table[0] == ["id", "code", "name", "tax_id", "email", "phone"]
    expected = await demo.scalar(
        "SELECT array_agg(c.name ORDER BY c.name, c.id) FROM client c "
        "JOIN organization o ON o.id = c.organization_id WHERE o.slug = 'brillanti'"
    )
    assert [r[2] for r in table[1:]] == list(expected)


async def test_a_site_contact_exports_only_its_site(demo: Demo) -> None:
    token = await demo.as_("contact limited to one site")
    status, text = await get(demo, "/export/sites.csv", token)
    assert status == 200
    table = rows(text)
    assert table[0][:2] == ["id", "name"]
    assert table[0][-2:] == ["client_id", "client_name"]
    assert len(table) == 2
    _, clients = await get(demo, "/export/clients.csv", token)
    assert len(rows(clients)) == 2


async def test_filters_work_like_the_api_and_foreign_ids_match_nothing(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    client = await demo.scalar(
        "SELECT c.id FROM client c JOIN organization o ON o.id = c.organization_id "
        "WHERE o.slug = 'brillanti' AND (SELECT count(*) FROM site s WHERE s.client_id = c.id) > 1 "
        "LIMIT 1"
    )
    foreign = await demo.scalar(
        "SELECT c.id FROM client c JOIN organization o ON o.id = c.organization_id "
        "WHERE o.slug = 'ignis' LIMIT 1"
    )
    expected = await demo.scalar("SELECT count(*) FROM site WHERE client_id = :c", c=client)
    _, text = await get(demo, f"/export/sites.csv?clientId={ids.encode('Client', client)}", token)
    assert len(rows(text)) == expected + 1
    for other in (ids.encode("Client", foreign), ids.encode("Client", uuid.uuid4()), "junk"):
        _, text = await get(demo, f"/export/sites.csv?clientId={other}", token)
        assert len(rows(text)) == 1


async def test_partners_get_no_contact_columns(demo: Demo) -> None:
    secret = await partner_token(demo, "brillanti", ("lists:read",))
    status, text = await get(demo, "/export/clients.csv", secret)
    assert status == 200
    assert rows(text)[0] == ["id", "code", "name"]


async def test_bad_requests_are_named(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    status, text = await get(demo, "/export/sites.csv?colour=red", token)
    assert status == 400
    assert "colour" in text
    assert (await get(demo, "/export/payroll.csv", token))[0] == 404
    assert (await get(demo, "/export/clients.csv", None))[0] == 401


async def test_cells_that_look_like_formulas_are_defused(demo: Demo) -> None:
    await demo.execute(
        "UPDATE client SET name = '=HYPERLINK(\"http://evil.example\")' WHERE code = "
        "(SELECT min(code) FROM client c JOIN organization o ON o.id = c.organization_id "
        "WHERE o.slug = 'brillanti') "
        "AND organization_id = (SELECT id FROM organization WHERE slug = 'brillanti')"
    )
    token = await demo.as_("staff admin")
    _, text = await get(demo, "/export/clients.csv", token)
    names = [r[2] for r in rows(text)[1:]]
    assert '\'=HYPERLINK("http://evil.example")' in names
    assert not any(name.startswith("=") for name in names)


async def test_a_session_binds_its_organization_once(demo: Demo) -> None:
    """A session's lookup binds the transaction to its organization in the same statement
    (db.tenancy.binding); an export does not send a second binding of its own."""
    token = await demo.as_("staff admin")
    with StatementCounter(demo.app_engine) as counter:
        status, _ = await get(demo, "/export/clients.csv", token)
    assert status == 200
    assert [s for s in counter.statements if "set_config" in s] == counter.statements[:1]
