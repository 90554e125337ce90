"""GraphiQL only for staff sessions, and only in development mode."""

from __future__ import annotations

from tests.api import ORIGIN, Demo
from tests.conftest import MakeClient

HTML = {"accept": "text/html"}


async def test_graphiql_is_for_staff_in_development_mode(
    make_client: MakeClient, demo_database: str
) -> None:
    client = await make_client(demo_database, development=True)
    anonymous = await client.get("/graphql", headers=HTML)
    assert anonymous.status_code == 401
    assert "GraphiQL is for staff" in anonymous.text
    demo = Demo(None, client)  # type: ignore[arg-type]
    staff = await demo.login(demo.login_of("staff admin"), "Sportello-demo-2024!", org="brillanti")
    assert staff.status_code == 200
    page = await client.get("/graphql", headers=HTML)
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    client.cookies.clear()
    await demo.login(
        demo.login_of("contact of one client"), "Sportello-demo-2024!", org="brillanti"
    )
    contact = await client.get("/graphql", headers=HTML)
    assert contact.status_code == 403
    assert "graphiql.min.js" not in contact.text.lower()


async def test_no_graphiql_outside_development_mode(
    make_client: MakeClient, demo_database: str
) -> None:
    client = await make_client(demo_database)
    demo = Demo(None, client)  # type: ignore[arg-type]
    await demo.login(demo.login_of("staff admin"), "Sportello-demo-2024!", org="brillanti")
    page = await client.get("/graphql", headers=HTML | ORIGIN)
    assert page.status_code == 405
