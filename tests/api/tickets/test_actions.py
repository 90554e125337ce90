"""Contacts open tickets at their sites; staff handle them; nothing comes from input that the
server must decide, and a retried submission never opens a second ticket."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from db.seed import DEMO_PASSWORD
from schema.kit import ids
from tests.api import Demo

OPEN = """mutation($input: OpenTicketInput!) { openTicket(input: $input) {
  id number status urgency site { name } client { name } } }"""


async def opener(demo: Demo) -> dict[str, Any]:
    """A contact allowed to open tickets, logged in, with one of its sites and a department."""
    row = await demo.scalar(
        "SELECT ARRAY[k.email, o.slug, s.id::text, d.id::text] FROM contact k "
        "JOIN organization o ON o.id = k.organization_id "
        "JOIN portal_grant g ON g.contact_id = k.id "
        "JOIN site s ON s.client_id = g.client_id OR s.id = g.site_id "
        "JOIN department d ON d.organization_id = o.id AND d.portal_visible "
        "WHERE k.can_open_tickets AND k.state = 'ACTIVE' AND k.deleted_at IS NULL "
        "AND o.slug = 'brillanti' ORDER BY k.email, s.id, d.id LIMIT 1"
    )
    email, slug, site, department = row
    login = await demo.login(email, DEMO_PASSWORD, org=slug)
    return {
        "email": email,
        "token": login.json()["data"]["login"]["token"],
        "site": str(ids.encode("Site", uuid.UUID(site))),
        "site_id": site,
        "department": str(ids.encode("Department", uuid.UUID(department))),
    }


def ticket_input(who: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "siteId": who["site"],
        "departmentId": who["department"],
        "referencePerson": "Paola Verdi",
        "phone": "+39 02 555 0101",
        "notes": "La porta REI del magazzino non si chiude.",
        "urgency": "HIGH",
    } | changes


async def counter(demo: Demo) -> int:
    value: int = await demo.scalar(
        "SELECT ticket_counter FROM organization WHERE slug = 'brillanti'"
    )
    return value


async def test_a_contact_opens_a_ticket_and_the_server_fills_in_the_rest(demo: Demo) -> None:
    who = await opener(demo)
    before = await counter(demo)
    data = await demo.data(OPEN, who["token"], input=ticket_input(who))
    ticket = data["openTicket"]
    assert ticket["number"] == before + 1
    assert ticket["status"] == "OPEN"
    assert ticket["urgency"] == "HIGH"
    row = await demo.scalar(
        "SELECT ARRAY[t.client_id::text, s.client_id::text, k.email] FROM ticket t "
        "JOIN site s ON s.id = t.site_id JOIN contact k ON k.id = t.opened_by_contact_id "
        "WHERE t.number = :n AND t.organization_id = s.organization_id",
        n=ticket["number"],
    )
    assert row[0] == row[1]
    assert row[2] == who["email"]
    notice = await demo.scalar(
        "SELECT m.to_address FROM outbox_message m JOIN organization o "
        "ON o.id = m.organization_id WHERE m.kind = 'new_ticket' AND o.slug = 'brillanti'"
    )
    assert notice == await demo.scalar(
        "SELECT notification_email FROM organization WHERE slug = 'brillanti'"
    )
    assert await demo.scalar("SELECT count(*) FROM audit_event WHERE action = 'ticket_opened'") == 1


async def test_a_retried_submission_returns_the_first_ticket(demo: Demo) -> None:
    who = await opener(demo)
    before = await counter(demo)
    key = str(uuid.uuid4())
    first = await demo.data(OPEN, who["token"], input=ticket_input(who, idempotencyKey=key))
    again = await demo.data(OPEN, who["token"], input=ticket_input(who, idempotencyKey=key))
    assert first["openTicket"]["id"] == again["openTicket"]["id"]
    assert await counter(demo) == before + 1


async def test_concurrent_openings_get_distinct_numbers(demo: Demo) -> None:
    who = await opener(demo)
    before = await counter(demo)
    answers = await asyncio.gather(
        *(demo.gql(OPEN, token=who["token"], input=ticket_input(who)) for _ in range(8))
    )
    numbers = sorted(a.json()["data"]["openTicket"]["number"] for a in answers)
    assert numbers == list(range(before + 1, before + 9))


async def test_bad_input_names_the_field_and_writes_nothing(demo: Demo) -> None:
    who = await opener(demo)
    before = await counter(demo)
    tickets = await demo.scalar("SELECT count(*) FROM ticket")
    cases = [
        ({"notes": "   "}, "notes"),
        ({"referencePerson": ""}, "referencePerson"),
        ({"phone": "1" * 41}, "phone"),
        ({"departmentId": "junk"}, "departmentId"),
    ]
    for changes, field in cases:
        answer = await demo.gql(OPEN, token=who["token"], input=ticket_input(who, **changes))
        assert answer.json()["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "field": field,
        }
    assert await counter(demo) == before
    assert await demo.scalar("SELECT count(*) FROM ticket") == tickets


async def test_a_site_or_equipment_outside_the_scope_is_not_found(demo: Demo) -> None:
    who = await opener(demo)
    outside = await demo.scalar(
        "SELECT s.id FROM site s WHERE NOT EXISTS (SELECT 1 FROM portal_grant g "
        "JOIN contact k ON k.id = g.contact_id WHERE k.email = :e "
        "AND (g.site_id = s.id OR g.client_id = s.client_id)) ORDER BY s.id LIMIT 1",
        e=who["email"],
    )
    elsewhere = await demo.scalar(
        "SELECT id FROM equipment WHERE site_id <> :s ORDER BY id LIMIT 1", s=who["site_id"]
    )
    answers = []
    for changes in (
        {"siteId": ids.encode("Site", outside)},
        {"siteId": ids.encode("Site", uuid.uuid4())},
        {"siteId": "junk"},
    ):
        response = await demo.gql(OPEN, token=who["token"], input=ticket_input(who, **changes))
        answers.append(response.json())
    assert all(a == answers[0] for a in answers)
    assert answers[0]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    equipment = await demo.gql(
        OPEN,
        token=who["token"],
        input=ticket_input(who, equipmentId=ids.encode("Equipment", elsewhere)),
    )
    assert equipment.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_contact_without_the_flag_cannot_open_tickets(demo: Demo) -> None:
    who = await opener(demo)
    await demo.execute(
        "UPDATE contact SET can_open_tickets = false WHERE email = :e", e=who["email"]
    )
    refused = await demo.gql(OPEN, token=who["token"], input=ticket_input(who))
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_staff_handle_tickets_and_the_client_sees_only_what_is_meant_for_it(
    demo: Demo,
) -> None:
    who = await opener(demo)
    ticket = (await demo.data(OPEN, who["token"], input=ticket_input(who)))["openTicket"]
    staff = await demo.as_("staff admin")
    comment = (
        "mutation($id: ID!, $body: String!, $visible: Boolean!) { addTicketComment("
        "ticketId: $id, body: $body, visibleToClient: $visible) { status } }"
    )
    await demo.data(comment, staff, id=ticket["id"], body="Tecnico in arrivo", visible=True)
    await demo.data(comment, staff, id=ticket["id"], body="Cliente difficile", visible=False)
    status = "mutation($id: ID!) { setTicketStatus(id: $id, status: RESOLVED) { status } }"
    assert (await demo.data(status, staff, id=ticket["id"]))["setTicketStatus"]["status"] == (
        "RESOLVED"
    )
    times = await demo.scalar(
        "SELECT ARRAY[first_response_at IS NOT NULL, resolved_at IS NOT NULL] FROM ticket "
        "WHERE id = :i",
        i=ids.decode("Ticket", ticket["id"]),
    )
    assert times == [True, True]
    seen = await demo.data(
        "query($id: ID!) { ticket(id: $id) { status "
        "comments(first: 10) { edges { node { body } } } } }",
        who["token"],
        id=ticket["id"],
    )
    bodies = [e["node"]["body"] for e in seen["ticket"]["comments"]["edges"]]
    assert bodies == ["Tecnico in arrivo"]
    assert seen["ticket"]["status"] == "RESOLVED"
    refused = await demo.gql(status, token=who["token"], id=ticket["id"])
    assert refused.status_code == 400


async def other_client_opener(demo: Demo, first: dict[str, Any]) -> dict[str, Any]:
    """A contact of the same organization whose clients are none of ``first``'s, allowed to
    open tickets, logged in, with a site of its own."""
    row = await demo.scalar(
        "SELECT ARRAY[k.email, s.id::text] FROM contact k "
        "JOIN organization o ON o.id = k.organization_id "
        "JOIN portal_grant g ON g.contact_id = k.id "
        "JOIN site s ON s.client_id = g.client_id OR s.id = g.site_id "
        "WHERE o.slug = 'brillanti' AND k.state = 'ACTIVE' AND k.deleted_at IS NULL "
        "AND k.portal_access AND s.client_id NOT IN (SELECT s2.client_id FROM site s2 "
        "JOIN portal_grant g2 ON s2.client_id = g2.client_id OR s2.id = g2.site_id "
        "JOIN contact k2 ON k2.id = g2.contact_id WHERE k2.email = :e) "
        "ORDER BY k.email, s.id LIMIT 1",
        e=first["email"],
    )
    email, site = row
    await demo.execute("UPDATE contact SET can_open_tickets = true WHERE email = :e", e=email)
    login = await demo.login(email, DEMO_PASSWORD, org="brillanti")
    return first | {
        "email": email,
        "token": login.json()["data"]["login"]["token"],
        "site": str(ids.encode("Site", uuid.UUID(site))),
        "site_id": site,
    }


async def test_an_idempotency_key_belongs_to_whoever_sent_it(demo: Demo) -> None:
    """A contact of another client and a staff member send the key a contact already used:
    each opens a ticket of its own (no CONFLICT, nobody gets another's ticket, a key cannot be
    taken first), and each one's retry still returns its own."""
    first = await opener(demo)
    second = await other_client_opener(demo, first)
    staff = await demo.as_("staff admin")
    key = "ticket-2026-0001"
    opened = {}
    for who, token in (("first", first["token"]), ("second", second["token"]), ("staff", staff)):
        sender = first if who != "second" else second
        answer = await demo.gql(OPEN, token=token, input=ticket_input(sender, idempotencyKey=key))
        assert "errors" not in answer.json(), answer.text
        opened[who] = answer.json()["data"]["openTicket"]["id"]
    assert len(set(opened.values())) == 3
    for who, token in (("first", first["token"]), ("second", second["token"]), ("staff", staff)):
        sender = first if who != "second" else second
        again = await demo.data(OPEN, token, input=ticket_input(sender, idempotencyKey=key))
        assert again["openTicket"]["id"] == opened[who]


async def test_one_submission_sent_twice_at_once_opens_one_ticket(demo: Demo) -> None:
    """The same key sent by the same contact in eight requests at once: one ticket, every
    answer is it, and no ticket number is spent on the duplicates."""
    who = await opener(demo)
    before = await counter(demo)
    key = str(uuid.uuid4())
    answers = await asyncio.gather(
        *(
            demo.gql(OPEN, token=who["token"], input=ticket_input(who, idempotencyKey=key))
            for _ in range(8)
        )
    )
    ids_seen = {a.json()["data"]["openTicket"]["id"] for a in answers}
    assert len(ids_seen) == 1
    assert await counter(demo) == before + 1
