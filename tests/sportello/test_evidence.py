"""GET /evidence/<site>.zip: a site's documents of a period for an auditor, in one ZIP."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
import zipfile
from pathlib import Path

import httpx
import pytest

from schema.kit import ids
from tests.conftest import MakeDemo
from tests.partners import partner_token
from tests.sportello.test_files_route import CONTACT_SITES, JPEG, PDF, SITE_CONTACT, Office

JANUARY = {"from": "2020-01-01", "to": "2020-01-31"}
CONTACT_ID = "SELECT id FROM contact WHERE email = :e"


@pytest.fixture
async def office(make_demo: MakeDemo, tmp_path: Path) -> Office:
    root = tmp_path / "files"
    return Office(await make_demo(files_dir=root, evidence_max_documents=3), root)


async def site_revision(office: Office) -> tuple[uuid.UUID, uuid.UUID]:
    """(site, revision): a revision at the one site the site-limited demo contact sees."""
    sites = await office.scalar(CONTACT_SITES, e=office.login_of(SITE_CONTACT))
    row = await office.scalar(
        "SELECT json_build_array(site_id, id) FROM revision WHERE site_id = ANY(:s) "
        "ORDER BY id LIMIT 1",
        s=sites,
    )
    return uuid.UUID(row[0]), uuid.UUID(row[1])


async def filed(
    office: Office,
    revision: uuid.UUID,
    data: bytes,
    day: str,
    name: str = "verbale.pdf",
    kind: str = "CHECKLIST",
    visible: str = "true",
    hour: int = 10,
) -> str:
    """Upload ``data`` to the revision as the admin and date it ``day`` at ``hour`` (UTC);
    its global id."""
    admin = await office.as_("staff admin")
    owner = ids.encode("Revision", revision)
    response = await office.upload(admin, owner, data, name=name, kind=kind, portalVisible=visible)
    assert response.status_code == 201, response.text
    document: str = response.json()["id"]
    await office.execute(
        "UPDATE document SET created_at = CAST(CAST(:d AS text) AS timestamptz) "
        "+ make_interval(hours => :h) WHERE id = :i",
        d=day,
        i=ids.decode("Document", document),
        h=hour,
    )
    return document


async def pack(
    office: Office, token: str, site: uuid.UUID, period: dict[str, str] = JANUARY
) -> httpx.Response:
    return await office.client.get(
        f"/evidence/{ids.encode('Site', site)}.zip",
        params=period,
        headers={"authorization": f"Bearer {token}"},
    )


async def test_the_contact_gets_the_visible_documents_with_a_manifest_of_their_hashes(
    office: Office,
) -> None:
    site, revision = await site_revision(office)
    checklist = await filed(office, revision, PDF, "2020-01-10", name="verbale.pdf")
    photo = await filed(office, revision, JPEG, "2020-01-20", name="foto.jpg", kind="OTHER")
    same_name = await filed(office, revision, PDF + b"\n", "2020-01-10", hour=11)
    await filed(office, revision, PDF, "2020-01-12", name="interno.pdf", visible="false")
    await filed(office, revision, PDF, "2020-02-01", name="febbraio.pdf")
    email = office.login_of(SITE_CONTACT)
    await office.execute("UPDATE contact SET locale = 'es' WHERE email = :e", e=email)
    response = await pack(office, await office.as_(SITE_CONTACT), site)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == [
        "checklist/2020-01-10-verbale.pdf",
        "checklist/2020-01-10-verbale (2).pdf",
        "other/2020-01-20-foto.jpg",
        "manifest.json",
        "manifest.csv",
        "README.txt",
    ]
    manifest = json.loads(archive.read("manifest.json"))
    assert [d["document"] for d in manifest["documents"]] == [checklist, same_name, photo]
    assert manifest["missing"] == []
    for document in manifest["documents"]:
        data = archive.read(document["path"])
        assert document["sha256"] == hashlib.sha256(data).hexdigest()
        assert document["size"] == len(data)
        assert document["record"] == ids.encode("Revision", revision)
    assert archive.read("other/2020-01-20-foto.jpg") == JPEG
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert rows == [{k: str(v) for k, v in d.items()} for d in manifest["documents"]]
    assert archive.read("README.txt").decode().startswith("Paquete de evidencias del sitio")
    listed = await office.scalar(
        "SELECT details->'documents' FROM audit_event "
        "WHERE action = 'evidence_pack_downloaded' AND subject_id = :s AND actor_id = :c",
        s=site,
        c=await office.scalar(CONTACT_ID, e=email),
    )
    assert listed == [str(ids.decode("Document", d)) for d in (checklist, same_name, photo)]


async def test_out_of_scope_sites_are_not_found(office: Office) -> None:
    site, revision = await site_revision(office)
    await filed(office, revision, PDF, "2020-01-10")
    contact = await office.as_(SITE_CONTACT)
    neighbour = await office.scalar(
        "SELECT id FROM site WHERE client_id = (SELECT client_id FROM site WHERE id = :s) "
        "AND id <> :s ORDER BY id LIMIT 1",
        s=site,
    )
    foreign = await office.scalar(
        "SELECT s.id FROM site s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug <> 'brillanti' ORDER BY s.id LIMIT 1"
    )
    admin = await office.as_("staff admin")
    partner = await partner_token(office, scopes=("reports:read", "lists:read", "exports:read"))
    assert (await pack(office, partner, site)).status_code == 403
    assert (await pack(office, contact, neighbour)).status_code == 404
    assert (await pack(office, admin, foreign)).status_code == 404
    assert (await pack(office, admin, site)).status_code == 200
    assert (await pack(office, contact, site)).status_code == 200
    # The link the dashboard showed stops working once the grant goes.
    await office.execute(
        "DELETE FROM portal_grant WHERE contact_id = (SELECT id FROM contact WHERE email = :e)",
        e=office.login_of(SITE_CONTACT),
    )
    refused = await pack(office, contact, site)
    assert refused.status_code == 404
    assert refused.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_period_past_the_bound_is_refused_before_anything_streams(office: Office) -> None:
    site, revision = await site_revision(office)
    for day in ("2020-01-02", "2020-01-03", "2020-01-04", "2020-01-05"):
        await filed(office, revision, PDF, day)
    admin = await office.as_("staff admin")
    over = await pack(office, admin, site)
    assert over.status_code == 400
    error = over.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["period"] == {"from": "2020-01-01", "to": "2020-01-31"}
    assert "2020-01-01 to 2020-01-31 holds 4 documents" in error["message"]
    within = await pack(office, admin, site, {"from": "2020-01-03", "to": "2020-01-05"})
    assert (
        len(
            json.loads(zipfile.ZipFile(io.BytesIO(within.content)).read("manifest.json"))[
                "documents"
            ]
        )
        == 3
    )


@pytest.mark.parametrize(
    ("period", "field"),
    [
        ({"to": "2020-01-31"}, "from"),
        ({"from": "2020-01-01", "to": "31/01/2020"}, "to"),
        ({"from": "2020-02-01", "to": "2020-01-31"}, "to"),
        ({"from": "0001-01-01", "to": "2020-01-31"}, "from"),
        ({"from": "2020-01-01", "to": "9999-12-31"}, "to"),
    ],
)
async def test_a_malformed_period_names_its_field(
    office: Office, period: dict[str, str], field: str
) -> None:
    site, _ = await site_revision(office)
    response = await pack(office, await office.as_(SITE_CONTACT), site, period)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["field"] == field
