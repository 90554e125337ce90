"""Staff see the outbox with attempts and errors, and can send a dead message again."""

from __future__ import annotations

from tests.api import Demo

OUTBOX = """query($status: OutboxStatus) { outboxMessages(status: $status, first: 10) {
  totalCount edges { node { id subject status attempts lastError } } } }"""
RETRY = "mutation($id: ID!) { retryOutboxMessage(id: $id) }"


async def add_dead_message(demo: Demo, org: str = "brillanti") -> None:
    await demo.execute(
        "INSERT INTO outbox_message (id, created_at, organization_id, kind, to_address, locale, "
        "subject, body_text, payload, status, attempts, next_attempt_at, last_error) "
        "SELECT gen_random_uuid(), now(), id, 'test', 'x@example.com', 'it', 'Morto', 'x', '{}', "
        "'DEAD', 8, now(), '550 mailbox unavailable' FROM organization WHERE slug = :o",
        o=org,
    )


async def test_staff_see_dead_messages_with_the_reason_and_retry_them(demo: Demo) -> None:
    await add_dead_message(demo)
    await add_dead_message(demo, "ignis")
    token = await demo.as_("staff admin")
    dead = (await demo.data(OUTBOX, token, status="DEAD"))["outboxMessages"]
    assert dead["totalCount"] == 1
    message = dead["edges"][0]["node"]
    assert message["lastError"] == "550 mailbox unavailable"
    assert (await demo.data(RETRY, token, id=message["id"]))["retryOutboxMessage"] is True
    states = await demo.scalar(
        "SELECT array_agg(o.slug || ':' || m.status || ':' || m.attempts ORDER BY o.slug) "
        "FROM outbox_message m JOIN organization o ON o.id = m.organization_id "
        "WHERE m.subject = 'Morto'"
    )
    # Only the caller's organization's message went back; the other one stays dead.
    assert states == ["brillanti:PENDING:0", "ignis:DEAD:8"]
    again = await demo.gql(RETRY, token=token, id=message["id"])
    assert again.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_contacts_never_see_the_outbox(demo: Demo) -> None:
    token = await demo.as_("contact of one client")
    refused = await demo.gql(OUTBOX, token=token)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
