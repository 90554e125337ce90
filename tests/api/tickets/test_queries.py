"""Tickets as each principal sees them: urgency order, comments, departments, statistics."""

from __future__ import annotations

from typing import Any

from authz.principals import Audience
from schema.kit import ids
from schema.kit.views import field_names
from sportello.assembly import views
from tests.api import Demo
from tests.api.grants import VISIBLE, org_id

TICKETS = """query($first: Int, $after: String, $last: Int, $before: String, $siteId: ID,
  $status: [TicketStatus!], $urgency: [TicketUrgency!]) {
  tickets(first: $first, after: $after, last: $last, before: $before, siteId: $siteId,
    status: $status, urgency: $urgency) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { node { id number urgency openedAt site { name } client { name } } }
  }
}"""
ONE = "query($id: ID!) { ticket(id: $id) { number } node(id: $id) { id } }"
# Contact tickets in SQL: visible to the contact whose email is :email, in list order.
CONTACT_TICKETS = f"""SELECT array_agg(r.number ORDER BY r.urgency_rank, r.opened_at, r.id)
  FROM ticket r WHERE {VISIBLE}"""  # noqa: S608


async def all_numbers(demo: Demo, token: str, **filters: Any) -> list[int]:
    """Every ticket number of the list, paging forwards 7 at a time."""
    nodes = await demo.every_node(TICKETS, "tickets", token, 7, **filters)
    return [node["number"] for node in nodes]


