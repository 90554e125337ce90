"""QR labels for equipment: ``GET /labels/equipment.pdf`` (a sheet) and
``GET /labels/equipment/{id}.svg|png`` (one label).

- Scanning a label opens ``<public URL>/portal/equipment/<global id>?org=<slug>``: the portal's
  page of that piece (web/pages/equipment.js), after login, shown only to contacts who may see it.
- Staff of every role print them (technicians stick them on site); contacts and partners get
  403. The same authentication as /export (cookie or bearer, no origin check: a download).
- The sheet is A4 with 3 x 8 labels of 70 x 37 mm (the common adhesive sheet): site, location,
  kind and model, serial number beside the QR code. ``siteId`` prints a site's equipment still
  in service; ``id`` (repeatable, at most a few sheets) prints chosen pieces. An id or site out
  of sight, or unknown, answers 404 like everywhere else; a bad parameter 400 naming it.
- Text uses the PDF core font Helvetica (Latin-1), as the work sheet's PDF does.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import uuid
from collections.abc import Sequence
from urllib.parse import quote
from xml.sax.saxutils import escape

import segno
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from starlette.requests import Request
from starlette.responses import Response

from authz.rules import allow, staff
from db.queries import clients, labels, organization_settings
from db.storage import attachment
from schema.kit import ids
from sportello.errors import Refusal, answering
from sportello.opening import Gate, opened

# QR codes are drawn with this error correction and quiet zone (in modules) everywhere.
QR_ERROR = "m"
QR_BORDER = 2
# Sheet geometry in millimetres: A4, 3 columns, 8 rows.
COLUMNS, ROWS = 3, 8
PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0
LABEL_WIDTH, LABEL_HEIGHT = PAGE_WIDTH / COLUMNS, PAGE_HEIGHT / ROWS
PADDING = 3.0
QR_SIZE = LABEL_HEIGHT - 2 * PADDING
# Chosen ids printed at once: ten sheets; a whole site has no such bound.
MAX_IDS = COLUMNS * ROWS * 10
SHEET_PARAMETERS = frozenset({"siteId", "id"})
FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
PRINTERS = Gate(allow(staff()), "Equipment labels are printed by staff.")


@dataclasses.dataclass(frozen=True)
class Label:
    """What one label prints, and where its QR code leads."""

    site: str
    location: str | None
    model: str
    serial: str | None
    url: str

    @property
    def lines(self) -> list[str]:
        """The text beside the code: site first (the label's title), then what is filled in."""
        lines = [
            self.site,
            self.location,
            self.model,
            f"S/N {self.serial}" if self.serial else None,
        ]
        return [line for line in lines if line]


def equipment_url(public_url: str, slug: str, equipment_id: uuid.UUID) -> str:
    """The portal page a label's QR code opens; ``org`` preselects the login's organization."""
    gid = ids.encode("Equipment", equipment_id)
    return f"{public_url.rstrip('/')}/portal/equipment/{gid}?org={quote(slug, safe='')}"


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error=QR_ERROR, micro=False)


def _latin(text: str) -> str:
    """The core font's encoding: a character outside Latin-1 prints as ``?``."""
    return text.encode("latin-1", "replace").decode("latin-1")


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut with an ellipsis where it would run past ``width``."""
    text = _latin(text)
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text + "..."


def sheet_pdf(items: Sequence[Label]) -> bytes:
    """The label sheets' PDF (blocking: callers run it in a thread)."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_title("Equipment labels")
    text_x = PADDING + QR_SIZE + PADDING
    text_width = LABEL_WIDTH - text_x - PADDING
    for index, item in enumerate(items):
        slot = index % (COLUMNS * ROWS)
        if slot == 0:
            pdf.add_page()
        x = (slot % COLUMNS) * LABEL_WIDTH
        y = (slot // COLUMNS) * LABEL_HEIGHT
        png = io.BytesIO()
        qr_code(item.url).save(png, kind="png", scale=8, border=QR_BORDER)
        pdf.image(png, x=x + PADDING, y=y + PADDING, w=QR_SIZE, h=QR_SIZE)
        pdf.set_xy(x + text_x, y + PADDING + 1)
        for number, line in enumerate(item.lines):
            pdf.set_font("Helvetica", "B" if number == 0 else "", 9 if number == 0 else 8)
            pdf.set_x(x + text_x)
            pdf.cell(text_width, 4.5, _fit(pdf, line, text_width), new_x="LEFT", new_y="NEXT")
    return bytes(pdf.output())


def label_svg(item: Label) -> bytes:
    """One label as SVG: the code, with the label's lines under it."""
    scale = 4
    code = qr_code(item.url)
    side = code.symbol_size(scale=scale, border=QR_BORDER)[0]
    line_height = 16
    height = side + line_height * len(item.lines) + 8
    weights = ["bold"] + ["normal"] * (len(item.lines) - 1)
    text = "".join(
        f'<text x="{side // 2}" y="{side + line_height * (n + 1)}" text-anchor="middle"'
        f' font-family="Helvetica, Arial, sans-serif" font-size="12" font-weight="{weight}">'
        f"{escape(line)}</text>"
        for n, (line, weight) in enumerate(zip(item.lines, weights, strict=True))
    )
    inner = code.svg_inline(scale=scale, border=QR_BORDER)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{side}" height="{height}"'
        f' viewBox="0 0 {side} {height}"><rect width="100%" height="100%" fill="#fff"/>'
        f"{inner}{text}</svg>"
    )
    return svg.encode()


