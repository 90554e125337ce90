"""Work sheets: staff and technicians draft and edit them; signing stores a PDF that the
signed copy carries by mail."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
import zlib
from pathlib import Path
from typing import Any

import pytest

from db.queries.organization_logo import logo_key
from db.seed import DEMO_PASSWORD
from db.seed.logos import logo_png
from mailer.worker import run_worker
from schema.kit import ids
from tests.api import Demo
from tests.api.worksheets.kit import SIGN, draft_with_readers
from tests.mailer.conftest import mail_settings
from tests.mailer.smtp import SmtpServer

CREATE = """mutation($input: CreateWorkSheetInput!) { createWorkSheet(input: $input) {
  id number date description materials internalNotes status appointment { id } } }"""
UPDATE = """mutation($id: ID!, $input: UpdateWorkSheetInput!) {
  updateWorkSheet(id: $id, input: $input) { id date description materials status } }"""
TODAY = dt.datetime.now(dt.UTC).date()


def pdf_text(data: bytes) -> bytes:
    """The content streams of a PDF, inflated: where its printed text lies."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
    found = b""
    for stream in streams:
        try:
            found += zlib.decompress(stream)
        except zlib.error:
            found += stream
    return found


async def give_logo(demo: Demo, root: Path) -> None:
    """Store a logo for brillanti as the branding upload does: file and row."""
    org = await demo.scalar("SELECT id FROM organization WHERE slug = 'brillanti'")
    png = logo_png("brillanti")
    sha = hashlib.sha256(png).hexdigest()
    path = root / logo_key(org, sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    await demo.execute(
        "UPDATE organization SET logo_sha256 = :s, logo_mime_type = 'image/png' WHERE id = :o",
        s=sha,
        o=org,
    )


async def test_signing_stores_the_pdf_and_the_copy_carries_it(
    demo: Demo, demo_database: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    await give_logo(demo, tmp_path / "files")
    sheet, _ = await draft_with_readers(demo)
    number, site_name = await demo.scalar(
        "SELECT ARRAY[w.number, s.name] FROM work_sheet w JOIN site s ON s.id = w.site_id "
        "WHERE w.id = :w",
        w=sheet,
    )
    await demo.execute("DELETE FROM outbox_message")
    token = await demo.as_("staff admin")
    signed = (await demo.data(SIGN, token, id=ids.encode("WorkSheet", sheet), by="Mario Bianchi"))[
        "signWorkSheet"
    ]
    assert signed["status"] == "SIGNED"
    [document] = [edge["node"] for edge in signed["documents"]["edges"]]
    assert document["kind"] == "WORK_SHEET_PDF"
    assert document["mimeType"] == "application/pdf"
    assert document["portalVisible"] is True
    assert document["fileName"] == f"{number}.pdf"
    key, size, sha = await demo.scalar(
        "SELECT ARRAY[storage_key, size_bytes::text, sha256] FROM document "
        "WHERE work_sheet_id = :w",
        w=sheet,
    )
    data = (tmp_path / "files" / key).read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(data) == int(size)
    assert hashlib.sha256(data).hexdigest() == sha
    text = pdf_text(data)
    assert f"({number})".encode() in text
    assert b"(Mario Bianchi)" in text
    assert b"Europe/Rome" in text
    assert site_name.encode("latin-1") in text
    assert b"/Subtype /Image" in data  # the organization's logo
    details = await demo.scalar(
        "SELECT details FROM audit_event WHERE action = 'work_sheet_signed' AND subject_id = :w",
        w=sheet,
    )
    assert details["before"] == {"status": "DRAFT"}
    assert details["after"] == {"status": "SIGNED", "signed_by": "Mario Bianchi"}
    assert details["document_id"] == str(ids.decode("Document", document["id"]))

    readers = await demo.scalar(
        "SELECT count(*) FROM outbox_message WHERE kind = 'signed_worksheet'"
    )
    assert readers > 0
    settings = mail_settings(demo_database, tmp_path, smtp.port)
    await run_worker(settings, once=True, batch_size=500)
    copies = [
        message
        for message in smtp.recorder.messages
        if number in str(message["Subject"]).replace("\n", " ")
    ]
    assert len(copies) == readers
    for message in copies:
        [attachment] = message.iter_attachments()
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename() == f"{number}.pdf"
        assert attachment.get_content() == data


async def test_a_failed_signing_writes_nothing(demo: Demo) -> None:
    sheet, _ = await draft_with_readers(demo)
    # A time zone that does not exist makes the PDF fail after the sheet is marked SIGNED.
    await demo.execute(
        "UPDATE organization SET timezone = 'Nowhere/Never' WHERE slug = 'brillanti'"
    )
    token = await demo.as_("staff admin")
    refused = await demo.gql(
        SIGN, token=token, variables={"id": ids.encode("WorkSheet", sheet), "by": "Mario"}
    )
    assert refused.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert await demo.scalar("SELECT status FROM work_sheet WHERE id = :w", w=sheet) == "DRAFT"
    assert await demo.scalar("SELECT count(*) FROM document WHERE work_sheet_id = :w", w=sheet) == 0
    assert (
        await demo.scalar(
            "SELECT count(*) FROM outbox_message WHERE payload->>'work_sheet_id' = :w",
            w=str(sheet),
        )
        == 0
    )


async def test_a_document_row_refused_leaves_no_file_behind(demo: Demo, tmp_path: Path) -> None:
    sheet, _ = await draft_with_readers(demo)
    # The database refuses the document row after the PDF's file is in place.
    await demo.execute(
        "CREATE FUNCTION refuse_document() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'no documents today'; END $$"
    )
    await demo.execute(
        "CREATE TRIGGER refuse_document BEFORE INSERT ON document "
        "FOR EACH ROW EXECUTE FUNCTION refuse_document()"
    )
    token = await demo.as_("staff admin")
    refused = await demo.gql(
        SIGN, token=token, variables={"id": ids.encode("WorkSheet", sheet), "by": "Mario"}
    )
    assert refused.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "no documents" not in refused.text
    assert await demo.scalar("SELECT status FROM work_sheet WHERE id = :w", w=sheet) == "DRAFT"
    # The PDF was received (its .incoming folder exists) and then removed.
    assert (tmp_path / "files" / ".incoming").is_dir()
    files = [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
    assert files == []


async def visit_of_technician(demo: Demo, email_of: str) -> tuple[uuid.UUID, uuid.UUID]:
    """An appointment of the technician ``email_of`` and one of another technician."""
    own, other = await demo.scalar(
        "SELECT ARRAY[(SELECT i.id FROM intervention i JOIN staff_user s "
        "ON s.id = i.technician_id WHERE s.email = :e AND i.status <> 'CANCELLED' "
        "ORDER BY i.starts_at DESC, i.id LIMIT 1), "
        "(SELECT i.id FROM intervention i JOIN staff_user s ON s.id = i.technician_id "
        "WHERE s.email <> :e AND s.organization_id = "
        "(SELECT organization_id FROM staff_user WHERE email = :e) "
        "AND i.status <> 'CANCELLED' ORDER BY i.starts_at DESC, i.id LIMIT 1)]",
        e=email_of,
    )
    return own, other


async def technician(demo: Demo) -> tuple[str, str]:
    email: str = await demo.scalar(
        "SELECT s.email FROM staff_user s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = 'brillanti' AND s.role = 'TECHNICIAN' AND s.active AND EXISTS "
        "(SELECT 1 FROM intervention i WHERE i.technician_id = s.id AND i.status <> 'CANCELLED') "
        "ORDER BY s.email LIMIT 1"
    )
    response = await demo.login(email, DEMO_PASSWORD, org="brillanti")
    return email, response.json()["data"]["login"]["token"]


def new_sheet(appointment: uuid.UUID, **changes: Any) -> dict[str, Any]:
    return {
        "appointmentId": ids.encode("Appointment", appointment),
        "date": TODAY.isoformat(),
        "description": "Pulizia vetrate piano terra",
        "materials": "Detergente 2 l",
        "internalNotes": "Chiavi dal portiere",
    } | changes


async def test_office_drafts_and_edits_a_work_sheet_with_the_next_number(demo: Demo) -> None:
    email, _ = await technician(demo)
    own, _ = await visit_of_technician(demo, email)
    token = await demo.staff("OFFICE")
    highest = await demo.scalar(
        "SELECT max(substring(number from '-(\\d+)$')::int) FROM work_sheet w "
        "JOIN organization o ON o.id = w.organization_id "
        "WHERE o.slug = 'brillanti' AND w.number LIKE :p",
        p=f"FI-{TODAY.year}-%",
    )
    created = (await demo.data(CREATE, token, input=new_sheet(own)))["createWorkSheet"]
    assert created["number"] == f"FI-{TODAY.year}-{(highest or 0) + 1:06d}"
    assert created["status"] == "DRAFT"
    assert created["appointment"]["id"] == ids.encode("Appointment", own)
    second = (await demo.data(CREATE, token, input=new_sheet(own)))["createWorkSheet"]
    assert second["number"] == f"FI-{TODAY.year}-{(highest or 0) + 2:06d}"

    changed = (
        await demo.data(
            UPDATE, token, id=created["id"], input={"description": "Vetrate e ingresso"}
        )
    )["updateWorkSheet"]
    assert changed["description"] == "Vetrate e ingresso"
    assert changed["materials"] == "Detergente 2 l"
    sheet_id = ids.decode("WorkSheet", created["id"])
    events = await demo.scalar(
        "SELECT json_agg(json_build_array(action, details) ORDER BY created_at) "
        "FROM audit_event WHERE subject_id = :s",
        s=sheet_id,
    )
    assert events[0][0] == "work_sheet_created"
    assert events[0][1]["before"] == {}
    assert events[0][1]["after"]["description"] == "Pulizia vetrate piano terra"
    assert events[1] == [
        "work_sheet_changed",
        {
            "changed": ["description"],
            "before": {"description": "Pulizia vetrate piano terra"},
            "after": {"description": "Vetrate e ingresso"},
        },
    ]


async def test_a_technician_drafts_only_for_their_own_appointments(demo: Demo) -> None:
    email, token = await technician(demo)
    own, other = await visit_of_technician(demo, email)
    created = (await demo.data(CREATE, token, input=new_sheet(own)))["createWorkSheet"]
    assert created["status"] == "DRAFT"
    changed = await demo.data(UPDATE, token, id=created["id"], input={"materials": "Nessuno"})
    assert changed["updateWorkSheet"]["materials"] == "Nessuno"

    foreign = await demo.gql(CREATE, token=token, variables={"input": new_sheet(other)})
    missing = await demo.gql(CREATE, token=token, variables={"input": new_sheet(uuid.uuid4())})
    assert foreign.json()["errors"][0]["extensions"] == missing.json()["errors"][0]["extensions"]
    assert foreign.json()["errors"][0]["message"] == missing.json()["errors"][0]["message"]
    assert foreign.json()["errors"][0]["extensions"]["field"] == "appointmentId"

    office = await demo.staff("OFFICE")
    theirs = (await demo.data(CREATE, office, input=new_sheet(other)))["createWorkSheet"]
    refused = await demo.gql(
        UPDATE, token=token, variables={"id": theirs["id"], "input": {"materials": "x"}}
    )
    assert refused.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": "x" * 10_001}, "description"),
        ({"materials": "x" * 5_001}, "materials"),
        ({"internalNotes": "x" * 5_001}, "internalNotes"),
        ({"date": "1999-12-31"}, "date"),
        ({"date": (TODAY + dt.timedelta(days=400)).isoformat()}, "date"),
        ({"appointmentId": "bm9wZQ=="}, "appointmentId"),
    ],
)
async def test_bad_input_is_refused_naming_the_field(
    demo: Demo, changes: dict[str, Any], field: str
) -> None:
    email, _ = await technician(demo)
    own, _ = await visit_of_technician(demo, email)
    token = await demo.staff("ADMIN")
    before = await demo.scalar("SELECT count(*) FROM work_sheet")
    response = await demo.gql(CREATE, token=token, variables={"input": new_sheet(own, **changes)})
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert await demo.scalar("SELECT count(*) FROM work_sheet") == before


async def test_a_cancelled_appointment_gets_no_work_sheet(demo: Demo) -> None:
    cancelled = await demo.scalar(
        "SELECT i.id FROM intervention i JOIN organization o ON o.id = i.organization_id "
        "WHERE o.slug = 'brillanti' AND i.status = 'CANCELLED' ORDER BY i.id LIMIT 1"
    )
    token = await demo.staff("ADMIN")
    response = await demo.gql(CREATE, token=token, variables={"input": new_sheet(cancelled)})
    assert response.json()["errors"][0]["extensions"]["field"] == "appointmentId"


async def test_a_signed_work_sheet_is_immutable(demo: Demo) -> None:
    signed = await demo.scalar(
        "SELECT w.id FROM work_sheet w JOIN organization o ON o.id = w.organization_id "
        "WHERE o.slug = 'brillanti' AND w.status = 'SIGNED' ORDER BY w.id LIMIT 1"
    )
    before = await demo.scalar("SELECT description FROM work_sheet WHERE id = :w", w=signed)
    token = await demo.staff("ADMIN")
    response = await demo.gql(
        UPDATE,
        token=token,
        variables={"id": ids.encode("WorkSheet", signed), "input": {"description": "altro"}},
    )
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "status"} | {
        k: v for k, v in error["extensions"].items() if k not in ("code", "field")
    }
    assert await demo.scalar("SELECT description FROM work_sheet WHERE id = :w", w=signed) == before