async def test_staff_see_every_ticket_most_urgent_first_then_oldest(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    expected = await demo.scalar(
        "SELECT array_agg(number ORDER BY urgency_rank, opened_at, id) FROM ticket "
        "WHERE organization_id = :o",
        o=await org_id(demo, "brillanti"),
    )
    assert await all_numbers(demo, token) == list(expected)
    page = (await demo.data(TICKETS, token, first=40))["tickets"]
    assert page["totalCount"] == len(expected)
    urgencies = [e["node"]["urgency"] for e in page["edges"]]
    rank = ["CRITICAL", "HIGH", "NORMAL", "LOW"]
    assert urgencies == sorted(urgencies, key=rank.index)
    assert urgencies[0] == "CRITICAL"
    # Within one urgency, oldest first.
    critical = [e["node"]["openedAt"] for e in page["edges"] if e["node"]["urgency"] == "CRITICAL"]
    assert critical == sorted(critical)
    backwards = (await demo.data(TICKETS, token, last=5))["tickets"]
    assert [e["node"]["number"] for e in backwards["edges"]] == list(expected)[-5:]


async def test_each_contact_sees_the_tickets_of_its_sites_and_nothing_else(demo: Demo) -> None:
    for role in (
        "contact of one client",
        "contact of several clients",
        "contact limited to one site",
    ):
        token = await demo.as_(role)
        expected = await demo.scalar(CONTACT_TICKETS, email=demo.login_of(role))
        assert expected, role
        assert await all_numbers(demo, token) == list(expected), role
        total = (await demo.data(TICKETS, token, first=1))["tickets"]["totalCount"]
        assert total == len(expected)
    several = await demo.as_("contact of several clients")
    page = (await demo.data(TICKETS, several, first=100))["tickets"]
    assert len({e["node"]["client"]["name"] for e in page["edges"]}) > 1
    limited = await demo.as_("contact limited to one site")
    page = (await demo.data(TICKETS, limited, first=100))["tickets"]
    assert len({e["node"]["site"]["name"] for e in page["edges"]}) == 1


async def test_ids_outside_the_scope_answer_like_missing_ones(demo: Demo) -> None:
    limited = await demo.as_("contact limited to one site")
    sibling = await demo.scalar(
        f"SELECT r.id FROM ticket r WHERE NOT {VISIBLE} AND r.client_id IN "  # noqa: S608
        "(SELECT s.client_id FROM site s JOIN portal_grant g ON g.site_id = s.id "
        " JOIN contact k ON k.id = g.contact_id WHERE k.email = :email) LIMIT 1",
        email=demo.login_of("contact limited to one site"),
    )
    foreign = await demo.scalar(
        "SELECT id FROM ticket WHERE organization_id = :o LIMIT 1", o=await org_id(demo, "ignis")
    )
    if sibling is None:
        # Give the client's other site a ticket, so "same client, other site" is really tried.
        sibling = await demo.scalar(
            f"SELECT r.id FROM ticket r WHERE NOT {VISIBLE} AND r.organization_id = :o LIMIT 1",  # noqa: S608
            email=demo.login_of("contact limited to one site"),
            o=await org_id(demo, "brillanti"),
        )
    ignis_staff = await demo.as_("staff admin", "ignis")
    brillanti_ticket = await demo.scalar(
        "SELECT id FROM ticket WHERE organization_id = :o LIMIT 1",
        o=await org_id(demo, "brillanti"),
    )
    cases = [
        (limited, ids.encode("Ticket", sibling)),
        (limited, ids.encode("Ticket", foreign)),
        (limited, "garbage"),
        (ignis_staff, ids.encode("Ticket", brillanti_ticket)),
        (ignis_staff, ids.encode("Contract", foreign)),
    ]
    for token, candidate in cases:
        response = await demo.gql(ONE, token=token, id=candidate)
        assert response.json() == {"data": {"ticket": None, "node": None}}
    own = (await demo.data(TICKETS, limited, first=1))["tickets"]["edges"][0]["node"]["id"]
    assert (await demo.data(ONE, limited, id=own))["node"] == {"id": own}


async def test_filters_match_plain_sql_counts(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    org = await org_id(demo, "brillanti")
    counted = await demo.scalar(
        "SELECT count(*) FROM ticket WHERE organization_id = :o "
        "AND status IN ('OPEN', 'IN_PROGRESS') AND urgency = 'HIGH'",
        o=org,
    )
    page = await demo.data(
        TICKETS, token, first=50, status=["OPEN", "IN_PROGRESS"], urgency=["HIGH"]
    )
    assert page["tickets"]["totalCount"] == counted == len(page["tickets"]["edges"])
    (site,) = await demo.busiest("ticket", "site_id")
    at_site = await demo.scalar(
        "SELECT array_agg(number ORDER BY urgency_rank, opened_at, id) FROM ticket "
        "WHERE site_id = :s",
        s=site,
    )
    assert await all_numbers(demo, token, siteId=ids.encode("Site", site)) == list(at_site)
    nothing = await demo.data(TICKETS, token, first=5, siteId="not-an-id")
    assert nothing["tickets"]["totalCount"] == 0


async def test_each_request_lists_with_its_own_filter_values(demo: Demo) -> None:
    """The list's statement is built once per filter shape (db/scoped/filter_shapes.py): sites and
    statuses asked in turn, forwards and backwards, each get their own tickets and count."""
    token = await demo.as_("staff admin")
    sites = await demo.busiest("ticket", "site_id", 3)
    for site, status in [(0, "OPEN"), (1, "OPEN"), (0, "CLOSED"), (2, "OPEN"), (1, "CLOSED")]:
        expected = await demo.scalar(
            "SELECT array_agg(number ORDER BY urgency_rank, opened_at, id) FROM ticket "
            "WHERE site_id = :s AND status = :t",
            s=sites[site],
            t=status,
        )
        filters = {"siteId": ids.encode("Site", sites[site]), "status": [status]}
        assert await all_numbers(demo, token, **filters) == list(expected or [])
        last = (await demo.data(TICKETS, token, last=2, **filters))["tickets"]
        assert [e["node"]["number"] for e in last["edges"]] == list(expected or [])[-2:]
        assert last["totalCount"] == len(expected or [])


COMMENTS = """query($id: ID!) { ticket(id: $id) { number openedBy { kind displayName }
  comments(first: 50) { totalCount edges { node { body author { displayName } } } } } }"""


async def test_contacts_read_only_the_comments_meant_for_them(demo: Demo) -> None:
    role = "contact of one client"
    email = demo.login_of(role)
    # A ticket of the contact's with an internal note among its comments.
    ticket = await demo.scalar(
        f"SELECT r.id FROM ticket r WHERE {VISIBLE} AND EXISTS (SELECT 1 FROM ticket_comment c "  # noqa: S608
        "WHERE c.ticket_id = r.id AND NOT c.visible_to_client) ORDER BY r.number LIMIT 1",
        email=email,
    )
    assert ticket is not None
    visible = await demo.scalar(
        "SELECT array_agg(body ORDER BY created_at, id) FROM ticket_comment "
        "WHERE ticket_id = :t AND visible_to_client",
        t=ticket,
    )
    internal = await demo.scalar(
        "SELECT array_agg(body) FROM ticket_comment WHERE ticket_id = :t AND NOT visible_to_client",
        t=ticket,
    )
    every = await demo.scalar("SELECT count(*) FROM ticket_comment WHERE ticket_id = :t", t=ticket)
    ticket_id = ids.encode("Ticket", ticket)
    seen = (await demo.data(COMMENTS, await demo.as_(role), id=ticket_id))["ticket"]
    bodies = [e["node"]["body"] for e in seen["comments"]["edges"]]
    assert bodies == list(visible or [])
    assert seen["comments"]["totalCount"] == len(bodies)
    assert set(internal).isdisjoint(bodies)
    staff = (await demo.data(COMMENTS, await demo.as_("staff admin"), id=ticket_id))["ticket"]
    assert staff["comments"]["totalCount"] == every > len(bodies)
    # The visibility flag itself is for staff only.
    flag = await demo.gql(
        "query($id: ID!) { ticket(id: $id) { comments { edges { node { visibleToClient } } } } }",
        token=await demo.as_(role),
        id=ticket_id,
    )
    assert flag.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_authors_show_as_first_name_and_last_initial(demo: Demo) -> None:
    role = "contact of one client"
    email = demo.login_of(role)
    ticket = await demo.scalar(
        "SELECT t.id FROM ticket t JOIN contact k ON k.id = t.opened_by_contact_id "
        "WHERE k.email = :email ORDER BY t.number LIMIT 1",
        email=email,
    )
    first, last = await demo.scalar(
        "SELECT array[first_name, last_name] FROM contact WHERE email = :e", e=email
    )
    seen = await demo.data(COMMENTS, await demo.as_(role), id=ids.encode("Ticket", ticket))
    assert seen["ticket"]["openedBy"] == {"kind": "CONTACT", "displayName": f"{first} {last[0]}."}
    full = await demo.data(
        "query($id: ID!) { ticket(id: $id) { openedBy { fullName } } }",
        await demo.as_("staff admin"),
        id=ids.encode("Ticket", ticket),
    )
    assert full["ticket"]["openedBy"]["fullName"] == f"{first} {last}"
    portal = field_names(views()[Audience.PORTAL])
    partner = field_names(views()[Audience.PARTNER])
    assert "fullName" not in portal["TicketAuthor"]
    assert {"referencePerson", "phone", "notes", "openedBy", "comments"}.isdisjoint(
        partner["Ticket"]
    )


DEPARTMENTS = "{ departments(first: 20) { totalCount edges { node { id name } } } }"


async def test_contacts_get_the_departments_offered_on_the_portal(demo: Demo) -> None:
    org = await org_id(demo, "brillanti")
    offered = await demo.scalar(
        "SELECT array_agg(name ORDER BY name, id) FROM department "
        "WHERE organization_id = :o AND portal_visible",
        o=org,
    )
    every = await demo.scalar(
        "SELECT array_agg(name ORDER BY name, id) FROM department WHERE organization_id = :o",
        o=org,
    )
    contact = await demo.as_("contact of one client")
    seen = (await demo.data(DEPARTMENTS, contact))["departments"]
    assert [e["node"]["name"] for e in seen["edges"]] == list(offered)
    assert seen["totalCount"] == len(offered)
    staff = (await demo.data(DEPARTMENTS, await demo.as_("staff admin")))["departments"]
    assert [e["node"]["name"] for e in staff["edges"]] == list(every)
    assert len(every) > len(offered)
    assert "portalVisible" not in field_names(views()[Audience.PORTAL])["Department"]
    # A ticket of the contact's handled by an internal department names none to the contact.
    internal = await demo.scalar(
        "SELECT id FROM department WHERE organization_id = :o AND NOT portal_visible", o=org
    )
    ticket = await demo.scalar(
        f"SELECT r.id FROM ticket r WHERE {VISIBLE} ORDER BY r.number LIMIT 1",  # noqa: S608
        email=demo.login_of("contact of one client"),
    )
    await demo.execute("UPDATE ticket SET department_id = :d WHERE id = :t", d=internal, t=ticket)
    query = "query($id: ID!) { ticket(id: $id) { department { name } } }"
    ticket_id = ids.encode("Ticket", ticket)
    assert (await demo.data(query, contact, id=ticket_id))["ticket"] == {"department": None}
    assert (await demo.data(query, await demo.as_("staff admin"), id=ticket_id))["ticket"][
        "department"
    ] is not None
    hidden = await demo.gql(
        "query($id: ID!) { node(id: $id) { id } }",
        token=contact,
        id=ids.encode("Department", internal),
    )
    assert hidden.json() == {"data": {"node": None}}


async def test_sql_statements_do_not_grow_with_the_page(demo: Demo) -> None:
    token = await demo.as_("staff admin")
    query = """query($n: Int) { tickets(first: $n) { edges { node { number site { name }
      comments(first: 5) { edges { node { body } } } } } } }"""
    counts, _ = await demo.statements_per_page(query, "tickets", token, (5, 40))
    assert counts[0] == counts[1]
    # authenticate + bind, the page of tickets, their sites, their comments
    assert counts[0] <= 2 + 3
