"""A contact's data on request: the JSON export (GET /privacy/contacts/<id>.json), erasure
(eraseContact) and the retention purge of the mail worker."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path
from typing import Any

import httpx

from mailer.worker import purge_expired
from schema.kit import ids
from sportello.base.settings import Settings
from tests.api import VIEWER, Demo
from tests.sportello.test_export_staff_lists import download, rows

CONTACT = "contact of one client"
OTHER = "contact of several clients"
FEED = "mutation($id: ID!) { issueCalendarFeed(portalAccessId: $id) { url } }"
ERASE = "mutation($id: ID!) { eraseContact(id: $id) }"
SEARCH = "query($s: String) { portalAccesses(search: $s) { id } }"
BILL = "query($m: String!) { portalBill(month: $m) { accessCount accesses { accessId name } } }"
TICKETS = """query($id: ID!) { node(id: $id) { ... on Ticket {
  openedBy { displayName }
  comments(first: 50) { edges { node { author { displayName } } } } } } }"""
OUTBOX = (
    "INSERT INTO outbox_message (id, organization_id, created_at, kind, to_address, locale, "
    "subject, body_text, payload, status, attempts, next_attempt_at, sent_at) "
    "SELECT gen_random_uuid(), organization_id, now() - make_interval(days => :age), 'notice', "
    ":to, 'it', 'Hello', :body, '{}', :status, 1, now(), now() - make_interval(days => :age) "
    "FROM contact WHERE id = :c"
)
DOWNLOAD = (
    "INSERT INTO audit_event (id, organization_id, created_at, actor_type, actor_id, action, "
    "details) SELECT gen_random_uuid(), organization_id, now() - make_interval(days => :age), "
    "'CONTACT', id, :action, '{\"document\": \"x\"}' FROM contact WHERE id = :c"
)


async def contact_id(demo: Demo, role: str, org: str = "brillanti") -> uuid.UUID:
    found: uuid.UUID = await demo.scalar(
        "SELECT id FROM contact WHERE email = :e", e=demo.login_of(role, org)
    )
    return found


def global_id(contact: uuid.UUID) -> str:
    return ids.encode("PortalAccess", contact)


async def export(demo: Demo, token: str, contact: uuid.UUID | str) -> httpx.Response:
    name = global_id(contact) if isinstance(contact, uuid.UUID) else contact
    demo.client.cookies.clear()
    return await demo.client.get(
        f"/privacy/contacts/{name}.json", headers={"authorization": f"Bearer {token}"}
    )


async def errors_of(demo: Demo, token: str, query: str, **variables: Any) -> list[str]:
    body = (await demo.gql(query, token=token, variables=variables)).json()
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_the_export_holds_each_kind_of_data_of_that_contact_only(demo: Demo) -> None:
    mine, theirs = await contact_id(demo, CONTACT), await contact_id(demo, OTHER)
    await demo.as_(CONTACT)  # a login: a session and its audit event
    for contact in (mine, theirs):
        email = await demo.scalar("SELECT email FROM contact WHERE id = :c", c=contact)
        await demo.execute(OUTBOX, c=contact, to=email, body=f"for {email}", status="SENT", age=1)
        await demo.execute(DOWNLOAD, c=contact, action="document_downloaded", age=1)
    admin = await demo.as_("staff admin")
    response = await export(demo, admin, mine)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()
    assert data["access"]["id"] == str(mine)
    assert "password_hash" not in data["access"]
    for kind, column in (
        ("grants", "contact_id"),
        ("tickets", "opened_by_contact_id"),
        ("comments", "author_contact_id"),
        ("bookings", "booked_by_contact_id"),
    ):
        assert data[kind], kind
        assert {row[column] for row in data[kind]} == {str(mine)}, kind
    assert [m["to_address"] for m in data["messages"]] == [data["access"]["email"]]
    assert [d["action"] for d in data["downloads"]] == ["document_downloaded"]
    assert {e["actor_id"] for e in data["auditEvents"]} <= {str(mine), None}
    assert data["auditEvents"]
    their_email = await demo.scalar("SELECT email FROM contact WHERE id = :c", c=theirs)
    assert their_email not in response.text
    assert str(theirs) not in response.text
    exported = await demo.scalar(
        "SELECT count(*) FROM audit_event WHERE action = 'contact_data_exported' "
        "AND subject_id = :c",
        c=mine,
    )
    assert exported == 1


async def test_an_erased_contact_is_gone_but_its_records_and_bill_stay(demo: Demo) -> None:
    contact = await contact_id(demo, CONTACT)
    email = demo.login_of(CONTACT)
    session = await demo.as_(CONTACT)
    admin = await demo.as_("staff admin")
    await demo.data(FEED, admin, id=global_id(contact))
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    before = (await demo.data(BILL, admin, m=month))["portalBill"]
    assert await demo.data(SEARCH, admin, s=email) == {
        "portalAccesses": [{"id": global_id(contact)}]
    }

    assert await demo.data(ERASE, admin, id=global_id(contact)) == {"eraseContact": True}

    assert (await demo.gql(VIEWER, token=session)).status_code == 401
    assert "errors" in (await demo.login(email, org="brillanti")).json()
    for table in ("session", "account_token", "calendar_feed"):
        left = await demo.scalar(f"SELECT count(*) FROM {table} WHERE contact_id = :c", c=contact)  # noqa: S608
        assert left == 0, table
    last_name = await demo.scalar(
        "SELECT count(*) FROM contact WHERE last_name = '' AND id = :c", c=contact
    )
    assert last_name == 1
    for search in (email, "former contact", email.split("@")[0]):
        assert await demo.data(SEARCH, admin, s=search) == {"portalAccesses": []}, search
    listed = rows(await download(demo, "portalAccesses", admin))
    assert global_id(contact) not in {r["id"] for r in listed}
    after = (await demo.data(BILL, admin, m=month))["portalBill"]
    assert after["accessCount"] == before["accessCount"]
    assert {"accessId": global_id(contact), "name": "former contact"} in [
        {"accessId": a["accessId"], "name": a["name"]} for a in after["accesses"]
    ]
    ticket = await demo.scalar(
        "SELECT t.id FROM ticket t JOIN ticket_comment c ON c.ticket_id = t.id "
        "WHERE t.opened_by_contact_id = :c AND c.author_contact_id = :c LIMIT 1",
        c=contact,
    )
    node = (await demo.data(TICKETS, admin, id=ids.encode("Ticket", ticket)))["node"]
    assert node["openedBy"]["displayName"] == "former contact"
    assert {"displayName": "former contact"} in [
        e["node"]["author"] for e in node["comments"]["edges"]
    ]
    details = await demo.scalar(
        "SELECT details FROM audit_event WHERE action = 'contact_erased' AND subject_id = :c",
        c=contact,
    )
    assert details == {}
    assert await errors_of(demo, admin, ERASE, id=global_id(contact)) == ["CONFLICT"]


async def test_only_an_admin_reaches_a_contact_of_its_organization(demo: Demo) -> None:
    contact = await contact_id(demo, CONTACT)
    foreign = await contact_id(demo, CONTACT, org="ignis")
    admin = await demo.as_("staff admin")
    for token in (
        await demo.staff("OFFICE"),
        await demo.staff("TECHNICIAN"),
        await demo.as_(OTHER),
    ):
        assert (await export(demo, token, contact)).status_code == 403
        assert await errors_of(demo, token, ERASE, id=global_id(contact)) != []
    for unknown in (foreign, uuid.uuid4()):
        assert (await export(demo, admin, unknown)).status_code == 404
        assert await errors_of(demo, admin, ERASE, id=global_id(unknown)) == ["NOT_FOUND"]
    assert (await export(demo, admin, "not-an-id")).status_code == 404
    assert await errors_of(demo, admin, ERASE, id="not-an-id") == ["NOT_FOUND"]
    assert (await export(demo, admin, contact)).status_code == 200
    anonymous = await demo.client.get(f"/privacy/contacts/{global_id(contact)}.json")
    assert anonymous.status_code == 401


async def test_retention_purges_old_rows_and_mail_files_only(demo: Demo, tmp_path: Path) -> None:
    contact = await contact_id(demo, CONTACT)
    for age in (1, 100, 800):
        await demo.execute(DOWNLOAD, c=contact, action=f"aged_{age}", age=age)
        await demo.execute(
            OUTBOX, c=contact, to="x@example.com", body=f"aged {age}", status="SENT", age=age
        )
    await demo.execute(
        OUTBOX, c=contact, to="x@example.com", body="waiting", status="PENDING", age=800
    )
    mail = tmp_path / "data" / "mail"
    mail.mkdir(parents=True)
    old, new = mail / "old.eml", mail / "new.eml"
    for path in (old, new):
        path.write_text("mail")
    stamp = (dt.datetime.now(dt.UTC) - dt.timedelta(days=91)).timestamp()
    os.utime(old, (stamp, stamp))
    settings = Settings(data_dir=tmp_path / "data")

    await purge_expired(demo.engine, settings, strict=True)

    actions = await demo.scalar(
        "SELECT array_agg(action ORDER BY action) FROM audit_event WHERE action LIKE 'aged_%'"
    )
    assert actions == ["aged_1", "aged_100"]
    bodies = await demo.scalar(
        "SELECT array_agg(body_text ORDER BY body_text) FROM outbox_message "
        "WHERE to_address = 'x@example.com'"
    )
    assert bodies == ["", "", "aged 1", "waiting"]
    assert not old.exists()
    assert new.exists()