async def test_contacts_and_other_organizations_cannot_draft(demo: Demo) -> None:
    email, _ = await technician(demo)
    own, _ = await visit_of_technician(demo, email)
    before = await demo.scalar("SELECT count(*) FROM work_sheet")
    for role in ("contact of one client", "contact of several clients"):
        response = await demo.gql(
            CREATE, token=await demo.as_(role), variables={"input": new_sheet(own)}
        )
        assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    other = await demo.gql(
        CREATE, token=await demo.as_("staff admin", "ignis"), variables={"input": new_sheet(own)}
    )
    missing = await demo.gql(
        CREATE,
        token=await demo.as_("staff admin", "ignis"),
        variables={"input": new_sheet(uuid.uuid4())},
    )
    assert other.json() == missing.json()
    sheet = await demo.scalar(
        "SELECT w.id FROM work_sheet w JOIN organization o ON o.id = w.organization_id "
        "WHERE o.slug = 'brillanti' AND w.status = 'DRAFT' ORDER BY w.id LIMIT 1"
    )
    foreign = await demo.gql(
        UPDATE,
        token=await demo.as_("staff admin", "ignis"),
        variables={"id": ids.encode("WorkSheet", sheet), "input": {"materials": "x"}},
    )
    assert foreign.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await demo.scalar("SELECT count(*) FROM work_sheet") == before
