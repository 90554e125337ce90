"""The PDF of a signed work sheet (foglio di intervento), rendered with fpdf2.

Pure: it gets every value it prints and the logo's bytes, and returns the PDF's bytes; the
signing mutation (resolvers/worksheet_actions.py) gathers them, stores the result through the
file store and attaches it to the signed copies. It blocks (fpdf2 is synchronous), so callers
run it in a thread.

Text uses the PDF core font Helvetica, whose encoding is Latin-1: Italian and Spanish letters
print as they are; a character outside Latin-1 (an emoji, a Cyrillic name) prints as ``?``
rather than failing the signature. Shipping a TrueType font would lift that limit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

# Labels per organization locale; any other locale prints English.
LABELS = {
    "it": {
        "title": "Foglio di intervento",
        "number": "Numero",
        "date": "Data",
        "site": "Sede",
        "technician": "Tecnico",
        "work": "Lavoro svolto",
        "materials": "Materiali",
        "signed_by": "Firmato da",
        "signed_at": "Firmato il",
        "none": "-",
    },
    "es": {
        "title": "Parte de trabajo",
        "number": "Número",
        "date": "Fecha",
        "site": "Sede",
        "technician": "Técnico",
        "work": "Trabajo realizado",
        "materials": "Materiales",
        "signed_by": "Firmado por",
        "signed_at": "Firmado el",
        "none": "-",
    },
    "en": {
        "title": "Work sheet",
        "number": "Number",
        "date": "Date",
        "site": "Site",
        "technician": "Technician",
        "work": "Work done",
        "materials": "Materials",
        "signed_by": "Signed by",
        "signed_at": "Signed at",
        "none": "-",
    },
}
# Logo box at the top right, in millimetres.
LOGO_WIDTH = 40.0
LOGO_HEIGHT = 20.0


@dataclasses.dataclass(frozen=True)
class SheetFacts:
    """Everything the PDF prints about one signed work sheet."""

    organization_name: str
    locale: str
    time_zone: str
    number: str
    work_date: dt.date
    site_name: str
    site_address: str
    technician: str | None
    description: str
    materials: str
    signed_by: str
    signed_at: dt.datetime
    logo: bytes | None = None


def _latin(text: str) -> str:
    """``text`` as the core font can print it (see the module docstring)."""
    return text.encode("latin-1", "replace").decode("latin-1")


def local_time(moment: dt.datetime, time_zone: str) -> str:
    """``moment`` in the organization's time zone, with the zone's name and UTC offset."""
    local = moment.astimezone(ZoneInfo(time_zone))
    return f"{local:%d/%m/%Y %H:%M} ({time_zone}, UTC{local:%z})"


def render(facts: SheetFacts, *, compress: bool = True) -> bytes:
    """The PDF of ``facts``; ``compress`` False leaves content streams readable as text."""
    labels = LABELS.get(facts.locale, LABELS["en"])
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.set_title(_latin(f"{labels['title']} {facts.number}"))
    pdf.set_author(_latin(facts.organization_name))
    pdf.set_creation_date(facts.signed_at)
    pdf.add_page()
    if facts.logo is not None:
        pdf.image(
            io.BytesIO(facts.logo),
            x=pdf.w - pdf.r_margin - LOGO_WIDTH,
            y=pdf.t_margin,
            w=LOGO_WIDTH,
            h=LOGO_HEIGHT,
            keep_aspect_ratio=True,
        )
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 6, _latin(facts.organization_name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", style="B", size=18)
    pdf.cell(0, 12, _latin(labels["title"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y(), pdf.t_margin + LOGO_HEIGHT) + 4)
    rows = (
        ("number", facts.number),
        ("date", f"{facts.work_date:%d/%m/%Y}"),
        ("site", f"{facts.site_name}, {facts.site_address}"),
        ("technician", facts.technician or labels["none"]),
    )
    for key, value in rows:
        _field(pdf, labels[key], value)
    for key, value in (("work", facts.description), ("materials", facts.materials)):
        pdf.ln(3)
        pdf.set_font("Helvetica", style="B", size=11)
        pdf.cell(0, 7, _latin(labels[key]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, _latin(value.strip() or labels["none"]))
    pdf.ln(8)
    _field(pdf, labels["signed_by"], facts.signed_by)
    _field(pdf, labels["signed_at"], local_time(facts.signed_at, facts.time_zone))
    return bytes(pdf.output())


def _field(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font("Helvetica", style="B", size=11)
    pdf.cell(35, 7, _latin(label))
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 7, _latin(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
