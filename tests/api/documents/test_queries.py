"""Documents as each principal sees them, and downloading them through signed links."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from db.seed import DEMO_PASSWORD
from schema.kit import ids
from tests.api import Demo
from tests.conftest import MakeDemo

KEY = "test-signing-key"
LIMIT = 100_000
CONTACT_SITES = """SELECT array_agg(s.id) FROM contact k JOIN portal_grant g ON g.contact_id = k.id
  JOIN site s ON s.id = g.site_id OR s.client_id = g.client_id WHERE k.email = :e"""
# What a contact may see of the documents, derived here from SPEC §3 without the policy code.
CONTACT_DOCUMENTS = """SELECT array_agg(d.id ORDER BY d.created_at DESC, d.id DESC)
  FROM document d JOIN contact k ON k.email = :e
  WHERE d.organization_id = k.organization_id AND d.portal_visible
  AND (d.site_id = ANY(:s) OR (d.site_id IS NULL AND d.client_id IN (
    SELECT g.client_id FROM portal_grant g WHERE g.contact_id = k.id)))
  AND (d.revision_id IS NULL OR EXISTS (SELECT 1 FROM revision r WHERE r.id = d.revision_id
    AND (r.performed_at IS NOT NULL OR r.id = (SELECT n.id FROM revision n
      WHERE n.site_id = r.site_id AND n.performed_at IS NULL
      ORDER BY n.due_month, n.planned_date NULLS LAST, n.id LIMIT 1))))
  AND (d.work_sheet_id IS NULL OR EXISTS (SELECT 1 FROM work_sheet w
    WHERE w.id = d.work_sheet_id AND w.status = 'SIGNED'))
  AND (d.invoice_id IS NULL OR k.can_view_invoices AND EXISTS (SELECT 1 FROM invoice i
    WHERE i.id = d.invoice_id AND i.status IN ('CLOSED', 'PAID')))
  AND (d.quote_id IS NULL OR EXISTS (SELECT 1 FROM quote q
    WHERE q.id = d.quote_id AND q.status <> 'DRAFT'))
  AND (d.contract_id IS NULL OR k.can_view_contracts)
  AND (d.intervention_id IS NULL OR EXISTS (SELECT 1 FROM intervention i
    JOIN activity_type a ON a.id = i.activity_type_id
    WHERE i.id = d.intervention_id AND a.portal_visible))"""
DOCUMENTS = """query($first: Int, $after: String) { documents(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }"""
LOOKUP = "query($id: ID!) { document(id: $id) { id downloadUrl } node(id: $id) { id } }"


class Files(Demo):
    """The demo app storing documents under ``root``, signing links with KEY."""

    def __init__(self, demo: Demo, root: Path) -> None:
        super().__init__(demo.engine, demo.client)
        self.root = root

    async def stored(self, document_id: uuid.UUID, data: bytes) -> None:
        """Put the file of a demo document where the app looks for it."""
        key = await self.scalar("SELECT storage_key FROM document WHERE id = :d", d=document_id)
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    async def sites_of(self, role: str) -> list[uuid.UUID]:
        """The sites a demo contact sees."""
        return list(await self.scalar(CONTACT_SITES, e=self.login_of(role)))

    async def link(self, document_id: uuid.UUID, token: str) -> str:
        found = await self.data(LOOKUP, token, id=ids.encode("Document", document_id))
        url: str = found["document"]["downloadUrl"]
        return url

    async def fetch(self, url: str, token: str | None = None) -> Any:
        headers = {"authorization": f"Bearer {token}"} if token is not None else {}
        parts = urlsplit(url)
        return await self.client.get(f"{parts.path}?{parts.query}", headers=headers)


@pytest.fixture
async def files(make_demo: MakeDemo, tmp_path: Path) -> Files:
    root = tmp_path / "files"
    demo = await make_demo(files_dir=root, file_signing_key=KEY, max_upload_bytes=LIMIT)
    return Files(demo, root)


async def every_document(files: Files, token: str) -> tuple[int, list[uuid.UUID | None]]:
    pages = await files.every_page(DOCUMENTS, "documents", token, first=100)
    found = [ids.decode("Document", e["node"]["id"]) for page in pages for e in page["edges"]]
    return pages[-1]["totalCount"], found


async def a_visible_revision_document(files: Files, role: str) -> uuid.UUID:
    document: uuid.UUID = await files.scalar(
        "SELECT d.id FROM document d JOIN revision r ON r.id = d.revision_id "
        "WHERE d.portal_visible AND r.performed_at IS NOT NULL AND d.site_id = ANY(:s) "
        "ORDER BY d.id LIMIT 1",
        s=await files.sites_of(role),
    )
    return document


async def test_staff_see_every_document_of_their_organization(files: Files) -> None:
    token = await files.as_("staff admin")
    expected = await files.scalar(
        "SELECT array_agg(d.id ORDER BY d.created_at DESC, d.id DESC) FROM document d "
        "JOIN organization o ON o.id = d.organization_id WHERE o.slug = 'brillanti'"
    )
    page = (await files.data(DOCUMENTS, token, first=100))["documents"]
    assert page["totalCount"] == len(expected)
    assert [ids.decode("Document", e["node"]["id"]) for e in page["edges"]] == expected[:100]


@pytest.mark.parametrize(
    "role", ["contact of one client", "contact of several clients", "contact limited to one site"]
)
async def test_contacts_see_visible_documents_of_records_they_see(files: Files, role: str) -> None:
    expected = await files.scalar(
        CONTACT_DOCUMENTS, e=files.login_of(role), s=await files.sites_of(role)
    )
    total, found = await every_document(files, await files.as_(role))
    assert total == len(expected)
    assert found == list(expected)


async def test_a_revision_lists_its_documents_for_contacts_only_the_visible_ones(
    files: Files,
) -> None:
    revision = await files.scalar(
        "SELECT revision_id FROM document WHERE revision_id IS NOT NULL "
        "AND site_id = ANY(:s) GROUP BY revision_id HAVING count(*) > 1 LIMIT 1",
        s=await files.sites_of("contact limited to one site"),
    )
    # The office keeps one of its documents to itself.
    await files.execute(
        "UPDATE document SET portal_visible = false WHERE id = "
        "(SELECT id FROM document WHERE revision_id = :r ORDER BY id LIMIT 1)",
        r=revision,
    )
    query = """query($id: ID!) { revision(id: $id) { documents(first: 20) {
      totalCount edges { node { id kind fileName mimeType sizeBytes sha256 } } } } }"""
    every = await files.scalar("SELECT count(*) FROM document WHERE revision_id = :r", r=revision)
    shown = await files.scalar(
        "SELECT json_agg(json_build_array(kind, file_name, size_bytes, sha256) ORDER BY "
        "created_at, id) FROM document WHERE revision_id = :r AND portal_visible",
        r=revision,
    )
    for role, count in (("staff admin", every), ("contact limited to one site", len(shown))):
        found = await files.data(query, await files.as_(role), id=ids.encode("Revision", revision))
        assert found["revision"]["documents"]["totalCount"] == count
    contact = await files.data(
        query, await files.as_("contact limited to one site"), id=ids.encode("Revision", revision)
    )
    nodes = [e["node"] for e in contact["revision"]["documents"]["edges"]]
    assert [[n["kind"], n["fileName"], n["sizeBytes"], n["sha256"]] for n in nodes] == shown
    assert {n["mimeType"] for n in nodes} == {"application/pdf"}
    assert every > len(shown)


async def test_hidden_and_draft_work_sheet_documents_are_missing_for_contacts(
    files: Files,
) -> None:
    role = "contact of one client"
    hidden = await a_visible_revision_document(files, role)
    await files.execute("UPDATE document SET portal_visible = false WHERE id = :d", d=hidden)
    draft = uuid.uuid4()
    await files.execute(
        """INSERT INTO document (id, created_at, organization_id, client_id, site_id,
             work_sheet_id, kind, file_name, mime_type, size_bytes, sha256, storage_key,
             portal_visible)
           SELECT :d, now(), organization_id, client_id, site_id, id, 'WORK_SHEET_PDF',
             'draft.pdf', 'application/pdf', 4, repeat('a', 64), 'aa/draft', true
           FROM work_sheet WHERE status = 'DRAFT' AND site_id = ANY(:s) LIMIT 1""",
        d=draft,
        s=await files.sites_of(role),
    )
    contact = await files.as_(role)
    _, listed = await every_document(files, contact)
    staff = await files.as_("staff admin")
    for document in (hidden, draft):
        assert document not in listed
        answer = await files.gql(LOOKUP, token=contact, id=ids.encode("Document", document))
        assert answer.json() == {"data": {"document": None, "node": None}}
        found = await files.data(LOOKUP, staff, id=ids.encode("Document", document))
        assert found["node"] == {"id": ids.encode("Document", document)}


async def test_a_contact_downloads_through_its_link_and_the_download_is_audited(
    files: Files,
) -> None:
    role = "contact of one client"
    document = await a_visible_revision_document(files, role)
    data = b"%PDF-1.4 the checklist"
    await files.stored(document, data)
    token = await files.as_(role)
    url = await files.link(document, token)
    assert url.startswith(f"http://127.0.0.1:8000/files/{ids.encode('Document', document)}?")
    response = await files.fetch(url, token)
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == "application/pdf"
    name = await files.scalar("SELECT file_name FROM document WHERE id = :d", d=document)
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert response.headers["cache-control"] == "private, no-store"
    event = await files.scalar(
        "SELECT json_build_array(a.actor_type, a.actor_id = k.id, a.subject_type) "
        "FROM audit_event a JOIN contact k ON k.email = :e "
        "WHERE a.action = 'document_downloaded' AND a.subject_id = :d",
        e=files.login_of(role),
        d=document,
    )
    assert event == ["CONTACT", True, "Document"]


async def test_a_link_works_for_its_session_only_untampered_and_unexpired(files: Files) -> None:
    role = "contact of several clients"
    document = await a_visible_revision_document(files, role)
    await files.stored(document, b"%PDF-1.4 certificate")
    token = await files.as_(role)
    url = await files.link(document, token)
    assert (await files.fetch(url, token)).status_code == 200
    # The same person logged in elsewhere, another contact, nobody: the link is dead to them.
    other_session = (
        await files.login(files.login_of(role), DEMO_PASSWORD, org="brillanti")
    ).json()["data"]["login"]["token"]
    other_contact = await files.as_("contact of one client")
    files.client.cookies.clear()
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    expires, sig = int(query["expires"][0]), query["sig"][0]
    path = parts.path
    tampered = [
        f"{path}?expires={expires}&sig={sig[:-2]}AA",
        f"{path}?expires={expires + 60}&sig={sig}",
        f"{path}?expires={expires}",
        f"/files/{ids.encode('Document', uuid.uuid4())}?expires={expires}&sig={sig}",
    ]
    answers = [
        await files.fetch(url, other_session),
        await files.fetch(url, other_contact),
        await files.fetch(url),
        *[await files.fetch(link, token) for link in tampered],
        await files.fetch(await signed(files, document, role, expires=1_000_000_000), token),
    ]
    # The one answer, but for its request id (each answer has its own).
    assert {(a.status_code, json.dumps(without_request_id(a))) for a in answers} == {
        (404, '{"errors": [{"message": "No such file.", "extensions": {"code": "NOT_FOUND"}}]}')
    }
    # A link signed with the server's key for this session and a future expiry does work:
    # the refusals above are down to the session, the tampering and the expiry.
    fresh = await signed(files, document, role, expires=expires)
    assert (await files.fetch(fresh, token)).status_code == 200


def without_request_id(answer: Any) -> Any:
    """An error answer's body without the request id every answer has its own of."""
    body = answer.json()
    for error in body["errors"]:
        assert error["extensions"].pop("requestId") == answer.headers["x-request-id"]
    return body


async def signed(files: Files, document: uuid.UUID, role: str, *, expires: int) -> str:
    """A link signed with the test key for the first session of ``role`` (its demo token)."""
    from authz.identity.file_links import signature

    session = await files.scalar(
        "SELECT s.id FROM session s LEFT JOIN contact k ON k.id = s.contact_id "
        "LEFT JOIN staff_user u ON u.id = s.staff_user_id "
        "WHERE coalesce(k.email, u.email) = :e ORDER BY s.created_at LIMIT 1",
        e=files.login_of(role),
    )
    sig = signature(KEY.encode(), document, expires, session)
    return f"/files/{ids.encode('Document', document)}?expires={expires}&sig={sig}"


async def test_another_organization_or_a_missing_file_answers_the_same_404(files: Files) -> None:
    foreign = await files.scalar(
        "SELECT d.id FROM document d JOIN organization o ON o.id = d.organization_id "
        "WHERE o.slug = 'ignis' ORDER BY d.id LIMIT 1"
    )
    await files.stored(foreign, b"%PDF-1.4 secret")
    token = await files.as_("staff admin")
    answer = await files.gql(LOOKUP, token=token, id=ids.encode("Document", foreign))
    assert answer.json() == {"data": {"document": None, "node": None}}
    far = 4_000_000_000
    refused = await files.fetch(await signed(files, foreign, "staff admin", expires=far), token)
    ours = await a_visible_revision_document(files, "contact of one client")
    unstored = await files.fetch(await files.link(ours, token), token)
    assert refused.status_code == unstored.status_code == 404
    assert without_request_id(refused) == without_request_id(unstored)
    # Their own staff gets it.
    ignis = await files.as_("staff admin", "ignis")
    assert (await files.fetch(await files.link(foreign, ignis), ignis)).status_code == 200


async def test_staff_previewing_the_portal_download_as_the_contact_on_their_own_name(
    files: Files,
) -> None:
    role = "contact of one client"
    document = await a_visible_revision_document(files, role)
    await files.stored(document, b"%PDF-1.4 preview")
    contact = await files.scalar("SELECT id FROM contact WHERE email = :e", e=files.login_of(role))
    preview = {"x-view-as-contact": str(ids.encode("PortalAccess", contact))}
    admin = await files.as_("staff admin")
    found = await files.gql(
        LOOKUP, token=admin, headers=preview, id=ids.encode("Document", document)
    )
    url = urlsplit(found.json()["data"]["document"]["downloadUrl"])
    response = await files.client.get(
        f"{url.path}?{url.query}", headers={"authorization": f"Bearer {admin}", **preview}
    )
    assert response.status_code == 200
    event = await files.scalar(
        "SELECT json_build_array(actor_type, details->>'asContact') FROM audit_event "
        "WHERE action = 'document_downloaded' AND subject_id = :d",
        d=document,
    )
    assert event == ["STAFF", str(contact)]
