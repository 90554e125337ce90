"""Staff hide documents from the portal and delete them; a signed work sheet's PDF stays."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from schema.kit import ids
from tests.conftest import MakeDemo
from tests.sportello.test_files_route import SITE_CONTACT, Office, site_revision

VISIBLE = """mutation($id: ID!, $visible: Boolean!) {
  setDocumentPortalVisible(id: $id, visible: $visible) { id portalVisible } }"""
DELETE = "mutation($id: ID!) { deleteDocument(id: $id) }"
LOOKUP = "query($id: ID!) { document(id: $id) { id downloadUrl } }"
AUDITED = """SELECT json_agg(json_build_array(action, actor_type, details) ORDER BY created_at)
  FROM audit_event WHERE subject_id = :d AND action LIKE 'document_%' AND action <> :skip"""


@pytest.fixture
async def office(make_demo: MakeDemo, tmp_path: Path) -> Office:
    """The demo app storing documents under a folder of the test's own."""
    root = tmp_path / "files"
    return Office(await make_demo(files_dir=root), root)


async def uploaded(office: Office) -> tuple[str, Path]:
    """A portal-visible document the site contact sees, uploaded now, and its file."""
    admin = await office.as_("staff admin")
    response = await office.upload(admin, ids.encode("Revision", await site_revision(office)))
    document = response.json()["id"]
    key = await office.scalar(
        "SELECT storage_key FROM document WHERE id = :d", d=ids.decode("Document", document)
    )
    return document, office.root / key


async def errors(office: Office, query: str, token: str, **variables: Any) -> list[Any]:
    body = (await office.gql(query, token=token, variables=variables)).json()
    assert body["data"] is None
    return [(e["extensions"]["code"], e["extensions"].get("field")) for e in body["errors"]]


async def gone(path: Path) -> bool:
    """Whether ``path`` is removed within a few seconds (its removal follows the commit)."""
    for _ in range(100):
        if not await asyncio.to_thread(path.exists):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_hidden_document_leaves_the_portal_at_once_and_shows_again(
    office: Office,
) -> None:
    document, _ = await uploaded(office)
    contact = await office.as_(SITE_CONTACT)
    link = httpx.URL((await office.data(LOOKUP, contact, id=document))["document"]["downloadUrl"])
    office_token = await office.staff("OFFICE")

    hidden = await office.data(VISIBLE, office_token, id=document, visible=False)
    assert hidden == {"setDocumentPortalVisible": {"id": document, "portalVisible": False}}
    assert (await office.data(LOOKUP, contact, id=document))["document"] is None
    download = await office.client.get(
        f"{link.path}?{link.query.decode()}", headers={"authorization": f"Bearer {contact}"}
    )
    assert download.status_code == 404

    again = await office.data(VISIBLE, office_token, id=document, visible=True)
    assert again["setDocumentPortalVisible"]["portalVisible"] is True
    assert (await office.data(LOOKUP, contact, id=document))["document"]["id"] == document
    # Asking for the state it already has changes nothing and records nothing.
    await office.data(VISIBLE, office_token, id=document, visible=True)
    events = await office.scalar(
        AUDITED, d=ids.decode("Document", document), skip="document_uploaded"
    )
    assert events == [
        [
            "document_visibility_changed",
            "STAFF",
            {
                "changed": ["portal_visible"],
                "before": {"portal_visible": True},
                "after": {"portal_visible": False},
            },
        ],
        [
            "document_visibility_changed",
            "STAFF",
            {
                "changed": ["portal_visible"],
                "before": {"portal_visible": False},
                "after": {"portal_visible": True},
            },
        ],
    ]


async def test_a_deleted_document_loses_its_row_then_its_file(office: Office) -> None:
    document, path = await uploaded(office)
    row_id = ids.decode("Document", document)
    assert path.exists()
    admin = await office.as_("staff admin")
    assert await office.data(DELETE, admin, id=document) == {"deleteDocument": True}
    assert await office.scalar("SELECT count(*) FROM document WHERE id = :d", d=row_id) == 0
    assert await gone(path)
    events = await office.scalar(AUDITED, d=row_id, skip="document_uploaded")
    assert events[0][:2] == ["document_deleted", "STAFF"]
    assert events[0][2]["before"]["file_name"] == "verbale.pdf"
    assert await errors(office, DELETE, admin, id=document) == [("NOT_FOUND", None)]


async def test_a_deletion_rolled_back_keeps_the_row_and_its_file(office: Office) -> None:
    document, path = await uploaded(office)
    admin = await office.as_("staff admin")
    # The second field fails, so the request's one transaction (and the deletion) rolls back.
    both = "mutation($id: ID!) { deleteDocument(id: $id) again: deleteDocument(id: $id) }"
    body = (await office.gql(both, token=admin, variables={"id": document})).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
    await asyncio.sleep(0.5)
    assert path.exists()
    count = "SELECT count(*) FROM document WHERE id = :d"
    assert await office.scalar(count, d=ids.decode("Document", document)) == 1


async def test_a_signed_work_sheets_pdf_is_hidden_never_deleted(office: Office) -> None:
    pdf = await office.scalar(
        "SELECT d.id FROM document d JOIN work_sheet w ON w.id = d.work_sheet_id "
        "JOIN organization o ON o.id = d.organization_id WHERE o.slug = 'brillanti' "
        "AND w.status = 'SIGNED' AND d.kind = 'WORK_SHEET_PDF' ORDER BY d.id LIMIT 1"
    )
    document = ids.encode("Document", pdf)
    token = await office.staff("OFFICE")
    assert await errors(office, DELETE, token, id=document) == [("CONFLICT", None)]
    hidden = await office.data(VISIBLE, token, id=document, visible=False)
    assert hidden["setDocumentPortalVisible"]["portalVisible"] is False


@pytest.mark.parametrize("query", [VISIBLE, DELETE])
async def test_another_organizations_document_is_not_found(office: Office, query: str) -> None:
    foreign = await office.scalar(
        "SELECT d.id FROM document d JOIN organization o ON o.id = d.organization_id "
        "WHERE o.slug <> 'brillanti' AND d.kind <> 'WORK_SHEET_PDF' ORDER BY d.id LIMIT 1"
    )
    token = await office.staff("ADMIN")
    for id in (ids.encode("Document", foreign), ids.encode("Document", uuid.uuid4()), "x"):
        assert await errors(office, query, token, id=id, visible=False) == [("NOT_FOUND", None)]
    count = "SELECT count(*) FROM document WHERE id = :d AND portal_visible = :v"
    visible = await office.scalar("SELECT portal_visible FROM document WHERE id = :d", d=foreign)
    assert await office.scalar(count, d=foreign, v=visible) == 1


async def test_a_technician_and_a_contact_cannot_hide_or_delete(office: Office) -> None:
    document, path = await uploaded(office)
    for token in (await office.staff("TECHNICIAN"), await office.as_(SITE_CONTACT)):
        for query in (VISIBLE, DELETE):
            body = (
                await office.gql(query, token=token, variables={"id": document, "visible": False})
            ).json()
            assert body.get("data") is None, body
    assert path.exists()
    row = "SELECT portal_visible FROM document WHERE id = :d"
    assert await office.scalar(row, d=ids.decode("Document", document)) is True
