"""Equipment QR labels: what staff print leads to the right portal page, and nobody else
prints them.

No QR decoder installs here without a system library (zbar), so each code is read back
module by module from the image and compared with the symbol of the expected URL."""

from __future__ import annotations

import io
import uuid

import segno
from PIL import Image
from pypdf import PdfReader

from schema.kit import ids
from sportello.labels_route import COLUMNS, QR_BORDER, QR_ERROR, ROWS
from tests.api import Demo
from tests.partners import partner_token

# How the routes draw the code in a PNG: pixels per module.
PNG_SCALE = 8
PUBLIC_URL = "http://127.0.0.1:8000"


async def get(demo: Demo, path: str, token: str | None) -> tuple[int, bytes, str]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    demo.client.cookies.clear()
    response = await demo.client.get(path, headers=headers)
    return response.status_code, response.content, response.headers.get("content-type", "")


def expected_modules(url: str) -> list[list[bool]]:
    code = segno.make(url, error=QR_ERROR, micro=False)
    return [[bool(v) for v in row] for row in code.matrix_iter(scale=1, border=QR_BORDER)]


def read_modules(image: Image.Image, side: int) -> list[list[bool]]:
    """The dark and light modules of a code drawn in the top-left ``side`` pixels."""
    gray = image.convert("L")
    count = side // PNG_SCALE
    half = PNG_SCALE // 2
    return [
        [dark(gray.getpixel((c * PNG_SCALE + half, r * PNG_SCALE + half))) for c in range(count)]
        for r in range(count)
    ]


def dark(value: object) -> bool:
    assert isinstance(value, int)
    return value < 128


def page_url(equipment_id: uuid.UUID, org: str = "brillanti") -> str:
    return f"{PUBLIC_URL}/portal/equipment/{ids.encode('Equipment', equipment_id)}?org={org}"


async def busiest_site(demo: Demo) -> tuple[uuid.UUID, int]:
    """The brillanti site with the most equipment in service, and how many pieces."""
    row = await demo.scalar(
        "SELECT array[e.site_id::text, count(*)::text] FROM equipment e "
        "JOIN organization o ON o.id = e.organization_id "
        "WHERE o.slug = 'brillanti' AND e.archived_at IS NULL "
        "GROUP BY e.site_id ORDER BY count(*) DESC, e.site_id LIMIT 1"
    )
    return uuid.UUID(row[0]), int(row[1])


async def equipment_of(demo: Demo, org: str) -> list[uuid.UUID]:
    found = await demo.scalar(
        "SELECT array_agg(e.id ORDER BY e.kind, e.id) FROM equipment e "
        "JOIN organization o ON o.id = e.organization_id WHERE o.slug = :o",
        o=org,
    )
    return list(found)


