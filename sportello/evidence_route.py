"""``GET /evidence/{site id}.zip?from=YYYY-MM-DD&to=YYYY-MM-DD``: a site's evidence pack.

A ZIP of every document of the site the caller may see, filed from ``from`` to ``to``
(days of the organization's time zone, both included), for an auditor: files under
``<kind>/<date>-<file name>``, then ``manifest.json`` and ``manifest.csv`` (document,
record, date, sha256, size) and a ``README.txt`` in the caller's language (it, es, en).

- The same authentication as /graphql (cookie or bearer) and the same row scope as
  ``document(id:)``: a contact gets the portal-visible documents of records they see, and the
  scope is computed on every request, so a grant removed after the link was shown refuses it.
  A site out of sight is the same 404 as an unknown one; partner tokens get 403.
- Bounded before anything streams: past ``evidence_max_documents`` documents or
  ``evidence_max_bytes`` bytes the answer is 400 BAD_USER_INPUT naming the period.
- One audit event for the pack ("evidence_pack_downloaded", subject the site) listing the
  documents, written before the first byte goes out, like single downloads are audited.
- Streamed: the ZIP is written by the standard zipfile into a sink emptied after each chunk
  of a stored file, so memory stays at about a chunk whatever the pack's size. The manifest
  comes last, its hashes and sizes computed from the bytes that went into the ZIP. A document
  whose file the store lacks is logged and listed under ``missing`` in manifest.json.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import uuid
import zipfile
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from authz.principals import Audience
from authz.rules import allow
from db import storage
from db.models.documents import OWNER_COLUMNS
from db.queries import accounts, clients, evidence, organization_settings
from db.storage import store_for
from schema.kit import ids
from sportello.errors import Refusal, answering
from sportello.files_route import OWNER_TYPES
from sportello.opening import Gate, opened

log = logging.getLogger("sportello.evidence")

# Owner column of a document -> the global id type of its record.
RECORD_TYPES = {column: name for name, column in OWNER_TYPES.items()}
# An entry this large may pass 4 GiB once deflated headers are added: write it as ZIP64.
ZIP64_FROM = 2**31
# Periods stay clear of the ends of the calendar, where a day's local midnight has no UTC time.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(9998, 12, 31)
SPAN = f"from {FIRST_DAY} to {LAST_DAY}"
MANIFEST_FIELDS = ("document", "record", "date", "path", "sha256", "size")
READERS = Gate(allow(Audience.STAFF, Audience.PORTAL), "Evidence packs are for staff and contacts.")

README = {
    "it": (
        "Pacchetto di evidenze del sito {site}\n"
        "Periodo: dal {start} al {end}\n"
        "Documenti: {count}\n\n"
        "Ogni cartella raccoglie un tipo di documento; ogni file porta la data di\n"
        "archiviazione davanti al nome. manifest.json e manifest.csv elencano per ogni\n"
        "documento il suo identificativo, il record a cui appartiene, la data, l'impronta\n"
        "SHA-256 e la dimensione in byte: confrontate l'impronta per verificare un file.\n"
    ),
    "es": (
        "Paquete de evidencias del sitio {site}\n"
        "Periodo: del {start} al {end}\n"
        "Documentos: {count}\n\n"
        "Cada carpeta reúne un tipo de documento; cada archivo lleva delante la fecha en\n"
        "que se archivó. manifest.json y manifest.csv indican para cada documento su\n"
        "identificador, el registro al que pertenece, la fecha, la huella SHA-256 y el\n"
        "tamaño en bytes: compare la huella para verificar un archivo.\n"
    ),
    "en": (
        "Evidence pack of the site {site}\n"
        "Period: {start} to {end}\n"
        "Documents: {count}\n\n"
        "Each folder holds one kind of document; each file's name starts with the date it\n"
        "was filed. manifest.json and manifest.csv list, for each document, its id, the\n"
        "record it belongs to, the date, its SHA-256 hash and its size in bytes: compare the\n"
        "hash to check a file.\n"
    ),
}


class _Sink:
    """A write-only file for zipfile: keeps what was written until :meth:`take` empties it."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.position = 0

    def write(self, data: bytes, /) -> int:
        self.parts.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        """Nothing to flush: :meth:`take` hands the bytes on."""

    def close(self) -> None:
        """Nothing to close: the response ends when the last bytes are taken."""

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def _bad_input(field: str, message: str, **extensions: Any) -> Refusal:
    return Refusal(400, "BAD_USER_INPUT", message, field=field, **extensions)


def _no_site() -> Refusal:
    return Refusal(404, "NOT_FOUND", "No such site.")


