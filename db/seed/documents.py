"""Documents: a tiny one-page PDF per document, built in memory to give real sha256 and size."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from functools import cache

from db.models.documents import OWNER_COLUMNS
from db.seed.context import Row, SeedContext, ascii_slug
from db.seed.world import OrgWorld


def pdf_bytes(title: str, lines: Sequence[str]) -> bytes:
    """A valid single-page PDF showing ``title`` and ``lines`` in Helvetica."""
    text = [f"BT /F1 16 Tf 56 790 Td 20 TL ({_escape(title)}) Tj /F1 11 Tf"]
    text.extend(f"T* ({_escape(line)}) Tj" for line in lines)
    text.append("ET")
    stream = "\n".join(text).encode("cp1252", errors="replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _escape(text: str) -> str:
    if "(" not in text and ")" not in text and "\\" not in text:
        return text
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


@cache
def _title_slug(title: str) -> str:
    return ascii_slug(title, "-")


def attach(
    ctx: SeedContext,
    world: OrgWorld,
    *,
    owner: str,
    owner_id: uuid.UUID,
    client: Row,
    site_id: uuid.UUID | None,
    kind: str,
    reference: str,
    when: dt.datetime,
    visible: bool,
    details: Sequence[str] = (),
) -> Row:
    """A document of ``kind`` owned by the record ``owner_id`` (``owner`` is its column)."""
    title = world.profile.wording.document_titles[kind]
    document_id = ctx.new_id()
    data = pdf_bytes(
        f"{title} {reference}",
        (
            world.profile.name,
            client["name"],
            *details,
            when.astimezone(world.zone).strftime("%d/%m/%Y"),
            f"ID {document_id}",
        ),
    )
    sha = hashlib.sha256(data).hexdigest()
    key = f"{sha[:2]}/{sha}"
    if ctx.keep_files:
        ctx.files.append((key, data))
    row: Row = {
        "id": document_id,
        "created_at": when,
        "organization_id": world.id,
        "client_id": client["id"],
        "site_id": site_id,
        **dict.fromkeys(OWNER_COLUMNS),
        "kind": kind,
        # References are ASCII codes such as FT-2026/00012; the slash cannot go in a name.
        "file_name": f"{_title_slug(title)}-{reference.replace('/', '-')}.pdf",
        "mime_type": "application/pdf",
        "size_bytes": len(data),
        "sha256": sha,
        "storage_key": key,
        "portal_visible": visible,
    }
    row[owner] = owner_id
    return ctx.add("document", row)