async def test_a_site_sheet_has_one_label_per_piece_each_leading_to_its_page(demo: Demo) -> None:
    site, pieces = await busiest_site(demo)
    token = await demo.staff("OFFICE")
    path = f"/labels/equipment.pdf?siteId={ids.encode('Site', site)}"
    status, body, kind = await get(demo, path, token)
    assert status == 200, body
    assert kind == "application/pdf"
    reader = PdfReader(io.BytesIO(body))
    per_page = [len(page.images) for page in reader.pages]
    assert sum(per_page) == pieces
    assert len(per_page) == -(-pieces // (COLUMNS * ROWS))
    assert all(count == COLUMNS * ROWS for count in per_page[:-1])
    serials = await demo.scalar(
        "SELECT array_agg(serial_number ORDER BY kind, id) FROM equipment "
        "WHERE site_id = :s AND archived_at IS NULL",
        s=site,
    )
    text = "".join(page.extract_text() for page in reader.pages)
    assert all(f"S/N {serial}" in text for serial in serials if serial)
    first = await demo.scalar(
        "SELECT id FROM equipment WHERE site_id = :s AND archived_at IS NULL "
        "ORDER BY kind, id LIMIT 1",
        s=site,
    )
    image = reader.pages[0].images[0].image
    assert image is not None
    assert read_modules(image, image.width) == expected_modules(page_url(first))


async def test_chosen_pieces_print_in_order_and_a_foreign_one_is_not_found(demo: Demo) -> None:
    own = (await equipment_of(demo, "brillanti"))[:3]
    foreign = (await equipment_of(demo, "ignis"))[0]
    token = await demo.staff("TECHNICIAN")
    query = "&".join(f"id={ids.encode('Equipment', i)}" for i in own)
    status, body, _ = await get(demo, f"/labels/equipment.pdf?{query}", token)
    assert status == 200, body
    images = PdfReader(io.BytesIO(body)).pages[0].images
    assert len(images) == 3
    first = images[0].image
    assert first is not None
    assert read_modules(first, first.width) == expected_modules(page_url(own[0]))
    for other in (foreign, uuid.uuid4()):
        wrong = f"{query}&id={ids.encode('Equipment', other)}"
        status, _, _ = await get(demo, f"/labels/equipment.pdf?{wrong}", token)
        assert status == 404
    ignis_site = await demo.scalar(
        "SELECT s.id FROM site s JOIN organization o ON o.id = s.organization_id "
        "WHERE o.slug = 'ignis' LIMIT 1"
    )
    status, _, _ = await get(
        demo, f"/labels/equipment.pdf?siteId={ids.encode('Site', ignis_site)}", token
    )
    assert status == 404


async def test_one_label_as_svg_and_png(demo: Demo) -> None:
    piece, serial = await demo.scalar(
        "SELECT array[e.id::text, e.serial_number] FROM equipment e "
        "JOIN organization o ON o.id = e.organization_id "
        "WHERE o.slug = 'brillanti' AND e.serial_number IS NOT NULL ORDER BY e.id LIMIT 1"
    )
    piece = uuid.UUID(piece)
    token = await demo.staff("ADMIN")
    gid = ids.encode("Equipment", piece)
    status, body, kind = await get(demo, f"/labels/equipment/{gid}.png", token)
    assert status == 200
    assert kind == "image/png"
    image = Image.open(io.BytesIO(body))
    assert image.height > image.width  # the text lines sit under the code
    assert read_modules(image, image.width) == expected_modules(page_url(piece))
    status, body, kind = await get(demo, f"/labels/equipment/{gid}.svg", token)
    assert status == 200
    assert kind.startswith("image/svg+xml")
    code = segno.make(page_url(piece), error=QR_ERROR, micro=False)
    assert code.svg_inline(scale=4, border=QR_BORDER).encode() in body
    assert f"S/N {serial}".encode() in body
    foreign = ids.encode("Equipment", (await equipment_of(demo, "ignis"))[0])
    for path in (f"/labels/equipment/{foreign}.svg", "/labels/equipment/junk.png"):
        status, _, _ = await get(demo, path, token)
        assert status == 404
    status, _, _ = await get(demo, f"/labels/equipment/{gid}.gif", token)
    assert status == 404


async def test_only_staff_print_labels(demo: Demo) -> None:
    piece = ids.encode("Equipment", (await equipment_of(demo, "brillanti"))[0])
    contact = await demo.as_("contact of one client")
    partner = await partner_token(demo, "brillanti", ("lists:read",))
    for token in (contact, partner):
        for path in (f"/labels/equipment/{piece}.svg", f"/labels/equipment.pdf?id={piece}"):
            status, _, _ = await get(demo, path, token)
            assert status == 403
    status, _, _ = await get(demo, f"/labels/equipment/{piece}.svg", None)
    assert status == 401


async def test_bad_parameters_are_named(demo: Demo) -> None:
    token = await demo.staff("OFFICE")
    status, body, _ = await get(demo, "/labels/equipment.pdf", token)
    assert status == 400
    assert b"siteId" in body
    status, body, _ = await get(demo, "/labels/equipment.pdf?colour=red", token)
    assert status == 400
    assert b"colour" in body