def _day(request: Request, field: str) -> dt.date | None:
    """The day in ``field``; None when it is missing, malformed or outside FIRST_DAY..LAST_DAY."""
    try:
        day = dt.date.fromisoformat(request.query_params.get(field, ""))
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def _entry_name(row: Any, day: dt.date, taken: set[str]) -> str:
    """``<kind>/<date>-<file name>``, numbered when two documents would share it."""
    stem, dot, extension = row.file_name.rpartition(".")
    if not dot:
        stem, extension = row.file_name, ""
    base = f"{row.kind.lower()}/{day.isoformat()}-{stem}"
    name, number = f"{base}{dot}{extension}", 1
    while name in taken:
        number += 1
        name = f"{base} ({number}){dot}{extension}"
    taken.add(name)
    return name


def _record(row: Any) -> str:
    column = next(c for c in OWNER_COLUMNS if getattr(row, c) is not None)
    return ids.encode(RECORD_TYPES[column], getattr(row, column))


@answering
async def evidence_pack(request: Request) -> Response:
    site_id = ids.decode("Site", request.path_params["id"])
    if site_id is None:
        raise _no_site()
    start_day, end_day = _day(request, "from"), _day(request, "to")
    if start_day is None:
        raise _bad_input("from", f"Give the first day of the period as YYYY-MM-DD, {SPAN}.")
    if end_day is None:
        raise _bad_input("to", f"Give the last day of the period as YYYY-MM-DD, {SPAN}.")
    if end_day < start_day:
        raise _bad_input("to", "The period must end on or after the day it starts.")
    async with opened(request, READERS, check_origin=False) as opening:
        db, scope, principal = opening.db, opening.scope, opening.principal
        settings = opening.settings
        site = (await clients.sites_by_id(db, scope, [site_id]))[0]
        if site is None:
            raise _no_site()
        organization = await organization_settings.settings(db, scope.organization_id)
        zone = ZoneInfo(organization.timezone)
        start = dt.datetime.combine(start_day, dt.time(), zone)
        end = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time(), zone)
        found = await evidence.extent(db, scope, site_id, start, end)
        if (
            found.documents > settings.evidence_max_documents
            or found.size_bytes > settings.evidence_max_bytes
        ):
            raise _bad_input(
                "from",
                f"The period {start_day} to {end_day} holds {found.documents} documents "
                f"({found.size_bytes} bytes); a pack holds at most "
                f"{settings.evidence_max_documents} documents and "
                f"{settings.evidence_max_bytes} bytes: choose a shorter period.",
                period={"from": start_day.isoformat(), "to": end_day.isoformat()},
            )
        rows = await evidence.pack_documents(db, scope, site_id, start, end)
        account_ref = accounts.account_of(principal)
        account = await accounts.get(db, *account_ref) if account_ref is not None else None
        details = {
            "from": start_day.isoformat(),
            "to": end_day.isoformat(),
            "documents": [str(row.id) for row in rows],
        }
        await opening.audit("evidence_pack_downloaded", "Site", site_id, details)
        await opening.transaction.commit()
    locale = account.locale if account is not None and account.locale in README else "en"
    readme = README[locale].format(site=site.name, start=start_day, end=end_day, count=len(rows))
    file_name = f"evidence-{site.name}-{start_day}-{end_day}.zip"
    headers = {
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": storage.attachment(file_name),
    }
    chunks = _zip(store_for(settings), rows, zone, readme, site_id)
    return StreamingResponse(chunks, media_type="application/zip", headers=headers)


async def _zip(
    store: storage.Store,
    rows: list[sa.Row[Any]],
    zone: ZoneInfo,
    readme: str,
    site_id: uuid.UUID,
) -> AsyncIterator[bytes]:
    """The ZIP's bytes as they are made: one file at a time, one chunk at a time."""
    sink = _Sink()
    manifest: list[dict[str, Any]] = []
    missing: list[str] = []
    taken: set[str] = set()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for row in rows:
            filed = row.created_at.astimezone(zone)
            opened = await store.open(row.storage_key)
            document = ids.encode("Document", row.id)
            if opened is None:
                log.error("document %s has no file in the store %s", row.id, store.location)
                missing.append(document)
                continue
            name = _entry_name(row, filed.date(), taken)
            entry = zipfile.ZipInfo(name, filed.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            digest, size = hashlib.sha256(), 0
            with archive.open(entry, "w", force_zip64=opened.size >= ZIP64_FROM) as target:
                async for chunk in opened.chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    target.write(chunk)
                    yield sink.take()
            if digest.hexdigest() != row.sha256:
                log.error("document %s in the store does not match its recorded hash", row.id)
            manifest.append(
                {
                    "document": document,
                    "record": _record(row),
                    "date": filed.date().isoformat(),
                    "path": name,
                    "sha256": digest.hexdigest(),
                    "size": size,
                }
            )
            yield sink.take()
        listing = {"site": ids.encode("Site", site_id), "documents": manifest, "missing": missing}
        archive.writestr("manifest.json", json.dumps(listing, ensure_ascii=False, indent=2))
        table = io.StringIO()
        writer = csv.DictWriter(table, MANIFEST_FIELDS)
        writer.writeheader()
        writer.writerows(manifest)
        archive.writestr("manifest.csv", table.getvalue())
        archive.writestr("README.txt", readme)
    yield sink.take()
