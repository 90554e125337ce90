"""The organization's logo: ADMIN staff upload it, anyone loads it for the login page, and
nothing else about an organization comes with it."""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from db.engine import create_engine
from db.seed import DEMO_PASSWORD
from db.seed.logos import png
from schema.kit import ids
from sportello.base.settings import Settings
from sportello.cli import seed_database
from tests.api import ORIGIN, Demo
from tests.conftest import DEMO_DAY, DemoWithFiles, MakeClient, MakeDemo, bearer

PNG = png((20, 90, 200), lambda x, y: abs(x) + abs(y) <= 0.6)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200)
WEBP = b"RIFF" + struct.pack("<I", 212) + b"WEBPVP8 " + bytes(200)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
BRANDING = "query($org: String!) { portalBranding(organization: $org) { logoUrl } }"
VIEWER = "{ viewer { organizationLogoUrl } }"
SWITCH_OFF = "UPDATE organization SET portal_enabled = false WHERE slug = 'brillanti'"
ADMIN_EMAIL = "giulia.ferri@brillanti.example"


class Branding(DemoWithFiles):
    """The demo app storing files (the logo among them) under ``root``."""

    async def upload(
        self,
        token: str | None,
        data: bytes = PNG,
        *,
        name: str = "logo.png",
        content_type: str = "image/png",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = bearer(token, headers)
        return await self.client.post(
            "/branding/logo", files={"file": (name, data, content_type)}, headers=sent
        )

    async def remove(self, token: str | None, headers: dict[str, str] | None = None) -> Any:
        return await self.client.delete("/branding/logo", headers=bearer(token, headers))

    async def logo_url(self, org: str = "brillanti", token: str | None = None) -> str | None:
        answer = await self.gql(BRANDING, token=token, org=org)
        url: str | None = answer.json()["data"]["portalBranding"]["logoUrl"]
        return url


@pytest.fixture
async def branding(make_demo: MakeDemo, tmp_path: Path) -> Branding:
    root = tmp_path / "files"
    return Branding(await make_demo(files_dir=root), root)


async def test_an_admin_uploads_a_logo_that_anyone_then_loads(branding: Branding) -> None:
    admin = await branding.as_("staff admin")
    seeded = await branding.scalar("SELECT logo_sha256 FROM organization WHERE slug = 'brillanti'")
    response = await branding.upload(admin)
    assert response.status_code == 200
    sha = hashlib.sha256(PNG).hexdigest()
    url = f"/branding/brillanti/logo?v={sha[:16]}"
    assert response.json() == {
        "logoUrl": url,
        "sha256": sha,
        "mimeType": "image/png",
        "sizeBytes": len(PNG),
    }
    organization = await branding.scalar("SELECT id FROM organization WHERE slug = 'brillanti'")
    assert (branding.root / f"{sha[:2]}/{sha}-logo-{organization.hex}").read_bytes() == PNG
    # The login page, the portal's header and staff all get the address of the stored logo.
    assert await branding.logo_url() == url
    for role in ("contact of one client", "staff admin"):
        viewer = await branding.data(VIEWER, await branding.as_(role))
        assert viewer["viewer"]["organizationLogoUrl"] == url
    event = await branding.scalar(
        "SELECT json_build_array(actor_type, subject_type, subject_id, details) "
        "FROM audit_event WHERE action = 'organization_logo_changed'"
    )
    assert event[:3] == ["STAFF", "Organization", str(organization)]
    # The demo's own logo before, the new one after.
    assert event[3] == {
        "before": {"sha256": seeded, "mimeType": "image/png"},
        "after": {"sha256": sha, "mimeType": "image/png"},
    }

    loaded = await branding.client.get(url)
    assert loaded.status_code == 200
    assert loaded.content == PNG
    assert loaded.headers["content-type"] == "image/png"
    assert loaded.headers["etag"] == f'"{sha}"'
    assert loaded.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert loaded.headers["x-content-type-options"] == "nosniff"
    assert "set-cookie" not in loaded.headers
    assert "last-modified" not in loaded.headers
    # Another address of the same logo may change: cached for a short while only.
    plain = await branding.client.get("/branding/brillanti/logo")
    assert (plain.content, plain.headers["cache-control"]) == (PNG, "public, max-age=300")
    for etag in (f'"{sha}"', f'W/"{sha}"', f'"other", "{sha}"', "*"):
        again = await branding.client.get(url, headers={"if-none-match": etag})
        assert (again.status_code, again.content) == (304, b"")
        assert again.headers["etag"] == f'"{sha}"'
    changed = await branding.client.get(url, headers={"if-none-match": '"0123"'})
    assert changed.status_code == 200


async def test_a_new_logo_replaces_the_old_and_removing_it_brings_the_address_back(
    branding: Branding,
) -> None:
    admin = await branding.as_("staff admin")
    assert (await branding.upload(admin)).status_code == 200
    first = branding.stored_files()
    for data, mime in ((JPEG, "image/jpeg"), (WEBP, "image/webp")):
        response = await branding.upload(admin, data, name="logo.bin", content_type="image/png")
        assert (response.status_code, response.json()["mimeType"]) == (200, mime)
        loaded = await branding.client.get(response.json()["logoUrl"])
        assert (loaded.content, loaded.headers["content-type"]) == (data, mime)
        # The replaced file is gone; only the current logo's file remains.
        assert len(branding.stored_files()) == 1
    assert branding.stored_files() != first
    # The same bytes again change nothing and record nothing.
    events = "SELECT count(*) FROM audit_event WHERE action LIKE 'organization_logo%'"
    before = await branding.scalar(events)
    assert (await branding.upload(admin, WEBP)).status_code == 200
    assert await branding.scalar(events) == before
    assert len(branding.stored_files()) == 1

    removed = await branding.remove(admin)
    assert (removed.status_code, removed.content) == (204, b"")
    assert branding.stored_files() == []
    assert await branding.scalar(events) == before + 1
    # Back to the address the organization configured, as before logos were stored.
    assert await branding.logo_url() == "https://brillanti.example/logo.png"
    assert (await branding.client.get("/branding/brillanti/logo")).status_code == 404
    # Removing nothing is no error, and records nothing.
    assert (await branding.remove(admin)).status_code == 204
    assert await branding.scalar(events) == before + 1


def _code(answer: httpx.Response) -> tuple[int, str | None]:
    errors = answer.json().get("errors") if answer.content else None
    return answer.status_code, errors[0]["extensions"]["code"] if errors else None


async def refusals(
    branding: Branding, token: str | None, **kw: Any
) -> list[tuple[int, str | None]]:
    """(status, code) of the logo's upload and removal and of POST /files, for one caller."""
    revision = await branding.scalar("SELECT id FROM revision LIMIT 1")
    headers = bearer(token, kw.get("headers"))
    answers = [
        await branding.upload(token, **kw),
        await branding.remove(token, **kw),
        await branding.client.post(
            "/files",
            data={"ownerId": ids.encode("Revision", revision), "kind": "CHECKLIST"},
            files={"file": ("x.pdf", PDF)},
            headers=headers,
        ),
    ]
    return [_code(answer) for answer in answers]


async def test_only_admin_staff_change_the_logo_with_the_answers_of_other_staff_routes(
    branding: Branding,
) -> None:
    forbidden = [(403, "FORBIDDEN")] * 3
    contact = await branding.as_("contact limited to one site")
    assert await refusals(branding, contact) == forbidden
    admin = await branding.as_("staff admin")
    target = await branding.scalar(
        "SELECT id FROM contact WHERE email = :e", e=branding.login_of("contact of one client")
    )
    preview = {"x-view-as-contact": ids.encode("PortalAccess", target)}
    assert await refusals(branding, admin, headers=preview) == forbidden
    branding.client.cookies.clear()  # logging in left a session cookie
    assert await refusals(branding, None) == [(401, "UNAUTHENTICATED")] * 3
    await branding.execute(
        "UPDATE staff_user SET role = 'TECHNICIAN' WHERE email = :e", e=ADMIN_EMAIL
    )
    assert await refusals(branding, admin) == forbidden
    await branding.execute("UPDATE staff_user SET role = 'OFFICE' WHERE email = :e", e=ADMIN_EMAIL)
    # OFFICE staff upload documents but do not change the organization's branding.
    assert await refusals(branding, admin) == [*forbidden[:2], (201, None)]
    assert not [p for p in branding.stored_files() if "-logo-" in p.name]
    assert (
        await branding.scalar(
            "SELECT count(*) FROM audit_event WHERE action LIKE 'organization_logo%'"
        )
        == 0
    )


async def test_cookie_changes_must_come_from_an_allowed_origin(branding: Branding) -> None:
    login = await branding.login(ADMIN_EMAIL, DEMO_PASSWORD, org="brillanti")
    assert login.status_code == 200
    assert branding.client.cookies.get("sportello_session")
    for headers in ({"origin": "https://evil.example"}, {}):
        assert (await branding.upload(None, headers=headers)).status_code == 403
        assert (await branding.remove(None, headers=headers)).status_code == 403
    assert branding.stored_files() == []
    assert (await branding.upload(None, headers=ORIGIN)).status_code == 200
    assert (await branding.remove(None, headers=ORIGIN)).status_code == 204


async def test_only_png_jpeg_and_webp_within_a_megabyte_by_their_content(
    branding: Branding,
) -> None:
    admin = await branding.as_("staff admin")
    row = "SELECT logo_sha256 FROM organization WHERE slug = 'brillanti'"
    before = await branding.scalar(row)
    # Named and typed as images, but SVG (which can carry script), HTML and PDF inside.
    for data in (SVG, b"\n" + SVG, HTML, PDF, b"", b"RIFF\0\0\0\0WAVEfmt "):
        refused = await branding.upload(admin, data, name="logo.png", content_type="image/png")
        assert refused.status_code == 415
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    svg = await branding.upload(admin, SVG, name="logo.svg", content_type="image/svg+xml")
    assert svg.status_code == 415
    just_over = await branding.upload(admin, PNG + bytes(1_000_000 - len(PNG) + 1))
    far_over = await branding.upload(admin, PNG + bytes(5_000_000))
    assert just_over.status_code == far_over.status_code == 413
    assert just_over.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    at_limit = await branding.upload(admin, PNG + bytes(1_000_000 - len(PNG)))
    assert (at_limit.status_code, at_limit.json()["sizeBytes"]) == (200, 1_000_000)
    await branding.remove(admin)
    as_json = await branding.client.post(
        "/branding/logo", json={"file": "x"}, headers=bearer(admin)
    )
    assert as_json.status_code == 415
    no_file = await branding.client.post(
        "/branding/logo", files={"other": ("x", PNG)}, headers=bearer(admin)
    )
    assert (no_file.status_code, no_file.json()["errors"][0]["extensions"]["field"]) == (
        400,
        "file",
    )
    assert branding.stored_files() == []
    assert await branding.scalar(row) is None
    assert before is not None  # the demo's logo was there before the one removed above


def _shape(response: httpx.Response) -> tuple[Any, ...]:
    """Everything of an answer but its request id."""
    body = response.json()
    for error in body["errors"]:
        del error["extensions"]["requestId"]
    headers = {k: v for k, v in response.headers.items() if k not in {"x-request-id", "date"}}
    return response.status_code, body, headers


async def test_unknown_switched_off_and_logo_less_organizations_answer_the_same_404(
    branding: Branding,
) -> None:
    admin = await branding.as_("staff admin")
    await branding.upload(admin)
    url = await branding.logo_url()
    assert url is not None
    assert (await branding.client.get(url)).status_code == 200
    answers = [
        await branding.client.get("/branding/no-such-company/logo"),
        await branding.client.get("/branding/BRILLANTI/logo"),
        await branding.client.get("/branding/brillanti%00/logo"),
        await branding.client.get("/branding/" + "x" * 200 + "/logo"),
    ]
    # Ignis stores a logo in the demo data, but its file was never written here.
    answers.append(await branding.client.get("/branding/ignis/logo"))
    await branding.execute(
        "UPDATE organization SET portal_enabled = false WHERE slug = 'brillanti'"
    )
    answers.append(await branding.client.get(url))
    answers.append(await branding.client.get(url, headers={"if-none-match": "*"}))
    await branding.execute(
        "UPDATE organization SET portal_enabled = true, logo_sha256 = NULL, "
        "logo_mime_type = NULL WHERE slug = 'brillanti'"
    )
    answers.append(await branding.client.get(url))
    shapes = {repr(_shape(answer)) for answer in answers}
    assert len(shapes) == 1, shapes
    status, body, headers = _shape(answers[0])
    assert status == 404
    assert body == {"errors": [{"message": "No such logo.", "extensions": {"code": "NOT_FOUND"}}]}
    assert headers["cache-control"] == "no-store"


async def test_staff_of_a_switched_off_portal_see_the_configured_address(
    branding: Branding,
) -> None:
    """The stored logo is served only while the portal is on, so the viewer does not point
    staff at an address that answers 404."""
    admin = await branding.as_("staff admin")
    await branding.upload(admin)
    await branding.execute(
        "UPDATE organization SET portal_enabled = false WHERE slug = 'brillanti'"
    )
    viewer = await branding.data(VIEWER, admin)
    assert viewer["viewer"]["organizationLogoUrl"] == "https://brillanti.example/logo.png"


async def test_logo_requests_count_against_the_anonymous_budget_of_the_address(
    make_client: MakeClient, demo_database: str, tmp_path: Path
) -> None:
    client = await make_client(demo_database, files_dir=tmp_path, anonymous_requests_per_minute=2)
    # No file was written here, so the demo's logo answers 404: counted all the same.
    for _ in range(2):
        assert (await client.get("/branding/brillanti/logo")).status_code == 404
    limited = await client.get("/branding/brillanti/logo")
    assert limited.status_code == 429
    assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(limited.headers["retry-after"]) >= 1


def _png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """(width, height, raw rows) of an 8-bit RGBA PNG, every chunk's CRC checked."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    position, chunks = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert zlib.crc32(kind + body) == crc
        chunks.append((kind, body))
        position += 12 + length
    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour, *_ = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour) == (8, 6)
    return width, height, zlib.decompress(chunks[1][1])


async def test_the_seeded_demo_has_a_logo_on_its_login_page(
    make_client: MakeClient, database_url: str, tmp_path: Path
) -> None:
    # What `sportello seed` (and so `make run`) does: rows and files.
    engine = create_engine(database_url, pool_size=1)
    settings = Settings(database_url=database_url, files_dir=tmp_path)
    try:
        assert await seed_database(engine, settings, 1, False, DEMO_DAY)
        client = await make_client(database_url, files_dir=tmp_path)
        demo = Branding(Demo(engine, client), tmp_path)
        logos = []
        for org in ("brillanti", "ignis"):
            url = await demo.logo_url(org)
            assert url is not None
            assert url.startswith(f"/branding/{org}/logo?v=")
            loaded = await client.get(url)
            assert (loaded.status_code, loaded.headers["content-type"]) == (200, "image/png")
            sha = await demo.scalar("SELECT logo_sha256 FROM organization WHERE slug = :o", o=org)
            assert hashlib.sha256(loaded.content).hexdigest() == sha
            width, height, rows = _png_pixels(loaded.content)
            assert (width, height) == (96, 96)
            assert len(rows) == height * (1 + width * 4)
            # A badge: transparent corners, an opaque middle.
            assert rows[1:5] == bytes(4)
            middle = (height // 2) * (1 + width * 4) + 1 + (width // 2) * 4
            assert rows[middle + 3] == 255
            logos.append(loaded.content)
        assert logos[0] != logos[1]
    finally:
        await engine.dispose()
