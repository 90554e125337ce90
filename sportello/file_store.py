"""Document files on the local disk, under ``settings.document_root``, named by content hash.

The demo seed stores a file as ``<sha[:2]>/<sha>``. An upload stores it as
``<sha[:2]>/<sha>-<document id>``: the database keeps storage keys unique, and the same bytes
uploaded to two records are two documents, each removable on its own. An upload is first
written to ``<root>/.incoming/`` (same filesystem) and renamed into place only inside the
transaction that inserts its row, so a failed upload leaves neither a row nor a file.
These functions block; callers run them in a thread.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

CHUNK = 64 * 1024

# Leading bytes of the formats accepted for upload, and the MIME type each one is stored as.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


class TooLarge(ValueError):
    """The file is larger than the upload limit."""


class UnsupportedType(ValueError):
    """The file is not a PDF, PNG or JPEG image."""


@dataclasses.dataclass(frozen=True)
class Incoming:
    """A received file, written under .incoming/ and not yet part of any record."""

    path: Path
    sha256: str
    size: int
    mime_type: str


def sniff(head: bytes) -> str | None:
    """The MIME type the leading bytes say the file is; None for anything else."""
    return next((mime for magic, mime in SIGNATURES if head.startswith(magic)), None)


# What an organization's logo may be: raster images a browser shows without running anything
# (never SVG, whose XML can carry script, nor a PDF).
RASTER_IMAGES = frozenset({"image/png", "image/jpeg", "image/webp"})


def sniff_raster(head: bytes) -> str | None:
    """The MIME type of a PNG, JPEG or WebP image by its leading bytes; None otherwise."""
    # WebP: a RIFF container whose form type, after the 4-byte length, is WEBP.
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    mime_type = sniff(head)
    return mime_type if mime_type in RASTER_IMAGES else None


def receive(
    source: BinaryIO, root: Path, limit: int, sniffer: Callable[[bytes], str | None] = sniff
) -> Incoming:
    """Copy ``source`` under ``root``/.incoming while hashing it; TooLarge, UnsupportedType
    (``sniffer`` names the accepted types from the leading bytes: documents' by default)."""
    source.seek(0)
    first = source.read(CHUNK)
    mime_type = sniffer(first)
    if mime_type is None:
        raise UnsupportedType("send a PDF, PNG or JPEG file")
    incoming = root / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=incoming)
    path = Path(name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(handle, "wb") as out:
            chunk = first
            while chunk:
                size += len(chunk)
                if size > limit:
                    raise TooLarge(f"files may have at most {limit} bytes")
                digest.update(chunk)
                out.write(chunk)
                chunk = source.read(CHUNK)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Incoming(path=path, sha256=digest.hexdigest(), size=size, mime_type=mime_type)


def storage_key(sha256: str, document_id: uuid.UUID) -> str:
    return f"{sha256[:2]}/{sha256}-{document_id.hex}"


def place(incoming: Incoming, root: Path, key: str) -> Path:
    """Move a received file to its storage key (an atomic rename)."""
    target = root / key
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(incoming.path, target)
    return target


def discard(*paths: Path) -> None:
    """Remove what a failed upload wrote."""
    for path in paths:
        path.unlink(missing_ok=True)


def stored_file(root: Path, key: str) -> Path | None:
    """The file of a storage key, if it exists and lies under ``root``."""
    base = root.resolve()
    path = (base / key).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        return None
    return path