def label_png(item: Label) -> bytes:
    """One label as PNG: the code, with the label's lines under it (blocking)."""
    raw = io.BytesIO()
    qr_code(item.url).save(raw, kind="png", scale=8, border=QR_BORDER)
    code = Image.open(io.BytesIO(raw.getvalue())).convert("L")
    font = ImageFont.load_default(size=16)
    line_height = 22
    image = Image.new("L", (code.width, code.height + line_height * len(item.lines) + 8), 255)
    image.paste(code, (0, 0))
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(item.lines):
        y = code.height + line_height * number
        draw.text((code.width // 2, y), line, fill=0, font=font, anchor="ma")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _not_found() -> Refusal:
    return Refusal(404, "NOT_FOUND", "No such equipment or site.")


def _bad_input(field: str, message: str) -> Refusal:
    return Refusal(400, "BAD_USER_INPUT", message, field=field)


async def _staff_labels(
    request: Request, site_id: uuid.UUID | None, equipment_ids: list[uuid.UUID] | None
) -> tuple[str, list[Label]]:
    """(organization slug, labels) for a staff caller; a Refusal for anyone else."""
    async with opened(request, PRINTERS, check_origin=False) as opening:
        db, scope = opening.db, opening.scope
        if site_id is not None and (await clients.sites_by_id(db, scope, [site_id]))[0] is None:
            raise _not_found()
        rows = await labels.labelled_equipment(
            db, scope, site_id=site_id, equipment_ids=equipment_ids
        )
        if equipment_ids is not None and len(rows) != len(set(equipment_ids)):
            raise _not_found()
        slug = (await organization_settings.settings(db, scope.organization_id)).slug
        await opening.transaction.commit()
    public_url = opening.settings.public_url
    found = [
        Label(
            site=row.site_name,
            location=row.location,
            model=" ".join(part for part in (row.kind, row.model) if part),
            serial=row.serial_number,
            url=equipment_url(public_url, slug, row.id),
        )
        for row in rows
    ]
    return slug, found


@answering
async def label_sheet(request: Request) -> Response:
    params = request.query_params
    unknown = sorted(set(params) - SHEET_PARAMETERS)
    if unknown:
        raise _bad_input(unknown[0], "Not a parameter of the label sheet.")
    chosen = params.getlist("id")
    if not chosen and "siteId" not in params:
        raise _bad_input("siteId", "Give a siteId or equipment ids.")
    if len(chosen) > MAX_IDS:
        raise _bad_input("id", f"Print at most {MAX_IDS} labels.")
    site_id = ids.decode("Site", params["siteId"]) if "siteId" in params else None
    equipment_ids = [ids.decode("Equipment", value) for value in chosen]
    if ("siteId" in params and site_id is None) or None in equipment_ids:
        raise _not_found()
    slug, items = await _staff_labels(
        request, site_id, [i for i in equipment_ids if i is not None] if chosen else None
    )
    if not items:
        raise _bad_input("siteId", "This site has no equipment.")
    body = await asyncio.to_thread(sheet_pdf, items)
    headers = {"Content-Disposition": attachment(f"{slug}-equipment-labels.pdf")}
    return Response(body, media_type="application/pdf", headers=headers)


@answering
async def single_label(request: Request) -> Response:
    kind = request.path_params["format"]
    equipment_id = ids.decode("Equipment", request.path_params["id"])
    if kind not in FORMATS or equipment_id is None:
        raise _not_found()
    slug, (item,) = await _staff_labels(request, None, [equipment_id])
    body = label_svg(item) if kind == "svg" else await asyncio.to_thread(label_png, item)
    name = f"{slug}-{item.serial or request.path_params['id']}.{kind}"
    headers = {"Content-Disposition": attachment(name)}
    return Response(body, media_type=FORMATS[kind], headers=headers)
