"""POST /files: office staff attach files to records; nothing half-stored ever remains."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from db.seed import DEMO_PASSWORD
from schema.kit import ids
from tests.api import ORIGIN, StatementCounter
from tests.conftest import DemoWithFiles, MakeDemo, bearer

LIMIT = 100_000
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
JPEG = b"\xff\xd8\xff\xe0" + bytes(64)
SITE_CONTACT = "contact limited to one site"
CONTACT_SITES = """SELECT array_agg(s.id) FROM contact k JOIN portal_grant g ON g.contact_id = k.id
  JOIN site s ON s.id = g.site_id OR s.client_id = g.client_id WHERE k.email = :e"""


class Office(DemoWithFiles):
    """The demo app storing documents under ``root``."""

    async def upload(
        self,
        token: str | None,
        owner: str,
        data: bytes = PDF,
        *,
        name: str = "verbale.pdf",
        headers: dict[str, str] | None = None,
        **fields: str,
    ) -> httpx.Response:
        form = {"ownerId": owner, "kind": "CHECKLIST", "portalVisible": "true"} | fields
        return await self.client.post(
            "/files", data=form, files={"file": (name, data)}, headers=bearer(token, headers)
        )


@pytest.fixture
async def office(make_demo: MakeDemo, tmp_path: Path) -> Office:
    root = tmp_path / "files"
    return Office(await make_demo(files_dir=root, max_upload_bytes=LIMIT), root)


async def site_revision(office: Office) -> uuid.UUID:
    """A performed revision at the site of the site-limited demo contact."""
    sites = await office.scalar(CONTACT_SITES, e=office.login_of(SITE_CONTACT))
    revision: uuid.UUID = await office.scalar(
        "SELECT id FROM revision WHERE performed_at IS NOT NULL AND site_id = ANY(:s) "
        "ORDER BY id LIMIT 1",
        s=sites,
    )
    return revision


async def test_staff_attach_a_pdf_that_the_site_contact_then_downloads(office: Office) -> None:
    revision = await site_revision(office)
    admin = await office.as_("staff admin")
    response = await office.upload(admin, ids.encode("Revision", revision))
    assert response.status_code == 201
    body = response.json()
    document = ids.decode("Document", body["id"])
    sha = hashlib.sha256(PDF).hexdigest()
    assert body == {
        "id": body["id"],
        "fileName": "verbale.pdf",
        "mimeType": "application/pdf",
        "sizeBytes": len(PDF),
        "sha256": sha,
    }
    row = await office.scalar(
        "SELECT json_build_array(d.revision_id = r.id, d.client_id = r.client_id, "
        "d.site_id = r.site_id, d.kind, d.portal_visible, d.sha256, d.size_bytes, d.storage_key) "
        "FROM document d JOIN revision r ON r.id = :r WHERE d.id = :d",
        r=revision,
        d=document,
    )
    assert row[:7] == [True, True, True, "CHECKLIST", True, sha, len(PDF)]
    assert row[7].startswith(f"{sha[:2]}/{sha}")
    assert (office.root / row[7]).read_bytes() == PDF
    uploaded = "SELECT actor_type FROM audit_event WHERE action = 'document_uploaded' "
    assert await office.scalar(uploaded + "AND subject_id = :d", d=document) == "STAFF"
    contact = await office.as_(SITE_CONTACT)
    found = await office.data(
        "query($id: ID!) { document(id: $id) { fileName downloadUrl } }", contact, id=body["id"]
    )
    url = httpx.URL(found["document"]["downloadUrl"])
    with StatementCounter(office.app_engine) as counter:
        download = await office.client.get(
            f"{url.path}?{url.query.decode()}", headers={"authorization": f"Bearer {contact}"}
        )
    assert download.status_code == 200
    # The session's lookup bound the organization; the route sends no binding of its own.
    assert [s for s in counter.statements if "set_config" in s] == counter.statements[:1]
    assert download.content == PDF


async def test_only_pdf_png_and_jpeg_files_within_the_limit(office: Office) -> None:
    owner = ids.encode("Revision", await site_revision(office))
    admin = await office.as_("staff admin")
    png = await office.upload(admin, owner, PNG, name="foto.png", kind="OTHER")
    jpeg = await office.upload(admin, owner, JPEG, name="C:\\foto\\scatto.jpg", kind="OTHER")
    assert (png.status_code, png.json()["mimeType"]) == (201, "image/png")
    assert jpeg.json()["mimeType"] == "image/jpeg"
    assert jpeg.json()["fileName"] == "scatto.jpg"
    before = await office.scalar("SELECT count(*) FROM document")
    stored = office.stored_files()
    text = await office.upload(admin, owner, b"<html>not a pdf</html>", name="x.pdf")
    assert (text.status_code, text.json()["errors"][0]["extensions"]["code"]) == (
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )
    just_over = await office.upload(admin, owner, PDF + bytes(LIMIT))
    far_over = await office.upload(admin, owner, PDF + bytes(3 * LIMIT))
    assert just_over.status_code == far_over.status_code == 413
    assert await office.scalar("SELECT count(*) FROM document") == before
    assert office.stored_files() == stored


async def test_only_admin_and_office_staff_upload(office: Office) -> None:
    owner = ids.encode("Revision", await site_revision(office))
    contact = await office.upload(await office.as_(SITE_CONTACT), owner)
    office.client.cookies.clear()  # logging in left a session cookie
    anonymous = await office.upload(None, owner)
    admin = await office.as_("staff admin")
    await office.execute(
        "UPDATE staff_user SET role = 'TECHNICIAN' WHERE email = :e",
        e=office.login_of("staff admin"),
    )
    technician = await office.upload(admin, owner)
    assert [contact.status_code, anonymous.status_code, technician.status_code] == [403, 401, 403]
    await office.execute(
        "UPDATE staff_user SET role = 'OFFICE' WHERE email = :e", e=office.login_of("staff admin")
    )
    assert (await office.upload(admin, owner)).status_code == 201
    assert len(office.stored_files()) == 1


async def test_cookie_uploads_must_come_from_an_allowed_origin(office: Office) -> None:
    owner = ids.encode("Revision", await site_revision(office))
    login = await office.login(office.login_of("staff admin"), DEMO_PASSWORD, org="brillanti")
    assert login.status_code == 200
    assert office.client.cookies.get("sportello_session")
    foreign = await office.upload(None, owner, headers={"origin": "https://evil.example"})
    silent = await office.upload(None, owner)
    assert foreign.status_code == silent.status_code == 403
    assert (await office.upload(None, owner, headers=ORIGIN)).status_code == 201


async def test_bad_fields_are_named(office: Office) -> None:
    admin = await office.as_("staff admin")
    revision = await site_revision(office)
    foreign = await office.scalar(
        "SELECT r.id FROM revision r JOIN organization o ON o.id = r.organization_id "
        "WHERE o.slug = 'ignis' LIMIT 1"
    )
    owner = ids.encode("Revision", revision)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"owner": ids.encode("Revision", foreign)}, "ownerId"),
        ({"owner": ids.encode("Revision", uuid.uuid4())}, "ownerId"),
        ({"owner": ids.encode("Site", revision)}, "ownerId"),
        ({"owner": "garbage"}, "ownerId"),
        ({"owner": owner, "kind": "SELFIE"}, "kind"),
        ({"owner": owner, "portalVisible": "maybe"}, "portalVisible"),
    ]
    for fields, named in cases:
        response = await office.upload(admin, **fields)
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "field": named,
            "requestId": response.headers["x-request-id"],
        }
    no_file = await office.client.post(
        "/files",
        data={"ownerId": owner, "kind": "CHECKLIST"},
        files={"other": ("x", b"")},
        headers={"authorization": f"Bearer {admin}"},
    )
    assert no_file.json()["errors"][0]["extensions"]["field"] == "file"
    as_json = await office.client.post(
        "/files", json={"ownerId": owner}, headers={"authorization": f"Bearer {admin}"}
    )
    assert as_json.status_code == 415
    assert office.stored_files() == []


async def test_a_failed_upload_leaves_no_row_and_no_file(office: Office) -> None:
    owner = ids.encode("Revision", await site_revision(office))
    admin = await office.as_("staff admin")
    # The database refuses the row only at commit, after the file was moved into place.
    await office.execute(
        "CREATE FUNCTION refuse_documents() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
    )
    await office.execute(
        "CREATE CONSTRAINT TRIGGER refuse AFTER INSERT ON document DEFERRABLE INITIALLY "
        "DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_documents()"
    )
    before = await office.scalar("SELECT count(*) FROM document")
    response = await office.upload(admin, owner)
    assert response.status_code == 500
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert await office.scalar("SELECT count(*) FROM document") == before
    assert office.stored_files() == []
